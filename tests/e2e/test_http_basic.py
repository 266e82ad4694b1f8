"""HTTP Basic and HTML form logins, in clear and inside TLS
(tests/lab/files/http_basic.pcap, record_http_basic.sh, key log
http_basic.keys, truth http_basic.json): curl against basic_http_server.py,
alice over HTTP with 11 wrong passwords then hers, bob over HTTPS with a
wrong password then his (Basic); then login forms posted, alice's twice
over HTTP, bob's over HTTPS with a password that needs %-encoding, and a
search form (no password field).  Checked here:

  - credentials.ndjson has every login, in order, with the password sent
    and `outcome` from the answer (401 rejected, else accepted): before
    2026-12-01 an HTTP Basic login had no outcome, so a brute force over
    Basic authentication raised no password_guessing finding;
  - bob's logins are there only with the key log, `decrypted`, and make no
    cleartext_credentials finding (before 2026-12-01 a Basic login read
    inside TLS was taken for one sent in clear: a false finding);
  - alice's 11 refusals (with bob's one, 12 within the hour) raise a high
    password_guessing finding naming her accepted login's frame;
  - each login form is a row (proto http-form, mechanism Form POST, the
    password %-decoded, no outcome: a form's answer does not say), the
    search form none; before 2026-12-01 the form parser existed but no form
    login was ever reported;
  - tshark (when installed, with the key log) reads the same user:password
    at the same frames, and the same statuses, and the same form fields.
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


def tshark_forms():
    """(frame, user, password) of each form tshark decodes with a password field."""
    r = subprocess.run(["tshark", "-n", "-r", PCAP, "-o", "tls.keylog_file:" + KEYS, "-Y",
                        "urlencoded-form", "-T", "fields", "-E", "separator=|", "-E",
                        "aggregator=\x01", "-e", "frame.number", "-e", "urlencoded-form.key",
                        "-e", "urlencoded-form.value"], capture_output=True, text=True,
                       check=True)
    out = []
    for line in r.stdout.splitlines():
        num, keys, values = line.split("|")
        form = dict(zip(keys.split("\x01"), values.split("\x01")))
        password = form.get("password", form.get("pass"))
        if password is not None:
            out.append((int(num), form.get("username", form.get("user")), password))
    return out


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "plain")
        keylog_case.analyze(PCAP, plain)
        got = [(c["username"], c.get("secret"), c.get("outcome"), c.get("decrypted"))
               for c in rows(plain, "credentials") if c["proto"] == "http-basic"]
        check(got == [x + (None,) for x in sent("http")],
              f"without keys: alice's 12 logins with their verdicts: {got}")
        forms = [(c["username"], c.get("secret")) for c in rows(plain, "credentials")
                 if c["proto"] == "http-form"]
        check(forms == [(f["user"], f["password"]) for f in TRUTH["forms"] if not f["tls"]],
              f"without keys: alice's two forms: {forms}")
        case = os.path.join(tmp, "keys")
        keylog_case.analyze(PCAP, case, KEYS)
        allcreds = rows(case, "credentials")
        creds = [c for c in allcreds if c["proto"] == "http-basic"]
        got = [(c["username"], c.get("secret"), c.get("outcome"), c.get("decrypted"))
               for c in creds]
        want = [x + (None,) for x in sent("http")] + [x + (True,) for x in sent("https")]
        check(got == want, f"with the key log: bob's two logins too, decrypted: {got}")
        forms = [c for c in allcreds if c["proto"] == "http-form"]
        got = [(c["username"], c.get("secret"), c.get("mechanism"), c.get("outcome"),
                c.get("decrypted")) for c in forms]
        want = [(f["user"], f["password"], "Form POST", None, True if f["tls"] else None)
                for f in TRUTH["forms"]]
        check(got == want, f"with the key log: the three login forms, bob's decrypted: {got}")
        findings = rows(case, "findings")
        clear = sorted(f["summary"].split(" credentials")[0] for f in findings
                       if f["type"] == "cleartext_credentials")
        check(clear == ["127.0.0.1 sent http-basic", "127.0.0.1 sent http-form"] and
              not any('"bob"' in f["summary"] for f in findings
                      if f["type"] == "cleartext_credentials"),
              f"cleartext findings for alice's Basic and form logins, none for bob's (inside "
              f"TLS): {clear}")
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
            theirs = tshark_forms()
            ours = [(c["frame"], c["username"], c.get("secret")) for c in forms]
            check(theirs == ours, f"tshark reads the same form fields at the same frames: "
                                  f"{theirs}")
        else:
            print("tshark not installed: its check is skipped")
    return result("ok: HTTP Basic logins with verdicts, in clear and inside TLS")


if __name__ == "__main__":
    sys.exit(main())
