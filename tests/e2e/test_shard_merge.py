"""A case analysed as shards and merged is the case one `analyze` writes: on
the project's sample captures, 60 DNS exchanges at one instant and a generated
web/TLS/DNS mix (tests/bench gencap), `analyze --shard K/N` for N = 1, 2 and 3
and `merge` give every logs/*.ndjson byte-identical to one `analyze` (also the
rows of one instant from flows of different shards), the same artifacts and
certificates, and the same case.json but for its time and command line.
A merge draws the TCP charts from the segments the shards kept, without
the captures.  `merge` refuses, with one line naming the problem and without writing, a
missing shard, a duplicate, shards of different captures, of different N and
of different options, an --intel file changed since the shards read it, and a
shard that did not finish; running that one shard again completes the case.
`--shard` itself refuses K >= N, a malformed value and a missing -o."""
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen as g  # noqa: E402
import zeekcmp as z  # noqa: E402

SRC = z.SOURCE_DIR
SAMPLES = [os.path.join(SRC, "sample_pcaps", p) for p in
           ("incident-1.pcap", "incident-2.pcapng", "compare-a.pcap", "compare-b.pcap")]


def run(*args):
    return subprocess.run([z.PCAPCASE, *args], capture_output=True, text=True, timeout=900)


def generated(d):
    """An 8 MB web/TLS/DNS mix from tests/bench's gencap, or None without cc."""
    if not shutil.which("make") or not shutil.which("cc"):
        return None
    out = os.path.join(d, "bench")
    r = subprocess.run(["make", "-s", "-C", os.path.join(SRC, "tests", "bench"), f"OUT={out}",
                        f"{out}/gencap"], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(r.stderr[-500:])
        return None
    path = os.path.join(d, "mix.pcap")
    r = subprocess.run([os.path.join(out, "gencap"), "-o", path, "--size", "8M", "--seed", "7"],
                       capture_output=True, text=True, timeout=600)
    return path if r.returncode == 0 else None


def ties(d):
    """60 DNS exchanges of 60 clients, every query at one instant and every
    answer at the next: rows of the same ts from flows of different shards,
    which only the emission order puts as one analysis does."""
    frames = []
    t0 = 1700000000.0
    srv = bytes([10, 9, 9, 9])
    for i in range(60):
        cli = bytes([10, 0, i // 250, 1 + i % 250])
        name = f"host{i}.example.org"
        frames.append((t0, g.udp_frame(cli, srv, 40000 + i, 53, g.dns_message(i, name, 1))))
        answer = g.dns_message(i, name, 1, answers=[(1, 60, bytes([192, 0, 2, i]))],
                               response=True)
        frames.append((t0 + 0.5, g.udp_frame(srv, cli, 53, 40000 + i, answer)))
    frames.sort(key=lambda f: f[0])
    path = os.path.join(d, "ties.pcap")
    g.write_pcap(path, frames)
    return path


def files(folder):
    """Names of the files under folder (relative), as a set."""
    got = set()
    for root, _, names in os.walk(folder):
        for n in names:
            got.add(os.path.relpath(os.path.join(root, n), folder))
    return got


def same_case(c, ref, case, what):
    logs = sorted(n for n in os.listdir(os.path.join(ref, "logs")) if n.endswith(".ndjson"))
    c.eq(sorted(n for n in os.listdir(os.path.join(case, "logs")) if n.endswith(".ndjson")),
         logs, f"{what}: the same logs")
    for n in logs:
        a, b = os.path.join(ref, "logs", n), os.path.join(case, "logs", n)
        c.check(os.path.exists(b) and filecmp.cmp(a, b, shallow=False),
                f"{what}: {n} byte-identical")
    for sub in ("artifacts", "certs"):
        c.eq(files(os.path.join(case, sub)), files(os.path.join(ref, sub)), f"{what}: {sub}/")
    # case.json too, but for when and how it was made
    mine, theirs = (json.load(open(os.path.join(x, "case.json"))) for x in (case, ref))
    for k in ("created", "command_line"):
        mine.pop(k, None), theirs.pop(k, None)
    c.check(mine == theirs, f"{what}: case.json the same (but created, command_line)")
    c.check(not os.path.exists(os.path.join(case, "INCOMPLETE")), f"{what}: case complete")


def shards(d, name, n, captures, extra=(), jobs=1):
    """Partials of shards 0..n-1 into d/name-K; their folders."""
    dirs = []
    for k in range(n):
        p = os.path.join(d, f"{name}-{k}")
        r = run("analyze", "-q", "--jobs", str(jobs), "--shard", f"{k}/{n}", "-o", p, *extra,
                *captures)
        if r.returncode != 0:
            print(r.stderr)
        dirs.append(p)
    return dirs


def refused(c, d, partials, expect, what):
    """merge of partials fails with one line holding expect and writes no case."""
    out = os.path.join(d, "refused")
    shutil.rmtree(out, ignore_errors=True)
    r = run("merge", "-q", "-o", out, *partials)
    lines = r.stderr.strip().splitlines()
    c.check(r.returncode not in (0, 1), f"{what}: merge fails (exit {r.returncode})")
    c.eq(len(lines), 1, f"{what}: one line ({r.stderr.strip()!r})")
    c.check(expect in r.stderr, f"{what}: says '{expect}' ({r.stderr.strip()!r})")
    c.check(not os.path.exists(out), f"{what}: no case written")


def main():
    c = z.Checker("shard_merge")
    with tempfile.TemporaryDirectory() as d:
        mix = generated(d)
        c.check(mix is not None, "gencap made the generated capture")
        captures = SAMPLES + [ties(d)] + ([mix] if mix else [])
        ref = os.path.join(d, "ref")
        r = run("analyze", "-q", "--jobs", "2", "-o", ref, *captures)
        c.eq(r.returncode, 0, f"one analyze ({r.stderr.strip()[-300:]})")
        conns = len(z.read_ndjson(os.path.join(ref, "logs", "conn.ndjson")))
        c.check(conns > 1500, f"the reference has connections ({conns})")
        c.check(len(files(os.path.join(ref, "artifacts"))) > 20, "the reference carved files")
        for n in (1, 2, 3):
            # each shard's flows on workers too (--jobs 2) for N = 2
            parts = shards(d, f"n{n}", n, captures, jobs=2 if n == 2 else 1)
            case = os.path.join(d, f"merged{n}")
            r = run("merge", "-q", "-o", case, *reversed(parts))
            c.eq(r.returncode, 0, f"merge of {n} shard(s) ({r.stderr.strip()[-300:]})")
            same_case(c, ref, case, f"{n} shard(s)")
            if n == 3:
                three = parts
        # the TCP charts of a merge come from the segments the shards kept: the
        # captures need not be there any more, and the charts are the ones one
        # analyze draws
        moved = os.path.join(d, "moved.pcap")
        shutil.copyfile(SAMPLES[0], moved)
        one = os.path.join(d, "one")
        r = run("analyze", "-q", "--jobs", "1", "-o", one, moved)
        c.eq(r.returncode, 0, "analyze of the copy")
        kept = shards(d, "kept", 2, [moved])
        os.remove(moved)
        case = os.path.join(d, "kept-merged")
        r = run("merge", "-q", "-o", case, *kept)
        c.eq(r.returncode, 0, f"merge without the capture ({r.stderr.strip()[-300:]})")
        c.check("TCP charts" not in r.stderr, f"no capture read again ({r.stderr.strip()!r})")
        charts = sorted(n for n in os.listdir(os.path.join(one, "charts")) if n.startswith("tcp_"))
        c.eq(len(charts), 12, "three connections charted, window and sequence, PNG and PDF")
        for n in charts:
            b = os.path.join(case, "charts", n)
            c.check(os.path.exists(b) and filecmp.cmp(os.path.join(one, "charts", n), b,
                                                      shallow=False), f"merged {n} byte-identical")
        refused(c, d, three[:2], "shard 2/3 is missing", "a missing shard")
        refused(c, d, [three[0], three[1], three[1], three[2]], "shard 1/3 given twice",
                "a duplicate")
        two = [os.path.join(d, "n2-0"), os.path.join(d, "n2-1")]
        refused(c, d, [two[0], three[1], three[2]], "different counts", "shards of two N")
        other = shards(d, "other", 2, SAMPLES[:2])
        refused(c, d, [two[0], other[1]], "different captures", "shards of other captures")
        nocarve = shards(d, "nocarve", 2, captures, extra=("--no-carve",))
        refused(c, d, [two[0], nocarve[1]], "different options: carve=1, but carve=0",
                "shards of other options")
        intel = os.path.join(d, "intel.txt")
        open(intel, "w").write("example.com\n")
        withintel = shards(d, "intel", 1, SAMPLES[:1], extra=("--intel", intel))
        open(intel, "a").write("example.org\n")
        refused(c, d, withintel, "--intel, --mmdb or key log file is not what the shards read",
                "an --intel file changed since the shards ran")
        # a shard run again that failed: its folder is marked INCOMPLETE (an older
        # partial.bin does not count); a folder without a partial at all
        open(os.path.join(three[1], "INCOMPLETE"), "w").write("interrupted\n")
        refused(c, d, three, "the shard did not finish", "an unfinished shard")
        os.remove(os.path.join(three[1], "INCOMPLETE"))
        os.remove(os.path.join(three[1], "partial.bin"))
        refused(c, d, three, "partial.bin: cannot read", "a folder without a partial")
        r = run("analyze", "-q", "--jobs", "1", "--shard", "1/3", "-o", three[1], *captures)
        c.eq(r.returncode, 0, "the failed shard run again")
        case = os.path.join(d, "rerun")
        r = run("merge", "-q", "-o", case, *three)
        c.eq(r.returncode, 0, f"merge after the re-run ({r.stderr.strip()[-300:]})")
        same_case(c, ref, case, "after re-running one shard")
        for bad, expect in (("3/3", "expected K/N"), ("1", "expected K/N"),
                            ("-1/2", "expected K/N"), ("0/0", "expected K/N")):
            r = run("analyze", "--shard", bad, "-o", os.path.join(d, "x"), SAMPLES[0])
            c.eq(r.returncode, 2, f"--shard {bad}: usage error")
            c.check(expect in r.stderr and len(r.stderr.strip().splitlines()) == 1,
                    f"--shard {bad}: one line ({r.stderr.strip()!r})")
        r = run("analyze", "--shard", "0/2", SAMPLES[0])
        c.check(r.returncode == 2 and "--shard needs -o" in r.stderr, "--shard without -o")
        r = run("merge", os.path.join(d, "n2-0"))
        c.check(r.returncode == 2 and "-o CASE" in r.stderr, "merge without -o")
    c.done()


if __name__ == "__main__":
    main()
