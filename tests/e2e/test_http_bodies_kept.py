"""No HTTP body with bytes on the wire ends with neither an artifact nor a
note (issue 24.2).  Over every HTTP capture of the corpus (zeek-traces/http/
and every trace whose Zeek baseline has an http.log; skipped without the
corpus) and over sample_pcaps/, each files.ndjson row of an HTTP body must
have:
- its decoded bytes as an artifact whose content hashes to the row's sha256,
  or the bytes as sent (encoded_extracted, hashing to encoded_sha256);
- when it is not whole (truncated, missing_bytes), the reason on the row,
  and its missing_ranges adding up to missing_bytes (up to the list's cap);
and every body an http row points at has its files row."""
import glob
import hashlib
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "sample_pcaps")
MAX_RANGES = 32  # HTTP_MAX_MISSING_RANGES (analysis/app_http.c)


def rows(out, log):
    p = os.path.join(out, "logs", log)
    return [json.loads(line) for line in open(p)] if os.path.exists(p) else []


def sha_of(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest() if os.path.exists(path) else None


def corpus_http_traces():
    traces = set(glob.glob(os.path.join(z.CORPUS, "zeek-traces", "http", "*")))
    for bdir, ts in z.baseline_traces().items():
        if os.path.exists(os.path.join(z.CORPUS, "zeek-expected", bdir, "http.log")):
            traces.update(ts)
    return sorted(t for t in traces if os.path.isfile(t))


def check_body(c, name, out, f):
    what = f"{name}: {f['fuid']}"
    ext, enc = f.get("extracted"), f.get("encoded_extracted")
    c.check(ext or enc, f"{what}: neither the decoded file nor the bytes as sent kept")
    if ext:
        c.eq(sha_of(os.path.join(out, ext)), f.get("sha256"), f"{what}: decoded artifact")
    if enc:
        c.eq(sha_of(os.path.join(out, enc)), f.get("encoded_sha256"), f"{what}: wire artifact")
    missing = f.get("missing_bytes", 0)
    if missing or not ext:
        c.check(f.get("truncated") and f.get("truncated_reason") or missing and
                f.get("truncated"), f"{what}: incomplete without a note")
    if missing:
        ranges = f.get("missing_ranges", [])
        total = sum(r["end"] - r["start"] for r in ranges)
        c.check(total == missing or len(ranges) == MAX_RANGES,
                f"{what}: missing_ranges {ranges} vs missing_bytes {missing}")
    if f.get("decode_error_offset") is not None:
        c.check(enc or ext, f"{what}: decoding failed, nothing kept")


def check_capture(c, path):
    name = os.path.relpath(path, z.CORPUS) if path.startswith(z.CORPUS) else os.path.basename(path)
    with tempfile.TemporaryDirectory() as out:
        rc, err = z.analyze([path], out)
        c.check(rc in (0, 1), f"{name}: exit {rc}: {err}")
        files = {f["fuid"]: f for f in rows(out, "files.ndjson") if f.get("source") == "HTTP"}
        for f in files.values():
            check_body(c, name, out, f)
        for h in rows(out, "http.ndjson"):
            for key in ("orig_fuids", "resp_fuids"):
                for fuid in h.get(key, []):
                    c.check(fuid in files, f"{name}: http row points at {fuid}, no files row")
        return len(files)


def main():
    c = z.Checker("http_bodies_kept")
    n = sum(check_capture(c, p) for p in sorted(glob.glob(os.path.join(SAMPLES, "*.pcap*"))))
    c.check(n > 0, f"sample_pcaps carry HTTP bodies ({n})")
    if c.need_corpus("corpus HTTP captures"):
        traces = corpus_http_traces()
        m = sum(check_capture(c, t) for t in traces)
        print(f"{len(traces)} corpus captures, {m} HTTP bodies")
        c.check(m > 100, f"the corpus carries HTTP bodies ({m})")
    c.done()


if __name__ == "__main__":
    main()
