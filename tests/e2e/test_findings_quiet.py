"""The detectors stay quiet on ordinary traffic: every HTTP, DNS, TLS and FTP
trace of Zeek's suite analysed as one case (about 180 captures) raises no
beaconing, scan, exfiltration or DNS-tunnel finding, and only a handful of
certificate and credential findings, each of which is true of its trace
(self-signed and expired test certificates, HTTP Basic logins).  The planted
events of the project's own recordings are found: test_sample_truth.py."""
import collections
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

NOISY = {"beaconing", "port_scan", "host_sweep", "exfiltration", "dns_tunnel", "nxdomain_burst",
         "tls_rare_ja3"}


def main():
    z.require_corpus("findings_quiet")
    c = z.Checker("findings_quiet")
    folders = [os.path.join(z.CORPUS, "zeek-traces", d) for d in ("http", "dns", "tls", "ftp")]
    with tempfile.TemporaryDirectory() as out:
        rc, err = z.analyze(folders, out, extra=("--no-carve",))
        c.check(rc in (0, 1), f"exit status {rc}")
        findings = z.read_ndjson(os.path.join(out, "logs", "findings.ndjson"))
        case = json.load(open(os.path.join(out, "case.json")))
    c.check(case["totals"]["captures"] > 150, "the whole set was analysed")
    kinds = collections.Counter(f["type"] for f in findings)
    print("findings on the corpus:", dict(kinds))
    for k in NOISY:
        c.eq(kinds.get(k, 0), 0, f"no {k} finding on ordinary traffic")
    # every FTP test trace logs in (mostly "anonymous"): one finding per login is
    # the truth there; the rest must stay few
    others = [f for f in findings if f["type"] != "cleartext_credentials"]
    c.check(len(others) <= 10, f"{len(others)} findings besides credentials: a flood")
    creds = [f for f in findings if f["type"] == "cleartext_credentials"]
    c.check(len(creds) <= 15, f"{len(creds)} credential findings: not grouped per login")
    for f in findings:
        c.check(f["evidence"] and f["evidence"][0]["frames"], f"{f['id']} has evidence frames")
        if f["type"] == "cleartext_credentials":
            c.check("password present, not shown" in f["summary"] or "empty" in f["summary"],
                    "passwords are never shown")
    c.done()


if __name__ == "__main__":
    main()
