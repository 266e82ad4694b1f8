"""NTLM and proxy logins over HTTP (tests/lab/files/ntlm_http.pcap,
record_ntlm_http.sh): curl against ntlm_http_server.py, in clear: --ntlm
with a wrong password (401), --ntlm with the right one, --proxy-ntlm
through the "proxy" (407 first), --proxy-basic through it.  The server
checked each NTLMv2 answer and the Basic password.  Checked here:

  - credentials.ndjson has the three NTLM logins, proto http, NetNTLMv2,
    user, domain and workstation, outcome from the status (401/407 refused)
    — the HTTP NTLM parser existed but analyze never used it: no row before
    2026-12-01 — and the Proxy-Authorization Basic login (mechanism "Proxy
    Basic", the password as sent; before, only Authorization was read);
  - each hashcat line's NTLMv2 proof confirms the recorded password
    (tests/lab/files/ntlm_lab.py) and no other, and carries the server's
    challenge from the 401/407 before it;
  - tshark (when installed) reads the same users, domains and NTProofStr;
  - the report does not show the secrets; --jobs 2 gives the same logs.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
sys.path.insert(0, LAB)
import ntlm_lab  # noqa: E402

PCAP = os.path.join(LAB, "ntlm_http.pcap")
TRUTH = json.load(open(os.path.join(LAB, "ntlm_http.json")))


def tshark_agrees(creds):
    if not shutil.which("tshark"):
        print("tshark not installed: its check is skipped")
        return
    out = subprocess.run(["tshark", "-r", PCAP, "-Y", "ntlmssp.messagetype==3", "-T", "fields",
                          "-e", "ntlmssp.auth.username", "-e", "ntlmssp.auth.domain", "-e",
                          "ntlmssp.ntlmv2_response.ntproofstr"],
                         capture_output=True, text=True, check=True)
    theirs = [line.split("\t") for line in out.stdout.splitlines() if line]
    ours = [[c["username"], c.get("domain") or "NULL", c["secret"].split(":")[4]]
            for c in creds if c.get("mechanism") == "NetNTLMv2"]
    check(theirs == ours, f"tshark's NTLM AUTHENTICATEs {theirs} are ours {ours}")


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "j1")
        keylog_case.analyze(PCAP, case, None, 1)
        creds = rows(case, "credentials")
        check(len(creds) == len(TRUTH["logins"]), f"four logins: {len(creds)}")
        for c, want in zip(creds, TRUTH["logins"]):
            what = f"{want['mechanism']} {want['user']}"
            check(c.get("mechanism") == want["mechanism"] and c.get("username") == want["user"]
                  and c.get("domain") == want.get("domain") and
                  c.get("outcome") == want.get("outcome"), f"{what}: {c}")
            if want["mechanism"] == "Proxy Basic":
                check(c.get("proto") == "http-basic" and c.get("secret") == want["password"]
                      and c.get("hashed") is False, f"{what}: the proxy password as sent: {c}")
                continue
            line = c.get("secret") or ""
            fields = line.split(":")
            check(c.get("proto") == "http" and c.get("hashed") is True and
                  c.get("host") == "WORKSTATION" and len(fields) == 6 and
                  fields[3] == TRUTH["server_challenge"], f"{what}: a hashcat 5600 line: {c}")
            if len(fields) == 6:
                check(ntlm_lab.proves_only(line, want["password"],
                                           [w["password"] for w in TRUTH["logins"]]),
                      f"{what}: NTLMv2's proof confirms the password sent, and no other")
        page = open(os.path.join(case, "report.html"), encoding="utf-8").read()
        check(not any(c.get("secret") and c["secret"][-20:] in page for c in creds),
              "report.html does not show the secrets")
        other = os.path.join(tmp, "j2")
        keylog_case.analyze(PCAP, other, None, 2)
        same_logs(case, other, "--jobs 2 (against --jobs 1)")
        tshark_agrees(creds)
    return result("ok: NTLM and proxy logins over HTTP")


if __name__ == "__main__":
    sys.exit(main())
