"""Hostile input: floods and lies must not crash, hang or exhaust memory;
interruptions and a full disk never leave a half-written case presented as
complete.  (Corpus-wide sanitizer sweep: test_corpus_sweep.py.)"""
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

GET = None  # main() writes the project's own small HTTP capture (pcapgen)
SANITIZED = "asan" in z.PCAPCASE


def run(args, **kw):
    return subprocess.run([z.PCAPCASE, *args], capture_output=True, text=True, timeout=900, **kw)


def peak_rss_mb(args):
    """Run under /usr/bin/time and return (exit status, peak RSS in MB, stderr).
    (getrusage from Python would also count the RSS the forked interpreter
    had before exec.)"""
    with tempfile.NamedTemporaryFile(mode="r") as t:
        r = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%M", z.PCAPCASE, *args],
                           capture_output=True, text=True, timeout=900)
        return r.returncode, int(t.read().split()[-1]) / 1024.0, r.stderr


def lying_lengths(c, d):
    # a pcap record claiming 4 GB
    p = os.path.join(d, "claims4g.pcap")
    with open(GET, "rb") as f:
        data = bytearray(f.read())
    struct.pack_into("<I", data, 24 + 8, 0xFFFFFFF0)  # first record's caplen
    open(p, "wb").write(bytes(data))
    r = run(["analyze", "-q", "-o", os.path.join(d, "c4g"), p])
    c.eq(r.returncode, 1, "4 GB record length: damaged, not fatal")
    ev = json.load(open(os.path.join(d, "c4g", "case.json")))["evidence"][0]
    c.eq(ev["damaged"].get("pcap.bad_record_length"), 1, "4 GB record: reason counted")
    c.eq(ev["sha256"], __import__("hashlib").sha256(bytes(data)).hexdigest(),
         "4 GB record: the whole file is still hashed")


def one_packet_flood(c, d, n):
    p = os.path.join(d, "flood.pcap")
    frames = []
    for i in range(n):
        src = struct.pack("!I", 0x0A000000 + (i >> 15))
        frames.append((1000.0 + i / 1000.0,
                       pcapgen.tcp_frame(src, b"\xc0\x00\x02\x01", 1024 + (i & 0x7FFF),
                                         80, i, 0x02)))
    pcapgen.write_pcap(p, frames)
    rc, rss, err = peak_rss_mb(["analyze", "-q", "-o", os.path.join(d, "flood"), p])
    c.eq(rc, 0, f"{n} one-packet connections: exit status ({err.strip()})")
    rows = sum(1 for _ in open(os.path.join(d, "flood", "logs", "conn.ndjson")))
    c.eq(rows, n, "every one-packet connection is logged")
    limit = 2000 if SANITIZED else 700
    c.check(rss < limit, f"flood peak RSS {rss:.0f} MB >= {limit} MB")
    print(f"one-packet flood: {n} connections, peak RSS {rss:.0f} MB")


def endless_out_of_order(c, d, n):
    # one connection whose first data segment never arrives: everything after
    # it is out of order and must be capped, not buffered without end
    p = os.path.join(d, "ooo.pcap")
    cli, srv = b"\x0a\x00\x00\x01", b"\xc0\x00\x02\x01"
    frames = [(1.0, pcapgen.tcp_frame(cli, srv, 40000, 80, 1000, 0x02)),
              (1.001, pcapgen.tcp_frame(srv, cli, 80, 40000, 5000, 0x12, ack=1001)),
              (1.002, pcapgen.tcp_frame(cli, srv, 40000, 80, 1001, 0x10, ack=5001))]
    payload = b"x" * 1400
    for i in range(n):
        frames.append((2.0 + i * 1e-4, pcapgen.tcp_frame(cli, srv, 40000, 80,
                                                         1001 + 1400 * (i + 1), 0x18, payload,
                                                         ack=5001)))
    pcapgen.write_pcap(p, frames)
    rc, rss, err = peak_rss_mb(["analyze", "-q", "-o", os.path.join(d, "ooo"), p])
    c.eq(rc, 0, f"endless out-of-order stream: exit status ({err.strip()})")
    conn = z.read_ndjson(os.path.join(d, "ooo", "logs", "conn.ndjson"))
    c.eq(len(conn), 1, "one connection")
    c.check(conn and conn[0]["missed_bytes"] >= 1400, "the missing segment is counted as missed")
    ev = json.load(open(os.path.join(d, "ooo", "case.json")))["evidence"][0]
    c.eq(ev["damaged"].get("limit.tcp_reassembly_buffer"), 1,
         "giving up on the hole at the buffer cap is recorded in case.json")
    c.eq(ev["damaged_first_frames"].get("limit.tcp_reassembly_buffer"), [1],
         "... pointing at the connection's first frame")
    limit = 600 if SANITIZED else 200
    c.check(rss < limit, f"out-of-order stream peak RSS {rss:.0f} MB >= {limit} MB")
    print(f"out-of-order stream: {n * 1400 >> 20} MiB after a hole, peak RSS {rss:.0f} MB")


def wait_until_open(pid, path, timeout=120):
    """Wait until process pid has path open (/proc/PID/fd); False if it ended first."""
    path = os.path.realpath(path)
    end = time.time() + timeout
    while time.time() < end:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                        return True
                except OSError:
                    pass
        except OSError:
            return False
        time.sleep(0.002)
    return False


def interrupted(c, d):
    big = os.path.join(d, "big.pcap")
    frames = [(1.0 + i * 1e-3, pcapgen.tcp_frame(b"\x0a\x00\x00\x01", b"\xc0\x00\x02\x01",
                                                 40000 + i % 1000, 80, i, 0x02))
              for i in range(1000000)]
    pcapgen.write_pcap(big, frames)
    out = os.path.join(d, "int")
    r = run(["analyze", "-q", "-o", out, GET])
    c.eq(r.returncode, 0, "first run completes")
    before = open(os.path.join(out, "logs", "conn.ndjson")).read()
    # not --quiet: the closing line is what is checked.  SIGINT goes once the
    # capture is open (the handler is installed before any capture is opened,
    # and a million packets take far longer than the 2 ms poll).
    p = subprocess.Popen([z.PCAPCASE, "analyze", "-o", out, big],
                         stderr=subprocess.PIPE, text=True)
    c.check(wait_until_open(p.pid, big), "SIGINT: the run opened the capture")
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=300)
    c.eq(p.returncode, 130, "SIGINT: exit status 130")
    c.check("case written" not in err, f"SIGINT: does not claim the case was written: {err!r}")
    c.eq(err.splitlines(), [f"pcapcase: interrupted: {out} was not updated (logs and reports are "
                            "as before this run) and is marked INCOMPLETE; to finish, run the same "
                            f"command again: {z.PCAPCASE} analyze -o {out} {big}"],
         "SIGINT: one line, what happened and how to finish")
    c.check(os.path.exists(os.path.join(out, "INCOMPLETE")), "SIGINT: INCOMPLETE marker")
    c.eq(open(os.path.join(out, "logs", "conn.ndjson")).read(), before,
         "SIGINT: previous complete log untouched")


def disk_full(c, d):
    out = os.path.join(d, "full")

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))

    r = subprocess.run([z.PCAPCASE, "analyze", "-q", "-o", out, GET], capture_output=True,
                       text=True, timeout=300, preexec_fn=limit_file_size)
    # a write failure has its own exit status (4), not 3 "no usable input"
    c.eq(r.returncode, 4, f"disk full: exit status ({r.stderr.strip()})")
    lines = r.stderr.splitlines()
    c.check(len(lines) == 1 and lines[0].startswith(f"pcapcase: {out}/") and
            ": cannot write: File too large (" in lines[0] and "INCOMPLETE)" in lines[0],
            f"disk full: one line naming the file and the reason: {r.stderr!r}")
    c.check(os.path.exists(os.path.join(out, "INCOMPLETE")), "disk full: INCOMPLETE marker")


def main():
    global GET
    c = z.Checker("hostile")
    with tempfile.TemporaryDirectory() as d:
        GET = pcapgen.http_get_capture(os.path.join(d, "get.pcap"))
        lying_lengths(c, d)
        one_packet_flood(c, d, 300000 if SANITIZED else 1000000)
        endless_out_of_order(c, d, 20000)
        interrupted(c, d)
        disk_full(c, d)
    c.done()


if __name__ == "__main__":
    main()
