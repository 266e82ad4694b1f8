"""Exit statuses and one-line errors for bad input; summary agrees with capinfos.

docs/cli.md: 0 done; 1 done but some input damaged; 2 usage error; 3 no usable input.
Every error is one line naming the file and the reason.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

GET = None  # main() writes the project's own small HTTP capture (pcapgen)


def run(*args):
    r = subprocess.run([z.PCAPCASE, *args], capture_output=True, text=True, timeout=300)
    return r.returncode, r.stderr


def one_line_naming(c, err, name, what):
    lines = [l for l in err.splitlines() if "case written" not in l]
    c.check(len(lines) >= 1 and all(l.startswith("pcapcase") for l in lines),
            f"{what}: stderr lines {lines!r}")
    c.check(any(name in l for l in lines), f"{what}: error does not name {name}: {lines!r}")


def exit_statuses(c, d):
    out = os.path.join(d, "case")
    truncated = os.path.join(d, "truncated.pcap")
    with open(GET, "rb") as f, open(truncated, "wb") as g:
        data, off = f.read(), 24  # past the file header
        for _ in range(4):  # keep four whole packet records
            off += 16 + struct.unpack_from("<I", data, off + 8)[0]
        g.write(data[:off + 40])  # cut in the middle of the fifth (the response)
    empty = os.path.join(d, "empty.pcap")
    open(empty, "wb").close()
    text = os.path.join(d, "notes.pcap")
    with open(text, "w") as f:
        f.write("this is not a capture\n")
    folder = os.path.join(d, "evidence")
    os.mkdir(folder)
    with open(GET, "rb") as f, open(os.path.join(folder, "get.pcap"), "wb") as g:
        g.write(f.read())

    rc, err = run("analyze", "-q", "-o", out, truncated)
    c.eq(rc, 1, "truncated capture: exit status")
    one_line_naming(c, err, "truncated.pcap", "truncated")
    case = json.load(open(os.path.join(out, "case.json")))
    ev = case["evidence"][0]
    c.eq(ev["damaged"].get("pcap.truncated_record"), 1, "truncated: damage reason counted")
    c.eq(ev["packets"], 4, "truncated: packets before the cut (capinfos counts 4 too)")

    for path, name in ((empty, "empty.pcap"), (text, "notes.pcap"),
                       (os.path.join(d, "missing.pcap"), "missing.pcap")):
        rc, err = run("analyze", "-q", "-o", os.path.join(d, "x"), path)
        c.eq(rc, 3, f"{name}: exit status")
        one_line_naming(c, err, name, name)
    rc, err = run("analyze", "-q", "-o", os.path.join(d, "x"), empty)
    c.check("empty" in err, f"empty file: reason says empty: {err!r}")

    rc, err = run("analyze", "-q", "-o", os.path.join(d, "dir"), folder)
    c.eq(rc, 0, "folder of captures: exit status")
    rows = z.read_ndjson(os.path.join(d, "dir", "logs", "conn.ndjson"))
    c.eq(len(rows), 1, "folder: the capture inside was analysed")

    rc, err = run("analyze", "-q", "-o", os.path.join(d, "mix"), GET, text)
    c.eq(rc, 1, "one good and one bad input: exit status 1")

    rc, err = run("analyze", "--bpf", "tcp port", GET)
    c.eq(rc, 2, "bad BPF filter: usage error")
    c.check("syntax error" in err or "tcp port" in err, f"bad BPF: libpcap's message: {err!r}")
    rc, _ = run("analyze", "--jobs", "zero", GET)
    c.eq(rc, 2, "bad --jobs: usage error")
    rc, _ = run("frobnicate")
    c.eq(rc, 2, "unknown command: usage error")
    rc, _ = run("analyze")
    c.eq(rc, 2, "no capture: usage error")

    # Options may follow the captures (GNU order), as in every other command;
    # "--" ends the options, for a capture whose name starts with "-".
    rc, err = run("analyze", GET, "-q", "-o", os.path.join(d, "after"))
    c.eq(rc, 0, f"options after the capture: exit status ({err.strip()!r})")
    c.eq(len(z.read_ndjson(os.path.join(d, "after", "logs", "conn.ndjson"))), 1,
         "options after the capture: the case went to -o's folder")
    dash = os.path.join(d, "-dash.pcap")
    with open(GET, "rb") as f, open(dash, "wb") as g:
        g.write(f.read())
    rc, err = subprocess.run([z.PCAPCASE, "analyze", "-q", "-o", os.path.join(d, "dash"), "--",
                              "-dash.pcap"], capture_output=True, text=True, cwd=d,
                             timeout=300).returncode, ""
    c.eq(rc, 0, "'--' then a capture named -dash.pcap: exit status")

    rc, _ = run("analyze", "-q", "--bpf", "udp", "-o", os.path.join(d, "bpf"), GET)
    c.eq(rc, 0, "valid BPF: exit status")
    c.eq(len(z.read_ndjson(os.path.join(d, "bpf", "logs", "conn.ndjson"))), 0,
         "BPF 'udp' on a TCP-only trace keeps nothing")


def capinfos_fields(path):
    out = subprocess.run(["capinfos", "-M", "-c", "-d", "-u", "-a", "-e", "-H", path],
                         capture_output=True, text=True).stdout
    f = {}
    for line in out.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            f[k.strip()] = v.strip()
    return f


def summary_vs_capinfos(c):
    traces = [os.path.join(z.SOURCE_DIR, "sample_pcaps", s)
              for s in ("incident-1.pcap", "incident-2.pcapng")]
    if c.need_corpus("summary vs capinfos on the corpus's pcap, pcapng, gzip and SLL2 traces"):
        traces += [os.path.join(z.CORPUS, "zeek-traces", t) for t in (
            "http/get.pcap", "pcapng-multi-interface.pcapng", "echo-connections.pcap.gz",
            "linux_dlt_sll2.pcap", "ipv6-fragmented-dns.pcap", "dns53.pcap")]
    for path in traces:
        t = os.path.basename(path)
        r = subprocess.run([z.PCAPCASE, "summary", "--json", path], capture_output=True,
                           text=True, timeout=120)
        c.eq(r.returncode, 0, f"summary {t}: exit status")
        ours = json.loads(r.stdout)
        ci = capinfos_fields(path)
        c.eq(str(ours["packets"]), ci.get("Number of packets"), f"{t}: packets")
        c.eq(f'{ours["data_size"]} bytes', ci.get("Data size"), f"{t}: data size")
        c.eq(ours["sha256"], ci.get("SHA256"), f"{t}: SHA-256")
        dur = float(re.sub(r"[^0-9.]", "", ci.get("Capture duration", "0")) or 0)
        c.check(abs(ours["duration"] - dur) < 1e-6, f"{t}: duration {ours['duration']} vs {dur}")


def evidence_untouched(c, d):
    """Every command leaves the capture byte-for-byte and metadata-wise as it
    was (content, size, modification and change times); case.json holds the
    SHA-256 of what was read."""
    import hashlib
    import shutil
    ev = os.path.join(d, "evidence.pcap")
    shutil.copy(GET, ev)
    os.chmod(ev, 0o444)
    before = os.stat(ev)
    sha = hashlib.sha256(open(ev, "rb").read()).hexdigest()
    for args in (["analyze", "-q", "-o", os.path.join(d, "ro-case")],
                 ["carve", "-q", "-o", os.path.join(d, "ro-carve")], ["summary"],
                 ["compare", "-q", "-o", os.path.join(d, "ro-cmp"), ev]):
        rc, err = run(*args, ev)
        c.eq(rc, 0, f"{args[0]} on a read-only capture ({err.strip()})")
    after = os.stat(ev)
    c.eq((after.st_size, after.st_mtime_ns, after.st_ctime_ns),
         (before.st_size, before.st_mtime_ns, before.st_ctime_ns), "capture metadata unchanged")
    c.eq(hashlib.sha256(open(ev, "rb").read()).hexdigest(), sha, "capture content unchanged")
    case = json.load(open(os.path.join(d, "ro-case", "case.json")))
    c.eq(case["evidence"][0]["sha256"], sha, "case.json holds the capture's SHA-256")


def folder_walk(c, d):
    """An evidence folder as sensors leave them: captures in subfolders, a
    tcpdump -C rotation (capture.pcap1: no capture extension), a gzip'd
    capture named blob.bin, a note, a hidden folder, and later the case
    itself written inside.  Every capture is found by its name or its first
    bytes, in every subfolder; the note, the hidden folder and the case
    folder are left out, and stderr says so.  Until 2026-12-01 only the
    folder's own *.pcap-named files were read: the subfolders and the
    rotated files were left out without a word."""
    import gzip
    import shutil
    ev = os.path.join(d, "sensor")
    os.makedirs(os.path.join(ev, "day1", "eth0"))
    os.makedirs(os.path.join(ev, ".cache"))
    src = open(GET, "rb").read()

    def capture_at(t0, rel):  # a capture of its own content: a GET at another time
        path = os.path.join(ev, rel)
        pcapgen.http_get_capture(path, t0)
        return path

    want = [capture_at(1700000000.0, "top.pcap"),
            capture_at(1700000100.0, "day1/eth0/capture.pcap1"),
            capture_at(1700000200.0, "day1/eth0/capture.pcap2")]
    blob = os.path.join(ev, "day1", "blob.bin")
    with open(blob, "wb") as f:
        f.write(gzip.compress(open(capture_at(1700000300.0, "tmp.pcap"), "rb").read()))
    os.remove(os.path.join(ev, "tmp.pcap"))
    want.append(blob)
    with open(os.path.join(ev, "day1", "notes.txt"), "w") as f:
        f.write("sensor moved at 10:00\n")
    with open(os.path.join(ev, ".cache", "old.pcap"), "wb") as f:
        f.write(src)
    case = os.path.join(ev, "case")
    rc, err = run("analyze", "-o", case, ev)
    c.eq(rc, 0, f"evidence folder: exit status ({err.strip()})")
    got = sorted(e["path"] for e in json.load(open(os.path.join(case, "case.json")))["evidence"])
    c.eq(got, sorted(os.path.realpath(p) for p in want),
         "evidence folder: every capture, in subfolders and by content, none hidden")
    c.check("1 file(s) in the folders given are not captures: left out" in err,
            f"evidence folder: the note is said to be left out: {err!r}")
    rc, err = run("analyze", "-o", os.path.join(ev, "case2"), ev)
    got2 = sorted(e["path"] for e in
                  json.load(open(os.path.join(ev, "case2", "case.json")))["evidence"])
    c.eq((rc, got2), (0, got), "evidence folder again, the case inside: the same captures")
    c.check("1 pcapcase case folder(s) in the folders given: left out" in err,
            f"evidence folder: the case folder is said to be left out: {err!r}")


def main():
    global GET
    c = z.Checker("cli_inputs")
    with tempfile.TemporaryDirectory() as d:
        GET = pcapgen.http_get_capture(os.path.join(d, "get.pcap"))
        exit_statuses(c, d)
        evidence_untouched(c, d)
        folder_walk(c, d)
    summary_vs_capinfos(c)
    c.done()


if __name__ == "__main__":
    main()
