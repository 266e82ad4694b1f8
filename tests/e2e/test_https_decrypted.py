"""analyze --keylog on our own HTTPS / HTTP/2 recordings (tests/recordings/tls).

The truth is tests/recordings/tls/truth.json: the SHA-256 of every served
file, which paths each TLS session fetched (client random, version, suite,
ALPN) and the SHA-256 of each key log.  Checked here:

  - with the key logs, every served file of every TLS session (TLS 1.0-1.3,
    GCM, CCM, CCM_8, ChaCha20, CBC with SHA-1/256/384, MtE and EtM, RSA, DHE
    and ECDHE, KeyUpdate, 0-RTT, HelloRetryRequest) is in files.ndjson with
    its SHA-256 and decrypted:true, and in artifacts/; the http rows of the h2
    sessions carry the h2 stream ids and exactly the h2 sessions' URIs;
  - ssl.ndjson says every session was decrypted, TLS 1.3 rows get the ALPN
    and the certificate chain that only decryption shows (x509.ndjson too);
  - case.json names the key logs by SHA-256 and counts the sessions; the
    report's method section says "no key for N of M sessions";
  - a re-run on the case without --keylog still decrypts (the case keeps them);
  - clear-text HTTP/2 (prior knowledge, a PUSH_PROMISE, Upgrade: h2c) gives
    every file too;
  - a key log cut short leaves exactly the sessions whose lines were cut
    without keys (counted), a key log with a wrong secret gives a session
    whose records do not authenticate (counted), and neither gives any row
    or file from those sessions;
  - DNS over HTTPS (POST and GET, HTTP/2 and HTTP/1.1) gives dns.ndjson rows
    marked transport "doh", equal to what the DoH server answered;
  - without a key log the same captures give TLS rows and no HTTP at all.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

SOURCE = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PCAPCASE = os.environ.get("PCAPCASE", os.path.join(SOURCE, "build", "pcapcase"))
REC = os.path.join(SOURCE, "tests", "recordings", "tls")
TLS_CAPTURES = ["tls13", "tls12", "tls12cbc", "tlsmore"]
H2_ALPN = {"h2", "h2c-prior", "h2c-upgrade"}

TRUTH = json.load(open(os.path.join(REC, "truth.json")))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def analyze(case, captures, keylogs, extra=()):
    args = [PCAPCASE, "analyze", "-q", "-j", "1", "-o", case]
    for k in keylogs:
        args += ["--keylog", k]
    args += list(extra)
    args += [os.path.join(REC, c + ".pcap") for c in captures]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr)
    check(r.returncode == 0, f"analyze {captures} exit {r.returncode}")
    return r


def rows(case, log):
    path = os.path.join(case, "logs", log + ".ndjson")
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


def want_files(captures):
    """(uri, sha256 as carved) per fetched path; brotli is decoded (its bytes as sent are encoded_sha256)."""
    want = collections.Counter()
    for s in TRUTH["sessions"]:
        if s["capture"] in captures:
            for p in s["paths"]:
                f = TRUTH["files"][p]
                want[(p, f["sha256"])] += 1
    return want


def carved(case, captures):
    """(uri, sha256) of every http row with a response body, and the rows."""
    files = {f["fuid"]: f for f in rows(case, "files")}
    got, used = collections.Counter(), []
    for h in rows(case, "http"):
        if h["pcap"][:-5] not in captures or "resp_fuids" not in h:
            continue
        f = files[h["resp_fuids"][0]]
        got[(h["uri"], f["sha256"])] += 1
        used.append((h, f))
    return got, used


def with_keys():
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "case")
        keys = [os.path.join(REC, c + ".keys") for c in TLS_CAPTURES]
        analyze(case, TLS_CAPTURES + ["h2c"], keys)
        got, used = carved(case, TLS_CAPTURES)
        want = want_files(TLS_CAPTURES)
        check(got == want, f"decrypted files: missing {want - got}, unexpected {got - want}")
        for h, f in used:
            check(h.get("decrypted") is True and f.get("decrypted") is True,
                  f"{h['uri']} in {h['pcap']}: decrypted not set")
            check(os.path.exists(os.path.join(case, "artifacts", f["sha256"])),
                  f"artifact {f['sha256']} missing")
        # every served file (by its SHA-256) is there
        shas = {f["sha256"] for _, f in used}
        fetched = {p for s in TRUTH["sessions"] if s["capture"] in TLS_CAPTURES for p in s["paths"]}
        for p in sorted(fetched):
            f = TRUTH["files"][p]
            check((f["sha256"]) in shas,
                  f"{p}: not carved from any session")
        # HTTP/2: the h2 sessions' URIs, and only those, carry stream ids
        want_h2 = collections.Counter(p for s in TRUTH["sessions"]
                                      if s["capture"] in TLS_CAPTURES and s["alpn"] == "h2"
                                      for p in s["paths"])
        got_h2 = collections.Counter(h["uri"] for h in rows(case, "http")
                                     if h["pcap"][:-5] in TLS_CAPTURES and "h2_stream_id" in h)
        check(got_h2 == want_h2, f"h2 URIs: missing {want_h2 - got_h2}, unexpected {got_h2 - want_h2}")
        check(all(h["h2_stream_id"] % 2 == 1 for h in rows(case, "http") if "h2_stream_id" in h
                  and h["pcap"] != "h2c.pcap"), "client streams have odd ids")
        # clear-text HTTP/2: prior knowledge, push, Upgrade: h2c
        got_c, _ = carved(case, ["h2c"])
        want_c = want_files(["h2c"])
        check(got_c == want_c, f"h2c files: missing {want_c - got_c}, unexpected {got_c - want_c}")
        check(not any(h.get("decrypted") for h in rows(case, "http") if h["pcap"] == "h2c.pcap"),
              "clear-text h2 rows are not marked decrypted")
        # ssl.ndjson: every session decrypted; TLS 1.3 shows ALPN and certificates
        sessions = [s for s in TRUTH["sessions"] if s["capture"] in TLS_CAPTURES]
        ssl = [r for r in rows(case, "ssl") if r["pcap"][:-5] in TLS_CAPTURES]
        check(len(ssl) == len(sessions), f"{len(ssl)} ssl rows for {len(sessions)} sessions")
        check(all(r.get("decryption") == "decrypted" for r in ssl),
              f"not decrypted: {[r['uid'] for r in ssl if r.get('decryption') != 'decrypted']}")
        check(all(r.get("decrypted_protocol") == "http" for r in ssl), "inner protocol http")
        t13 = [r for r in ssl if r["version"] == "TLSv13"]
        check(len(t13) == sum(s["version"] == "TLSv13" for s in sessions), "TLS 1.3 rows")
        # ALPN (in the encrypted EncryptedExtensions) wherever the client offered it
        offered = [r for r in t13 if r.get("client_alpn")]
        check(len(offered) >= 4 and all(r.get("next_protocol") in ("h2", "http/1.1") for r in offered),
              "TLS 1.3 ALPN")
        # the chain (in the encrypted Certificate) in every full handshake; the
        # 0-RTT session resumes and has none
        check(all(r.get("certificates") == "decrypted (TLS 1.3)" for r in t13), "TLS 1.3 certificates")
        resumed = sum("early-data" in s["label"] for s in sessions)
        check(sum(not r["cert_chain_fps"] for r in t13) == resumed == 1, "TLS 1.3 certificate chains")
        fps = {fp for r in t13 for fp in r["cert_chain_fps"]}
        check(fps <= {x["fingerprint"] for x in rows(case, "x509")}, "TLS 1.3 certificates in x509")
        # case.json and the report
        cj = json.load(open(os.path.join(case, "case.json")))
        want_keys = sorted(TRUTH["captures"][c]["keylog_sha256"] for c in TLS_CAPTURES)
        check(sorted(k["sha256"] for k in cj["keylogs"]) == want_keys, "key logs by SHA-256")
        td = cj["tls_decryption"]
        check(td["sessions"] == len(sessions) and td["decrypted"] == len(sessions)
              and td["no_key"] == 0 and td["rejected_records"] == 0, f"tls_decryption {td}")
        html = open(os.path.join(case, "report.html")).read()
        check(f"no key for 0 of {len(sessions)} sessions" in html, "report: no key for 0 of M")
        for k in want_keys:
            check(k in html, f"report names key log {k}")
        # a re-run without --keylog reads the kept key logs
        kept = sorted(os.listdir(os.path.join(case, "keylogs")))
        check(kept == [k + ".keys" for k in want_keys], f"kept key logs {kept}")
        before = open(os.path.join(case, "logs", "http.ndjson")).read()
        analyze(case, TLS_CAPTURES + ["h2c"], [])
        check(open(os.path.join(case, "logs", "http.ndjson")).read() == before,
              "re-run without --keylog: same http.ndjson")


def cut_and_wrong_keys():
    """tls12.keys cut after two sessions' lines; tls13.keys with one wrong secret."""
    with tempfile.TemporaryDirectory() as tmp:
        lines = open(os.path.join(REC, "tls12.keys")).read().splitlines(True)
        secrets = [ln for ln in lines if ln.startswith("CLIENT_RANDOM")]
        cut = os.path.join(tmp, "cut.keys")
        open(cut, "w").write("".join(secrets[:2]))
        case = os.path.join(tmp, "cut")
        analyze(case, ["tls12"], [cut])
        n = sum(s["capture"] == "tls12" for s in TRUTH["sessions"])
        td = json.load(open(os.path.join(case, "case.json")))["tls_decryption"]
        check(td["sessions"] == n and td["decrypted"] == 2 and td["no_key"] == n - 2,
              f"cut key log: {td}")
        html = open(os.path.join(case, "report.html")).read()
        check(f"no key for {n - 2} of {n} sessions" in html, "report: no key for N of M")
        ok_uids = {r["uid"] for r in rows(case, "ssl") if r.get("decryption") == "decrypted"}
        check(len(ok_uids) == 2, "two sessions decrypted")
        check(all(h["uid"] in ok_uids for h in rows(case, "http")), "no rows from keyless sessions")
        check(all(f["uid"] in ok_uids for f in rows(case, "files")), "no files from keyless sessions")
        # the two decrypted ones give exactly their files
        crs = {ln.split()[1] for ln in secrets[:2]}
        want = collections.Counter()
        for s in TRUTH["sessions"]:
            if s["capture"] == "tls12" and s["client_random"] in crs:
                for p in s["paths"]:
                    f = TRUTH["files"][p]
                    want[(p, f["sha256"])] += 1
        got, _ = carved(case, ["tls12"])
        check(got == want, f"cut key log files: {got} != {want}")

        # one TLS 1.3 session's application secrets wrong: nothing of it comes out
        lines = open(os.path.join(REC, "tls13.keys")).read().splitlines(True)
        victim = TRUTH["sessions"][0]["client_random"]
        bad = []
        for ln in lines:
            f = ln.split()
            if len(f) == 3 and f[1] == victim and f[0].endswith("TRAFFIC_SECRET_0"):
                flipped = ("0" if f[2][0] != "0" else "1") + f[2][1:]
                ln = f"{f[0]} {f[1]} {flipped}\n"
            bad.append(ln)
        wrong = os.path.join(tmp, "wrong.keys")
        open(wrong, "w").write("".join(bad))
        case = os.path.join(tmp, "wrong")
        analyze(case, ["tls13"], [wrong])
        td = json.load(open(os.path.join(case, "case.json")))["tls_decryption"]
        n = sum(s["capture"] == "tls13" for s in TRUTH["sessions"])
        check(td["sessions"] == n and td["no_key"] == 0 and td["rejected_records"] > 0,
              f"wrong key: {td}")
        ssl = rows(case, "ssl")
        victims = [r for r in ssl if r.get("rejected_records")]
        check(len(victims) == 1, f"one session with rejected records: {victims}")
        vuid = victims[0]["uid"] if victims else None
        check(not any(h["uid"] == vuid for h in rows(case, "http")), "no rows from the wrong-key session")
        check(not any(f["uid"] == vuid for f in rows(case, "files")), "no files from the wrong-key session")
        want = want_files(["tls13"])
        for p in TRUTH["sessions"][0]["paths"]:
            f = TRUTH["files"][p]
            want[(p, f["sha256"])] -= 1
        got, _ = carved(case, ["tls13"])
        check(got == +want, f"wrong key: other sessions' files {got} != {+want}")


def without_keys():
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "plain")
        analyze(case, TLS_CAPTURES, [])
        n = sum(s["capture"] in TLS_CAPTURES for s in TRUTH["sessions"])
        ssl = rows(case, "ssl")
        check(len(ssl) == n, f"without keys: {len(ssl)} ssl rows, want {n}")
        check(not any("decryption" in r for r in ssl), "without keys: no decryption field")
        check(rows(case, "http") == [] and rows(case, "files") == [], "without keys: no HTTP, no files")
        cj = json.load(open(os.path.join(case, "case.json")))
        check("keylogs" not in cj and "tls_decryption" not in cj, "without keys: case.json unchanged")
        check(not os.path.exists(os.path.join(case, "keylogs")), "without keys: no keylogs/")


def doh():
    """DoH (POST and GET, over h2 and HTTP/1.1, inside TLS) gives dns.ndjson rows."""
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "doh")
        analyze(case, ["doh"], [os.path.join(REC, "doh.keys")])
        dns = rows(case, "dns")
        check(all(r.get("transport") == "doh" and r["proto"] == "tcp" for r in dns), "DoH rows marked")
        got = collections.Counter((r["query"], r["qtype"], len(r.get("answers", []))) for r in dns)
        want = collections.Counter((d["qname"], d["qtype"], int(d["response_hex"][12:16], 16))
                                   for d in TRUTH["doh"])
        check(got == want, f"DoH exchanges: missing {want - got}, unexpected {got - want}")
        hosts = {h["ip"]: h for h in rows(case, "hosts")}
        check("doh-target.test" in hosts.get("127.0.0.1", {}).get("names", []),
              "DoH answers feed passive DNS")
        analyze(os.path.join(tmp, "plain"), ["doh"], [])
        check(rows(os.path.join(tmp, "plain"), "dns") == [], "no DoH rows without the key log")


def unreadable_keylog():
    with tempfile.TemporaryDirectory() as tmp:
        missing = os.path.join(tmp, "nope.keys")
        r = subprocess.run([PCAPCASE, "analyze", "-q", "-o", os.path.join(tmp, "c"), "--keylog",
                            missing, os.path.join(REC, "tls13.pcap")], capture_output=True, text=True)
        check(r.returncode == 3, f"unreadable key log: exit {r.returncode}")
        check(r.stderr.strip().count("\n") == 0 and missing in r.stderr and "key log" in r.stderr,
              f"unreadable key log: one line naming it, got {r.stderr!r}")


def main():
    with_keys()
    cut_and_wrong_keys()
    without_keys()
    doh()
    unreadable_keylog()
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("test_https_decrypted: all checks passed")


if __name__ == "__main__":
    main()
