"""HTTP Basic logins with the server's verdict, in clear and inside TLS
(tests/lab/files/http_basic.pcap, record_http_basic.sh, key log
http_basic.keys, truth http_basic.json): curl against basic_http_server.py,
alice over HTTP with 11 wrong passwords then hers, bob over HTTPS with a
wrong password then his.  Checked here:

  - credentials.ndjson has every login, in order, with the password sent
    and `outcome` from the answer (401 rejected, else accepted): before
    2026-12-01 an HTTP Basic login had no outcome, so a brute force over
    Basic authentication raised no password_guessing finding;
  - bob's logins are there only with the key log, `decrypted`, and make no
    cleartext_credentials finding (before 2026-12-01 a Basic login read
    inside TLS was taken for one sent in clear: a false finding);
  - alice's 11 refusals (with bob's one, 12 within the hour) raise a high
    password_guessing finding naming her accepted login's frame;
  - tshark (when installed, with the key log) reads the same user:password
    at the same frames, and the same statuses.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows
import keylog_case

LAB = os.path.join(LAB, "files")
PCAP = os.path.join(LAB, "http_basic.pcap")
KEYS = os.path.join(LAB, "http_basic.keys")
TRUTH = json.load(open(os.path.join(LAB, "http_basic.json")))


def sent(part):
    t = TRUTH[part]
    return [(t["user"], p, "rejected") for p in t["wrong"]] + [(t["user"], t["password"],
                                                               "accepted")]


def tshark_logins():
    r = subprocess.run(["tshark", "-n", "-r", PCAP, "-o", "tls.keylog_file:" + KEYS, "-Y",
                        "http.authbasic || http.response.code", "-T", "fields", "-e",
                        "frame.number", "-e", "http.authbasic", "-e", "http.response.code"],
                       capture_output=True, text=True, check=True)
    logins, verdict = [], {}
    for line in r.stdout.splitlines():
        num, auth, code = (line.split("\t") + ["", ""])[:3]
        if auth:
            logins.append([int(num), auth, None])
        elif code and logins and logins[-1][2] is None:
            logins[-1][2] = "rejected" if code == "401" else "accepted"
    return [tuple(x) for x in logins]


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "plain")
        keylog_case.analyze(PCAP, plain)
        got = [(c["username"], c.get("secret"), c.get("outcome"), c.get("decrypted"))
               for c in rows(plain, "credentials")]
        check(got == [x + (None,) for x in sent("http")],
              f"without keys: alice's 12 logins with their verdicts: {got}")
        case = os.path.join(tmp, "keys")
        keylog_case.analyze(PCAP, case, KEYS)
        creds = rows(case, "credentials")
        got = [(c["username"], c.get("secret"), c.get("outcome"), c.get("decrypted"))
               for c in creds]
        want = [x + (None,) for x in sent("http")] + [x + (True,) for x in sent("https")]
        check(got == want, f"with the key log: bob's two logins too, decrypted: {got}")
        findings = rows(case, "findings")
        clear = [f["summary"] for f in findings if f["type"] == "cleartext_credentials"]
        check(len(clear) == 1 and '"alice"' in clear[0],
              f"one cleartext finding, alice's (bob's went inside TLS): {clear}")
        guess = [f for f in findings if f["type"] == "password_guessing"]
        accepted = [c["frame"] for c in creds if c["username"] == "alice" and
                    c.get("outcome") == "accepted"]
        check(len(guess) == 1 and guess[0]["severity"] == "high" and
              guess[0]["details"].get("accepted_user") == "alice" and
              [guess[0]["details"].get("accepted_frame")] == accepted and
              guess[0]["details"]["rejected"] == 12,
              f"password guessing over Basic, alice then accepted: "
              f"{[(g['severity'], g['details']) for g in guess]}")
        if shutil.which("tshark"):
            theirs = tshark_logins()
            ours = [(c["frame"], f"{c['username']}:{c.get('secret')}", c.get("outcome"))
                    for c in creds]
            check(theirs == ours, f"tshark reads the same logins and verdicts: {theirs}")
        else:
            print("tshark not installed: its check is skipped")
    return result("ok: HTTP Basic logins with verdicts, in clear and inside TLS")


if __name__ == "__main__":
    sys.exit(main())
