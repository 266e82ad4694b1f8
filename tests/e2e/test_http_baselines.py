"""HTTP against Zeek and tshark.

- http.ndjson agrees with Zeek's http.log baselines on method, host, uri,
  status_code and the body lengths;
- the set of carved SHA-1s equals Zeek's files.log (HTTP source) where Zeek
  has hashes;
- on every trace in zeek-traces/http/, what `tshark --export-objects http`
  recovers is among our artifacts (by SHA-256), except for the objects listed
  in docs/differences.md;
- artifacts are named by their SHA-256 and their content hashes to it.
"""
import glob
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

REQUEST_LINE = __import__("re").compile(rb"^[A-Za-z-]+ \S* HTTP/1\.[01]\r?\n")
HTTP_FIELDS = ("method", "host", "uri", "status_code", "request_body_len", "response_body_len")


def zeek_http(c):
    n = 0
    for d, traces in sorted(z.baseline_traces().items()):
        hp = os.path.join(z.CORPUS, "zeek-expected", d, "http.log")
        fp = os.path.join(z.CORPUS, "zeek-expected", d, "files.log")
        if (not os.path.exists(hp) and not os.path.exists(fp)) or d in ZEEK_SKIP:
            continue
        with tempfile.TemporaryDirectory() as out:
            rc, err = z.analyze(traces, out)
            c.check(rc in (0, 1), f"{d}: exit {rc}: {err}")
            ours = z.read_ndjson(os.path.join(out, "logs", "http.ndjson"))
            files = z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))
            for f in files:
                if f.get("extracted"):
                    data = open(os.path.join(out, f["extracted"]), "rb").read()
                    c.eq(hashlib.sha256(data).hexdigest(), f["sha256"], f"{d}: artifact content")
        n += 1
        if os.path.exists(hp):
            zrows = [r for r in z.read_zeek_log(hp) if "method" in r or "uri" in r]
            pool = list(ours)
            for zr in zrows:
                m = next((o for o in pool if o.get("uri") == zr.get("uri") and
                          str(o.get("trans_depth")) == (zr.get("trans_depth") or
                                                        str(o.get("trans_depth")))), None)
                c.check(m is not None, f"{d}: no http row for {zr.get('uri')}")
                if not m:
                    continue
                pool.remove(m)
                for f in HTTP_FIELDS:
                    if zr.get(f) is not None:
                        c.eq(str(m.get(f)), zr[f], f"{d} {zr.get('uri')} {f}")
        if os.path.exists(fp):
            zf = z.read_zeek_log(fp)
            want = {r["sha1"] for r in zf if r.get("sha1") and r.get("source", "HTTP") == "HTTP"}
            got = {f.get("sha1") for f in files}
            if want:
                c.eq(sorted(want - got), [], f"{d}: Zeek's file SHA-1s missing from ours")
    return n


# Traces where we differ from tshark's export, each explained in
# docs/differences.md ("HTTP: known differences").
TSHARK_SKIP = {"connect-with-smtp.pcap", "curl_http_09.pcap", "http-11-request-then-cruft.pcap",
               "http-bad-request-with-version.pcap", "http-inner-transfer-encoding-ossfuzz.pcap",
               "http-lower-case.pcap", "http-lower-case-nonstandard-port.pcap", "http_09.pcap",
               "methods.pcap"}
# Zeek baselines where our http.log differs, likewise explained.
ZEEK_SKIP = {"scripts.base.protocols.http.http-methods", "scripts.base.protocols.http.http-no-crlf",
             "scripts.base.protocols.http.http-09",
             "scripts.base.protocols.http.http-09-content-length-confusion",
             "scripts.base.protocols.http.http-bad-request-with-version",
             "scripts.base.protocols.http.http-connect", "scripts.base.protocols.http.http-filename",
             "scripts.base.protocols.http.no-uri", "scripts.base.protocols.http.no-version"}


def tshark_export(c):
    traces = sorted(glob.glob(os.path.join(z.CORPUS, "zeek-traces", "http", "*.pcap*")))
    compared = 0
    for t in traces:
        name = os.path.basename(t)
        if name in TSHARK_SKIP:
            continue
        with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as exp:
            rc, err = z.analyze([t], out)
            c.check(rc in (0, 1), f"{name}: exit {rc}: {err}")
            # a body that is not whole is kept as <sha256>.partial: the same
            # bytes tshark exports, named so as not to claim the whole file
            ours = {os.path.basename(p).removesuffix(".partial")
                    for p in glob.glob(os.path.join(out, "artifacts", "*"))}
            subprocess.run(["tshark", "-r", t, "-q", "--export-objects", f"http,{exp}"],
                           capture_output=True, timeout=300)
            theirs = {}
            for p in glob.glob(os.path.join(exp, "*")):
                data = open(p, "rb").read()
                # tshark exports a whole request message when it does not know
                # the method or cannot frame it; that is not a carved body
                if data and not REQUEST_LINE.match(data[:200]):
                    theirs[hashlib.sha256(data).hexdigest()] = os.path.basename(p)
        if not theirs:
            continue
        compared += 1
        missing = {h: n for h, n in theirs.items() if h not in ours}
        c.check(not missing, f"{name}: tshark objects we did not carve: {sorted(missing.values())[:5]}")
    return compared


def main():
    z.require_corpus("http_baselines")
    c = z.Checker("http_baselines")
    n = zeek_http(c)
    m = tshark_export(c)
    print(f"compared {n} Zeek HTTP/files baselines and {m} traces with tshark")
    c.check(n >= 10 and m >= 10, "enough traces compared")
    c.done()


if __name__ == "__main__":
    main()
