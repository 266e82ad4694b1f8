"""A case of many captures within a small limit of open files.

Until 2026-12-01 every capture's log spools (one per log kind and worker)
stayed open until the logs were merged: 100 captures passed the usual
limit of 1,024 open files (Debian's default soft limit), and the case was
written without any log ("cannot write a temporary log spool in: Too many
open files", case marked INCOMPLETE).  Now each finished capture's rows
move into one file for the whole case (core/logstore.h, logstore_pack).

Built here: 150 captures (a sensor's rotated files), each an HTTP download
of a body of its own and a DNS exchange; the first also serves one object
in two 206 parts (assembled after the analysis, when its capture's rows are
already packed).  Analysed with the soft limit of open files at 128:

  - exit status 0, no complaint;
  - 152 http (the 206 requests too), 153 files (150 bodies, the two parts and the assembled
    object, each by its SHA-256) and 150 dns rows, every capture named;
  - --jobs 1 and --jobs 3 give byte-identical logs.
"""
import hashlib
import os
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen as g  # noqa: E402
import zeekcmp as z  # noqa: E402

N = 150
LIMIT = 128
CLI, SRV, DNS = bytes([10, 1, 0, 5]), bytes([192, 0, 2, 80]), bytes([10, 1, 0, 53])
WHOLE = bytes((i * 13 + 7) % 256 for i in range(200))


def response(body, status=b"200 OK", extra=b""):
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: application/octet-stream\r\n" + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def capture(path, i):
    t0 = 1700000000.0 + i * 60
    body = b"capture %d: " % i + bytes((i + j) % 256 for j in range(500))
    req = b"GET /f%d.bin HTTP/1.1\r\nHost: files.example.test\r\n\r\n" % i
    frames = [(t0, g.udp_frame(CLI, DNS, 40000 + i, 53,
                               g.dns_query(i, [b"files", b"example", b"test"]))),
              (t0 + 0.001, g.udp_frame(DNS, CLI, 53, 40000 + i,
                                       g.dns_message(i, "files.example.test", 1,
                                                     response=True)))]
    frames += g.tcp_session(CLI, SRV, 41000 + i, 80, req, response(body), t0 + 0.01)
    if i == 0:
        for n, (a, b) in enumerate(((0, 99), (100, 199))):
            req = b"GET /whole.bin HTTP/1.1\r\nHost: files.example.test\r\nRange: bytes=%d-%d\r\n\r\n" % (a, b)
            frames += g.tcp_session(CLI, SRV, 42000 + n, 80, req,
                                    response(WHOLE[a:b + 1], b"206 Partial Content",
                                             b"Content-Range: bytes %d-%d/200\r\n" % (a, b)),
                                    t0 + 1 + n)
    g.write_pcap(path, frames)
    return hashlib.sha256(body).hexdigest()


def limit_files():
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


def analyze(paths, out, jobs):
    if not os.path.exists(z.PCAPCASE):
        return -1, "no pcapcase binary " + z.PCAPCASE
    r = subprocess.run([z.PCAPCASE, "analyze", "-q", "-j", str(jobs), "-o", out, *paths],
                       capture_output=True, text=True, preexec_fn=limit_files)
    return r.returncode, r.stderr


def main():
    c = z.Checker("many_captures")
    with tempfile.TemporaryDirectory() as d:
        paths, bodies = [], set()
        for i in range(N):
            p = os.path.join(d, "rotated-%03d.pcap" % i)
            bodies.add(capture(p, i))
            paths.append(p)
        cases = {}
        for jobs in (1, 3):
            out = os.path.join(d, "case%d" % jobs)
            rc, err = analyze(paths, out, jobs)
            c.eq((rc, err), (0, ""), f"--jobs {jobs}, {LIMIT} open files at most: exit, stderr")
            cases[jobs] = out
        logs = lambda name, j=1: z.read_ndjson(os.path.join(cases[j], "logs", name + ".ndjson"))
        http, files, dns = logs("http"), logs("files"), logs("dns")
        c.eq(len(http), N + 2, "an http row per capture (and the two 206 requests)")
        c.eq(len(dns), N, "a dns row per capture")
        c.eq(sorted({r.get("pcap") for r in http}), sorted(os.path.basename(p) for p in paths),
             "every capture named")
        got = {r.get("sha256") for r in files if r.get("seen_bytes", 0) >= 500}
        c.check(bodies <= got, f"every capture's body carved by SHA-256 ({len(bodies & got)}/{N})")
        whole = [r for r in files if r.get("assembled_from")]
        c.eq([r.get("sha256") for r in whole], [hashlib.sha256(WHOLE).hexdigest()],
             "the two 206 parts assembled after the pack")
        have = [os.path.isdir(os.path.join(cases[j], "logs")) for j in (1, 3)]
        c.check(all(have), f"both cases have their logs: {have}")
        for name in sorted(os.listdir(os.path.join(cases[1], "logs"))) if all(have) else []:
            a = open(os.path.join(cases[1], "logs", name), "rb").read()
            b = open(os.path.join(cases[3], "logs", name), "rb").read()
            c.check(a == b, f"logs/{name}: --jobs 3 gives the bytes of --jobs 1")
    c.done()


if __name__ == "__main__":
    main()
