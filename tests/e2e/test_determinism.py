"""The same captures give byte-identical logs: in any order, with any number
of workers (--jobs 1, 2, 3: one capture's flows spread over N workers by
their address pair; the TCP charts too), and when a capture is added to an existing case.  On the project's
own captures (pcap-ns, pcapng, gzip'd), and on corpus traces as well when the
corpus is there."""
import filecmp
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

OWN = [os.path.join(z.SOURCE_DIR, p) for p in
       ("sample_pcaps/incident-1.pcap", "sample_pcaps/incident-2.pcapng",
        "sample_pcaps/compare-a.pcap", "tests/data/gzip-compressed-capture/dns-http.pcap.gz")]
CORPUS_TRACES = [os.path.join(z.CORPUS, "zeek-traces", t) for t in
                 ("http/get.pcap", "ipv6-fragmented-dns.pcap", "pcapng-multi-interface.pcapng",
                  "echo-connections.pcap.gz", "ftp/ipv4.pcap", "ftp/bigtransfer.pcap",
                  "smtp-attachment-msg.pcap", "tls/chrome-34-google.pcap", "tls/imap-starttls.pcap",
                  "http/bro.org.pcap", "smb/smb3_multichannel.pcap")]
LOGS = ["conn", "dns", "http", "files", "ssl", "x509", "hosts", "findings", "ftp", "smtp",
        "smb_files", "credentials"]


def analyze(out, paths, jobs="2"):
    r = subprocess.run([z.PCAPCASE, "analyze", "-q", "--jobs", jobs, "-o", out, *paths],
                       capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, PCAPCASE_TIMINGS="1"))
    analyze.spread = [line for line in r.stderr.splitlines() if "workers (" in line]
    return r.returncode


def spread_over(c, jobs):
    """Each capture's packets went to jobs workers, and more than one did
    work on the biggest capture (else the test would compare nothing)."""
    best = 0
    for line in analyze.spread:
        counts = [int(x) for x in line.split("packets")[1].split("cpu_s")[0].split()]
        c.eq(len(counts), jobs, f"--jobs {jobs}: workers in '{line}'")
        best = max(best, sum(1 for n in counts if n > 0))
    c.check(best > 1, f"--jobs {jobs}: packets spread over several workers ({analyze.spread})")


def same_logs(c, a, b, what):
    for log in LOGS:
        pa = os.path.join(a, "logs", log + ".ndjson")
        pb = os.path.join(b, "logs", log + ".ndjson")
        if not os.path.exists(pa) and not os.path.exists(pb):
            continue
        c.check(os.path.exists(pa) and os.path.exists(pb) and
                filecmp.cmp(pa, pb, shallow=False), f"{what}: {log}.ndjson differs")


def same_tcp_charts(c, a, b, what):
    """The TCP window and time-sequence charts (PNG and PDF), byte for byte:
    drawn from the segments each worker kept (analysis/tcp_keep.c)."""
    names = sorted(f for f in os.listdir(os.path.join(a, "charts")) if f.startswith("tcp_"))
    c.check(len(names) >= 4 * 3, f"{what}: TCP charts drawn ({len(names)} files)")
    c.eq(names, sorted(f for f in os.listdir(os.path.join(b, "charts")) if f.startswith("tcp_")),
         f"{what}: TCP chart files")
    for f in names:
        pb = os.path.join(b, "charts", f)
        c.check(os.path.exists(pb) and filecmp.cmp(os.path.join(a, "charts", f), pb, shallow=False),
                f"{what}: charts/{f} differs")


def main():
    c = z.Checker("determinism")
    corpus = c.need_corpus("the same on four corpus traces (IPv6 fragments, 80k-packet gzip)")
    traces = OWN + (CORPUS_TRACES if corpus else [])
    with tempfile.TemporaryDirectory() as d:
        ref = os.path.join(d, "ref")
        status = analyze(ref, traces)
        c.check(status in (0, 1), f"reference run (status {status})")
        conns = len(z.read_ndjson(os.path.join(ref, "logs", "conn.ndjson")))
        c.check(conns > (800 if corpus else 300), f"reference has connections ({conns})")
        c.check(len(analyze.spread) == len(traces), "one spread line per capture")
        spread_over(c, 2)
        for jobs in (1, 3):
            other = os.path.join(d, f"jobs{jobs}")
            c.eq(analyze(other, traces, jobs=str(jobs)), status, f"--jobs {jobs} run")
            if jobs > 1:
                spread_over(c, jobs)
            same_logs(c, ref, other, f"--jobs {jobs} against --jobs 2")
            same_tcp_charts(c, ref, other, f"--jobs {jobs} against --jobs 2")
            c.eq(sorted(os.listdir(os.path.join(other, "artifacts"))),
                 sorted(os.listdir(os.path.join(ref, "artifacts"))), f"--jobs {jobs}: artifacts")
        rev = os.path.join(d, "rev")
        analyze(rev, list(reversed(traces)), jobs="1")
        same_logs(c, ref, rev, "reversed order, one job")
        inc = os.path.join(d, "inc")
        analyze(inc, traces[:2])
        analyze(inc, traces[2:])
        same_logs(c, ref, inc, "added to an existing case")
        again = os.path.join(d, "again")
        analyze(again, traces)
        same_logs(c, ref, again, "second identical run")
    c.done()


if __name__ == "__main__":
    main()
