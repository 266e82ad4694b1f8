"""The same captures give byte-identical logs: in any order, with any number
of jobs, and when a capture is added to an existing case.  On the project's
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
                  "echo-connections.pcap.gz")]
LOGS = ["conn", "dns", "http", "files", "ssl", "x509", "hosts", "findings"]


def analyze(out, paths, jobs="2"):
    r = subprocess.run([z.PCAPCASE, "analyze", "-q", "--jobs", jobs, "-o", out, *paths],
                       capture_output=True, text=True, timeout=600)
    return r.returncode


def same_logs(c, a, b, what):
    for log in LOGS:
        pa = os.path.join(a, "logs", log + ".ndjson")
        pb = os.path.join(b, "logs", log + ".ndjson")
        if not os.path.exists(pa) and not os.path.exists(pb):
            continue
        c.check(os.path.exists(pa) and os.path.exists(pb) and
                filecmp.cmp(pa, pb, shallow=False), f"{what}: {log}.ndjson differs")


def main():
    c = z.Checker("determinism")
    corpus = c.need_corpus("the same on four corpus traces (IPv6 fragments, 80k-packet gzip)")
    traces = OWN + (CORPUS_TRACES if corpus else [])
    with tempfile.TemporaryDirectory() as d:
        ref = os.path.join(d, "ref")
        c.eq(analyze(ref, traces), 0, "reference run")
        conns = len(z.read_ndjson(os.path.join(ref, "logs", "conn.ndjson")))
        c.check(conns > (800 if corpus else 300), f"reference has connections ({conns})")
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
