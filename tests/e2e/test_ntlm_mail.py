"""NTLM logins in the mail protocols (tests/lab/files/ntlm_mail.pcap,
record_ntlm_mail.sh): curl against the lab's mail servers, in clear, with
SMTP AUTH NTLM (a wrong password, refused; then the right one and a
message sent), POP3 AUTH NTLM + RETR 1 and IMAP AUTHENTICATE NTLM + FETCH.
Each answer is NTLMv2; the servers checked it against the password.
Checked here:

  - credentials.ndjson has the four logins, each NetNTLMv2 with the user,
    domain and workstation the client sent and the server's verdict (before
    2026-12-01 the mail protocols skipped NTLM: no row at all);
  - each secret is a hashcat mode 5600 line that NTLMv2's proof confirms
    for the recorded password (MD4 and HMAC-MD5 computed here,
    tests/lab/files/ntlm_lab.py) — and the refused login's line confirms
    the wrong password it was sent with, not the right one;
  - the server challenge in every line is the one the servers sent;
  - the messages are carved (SMTP, POP3 and IMAP, the SHA-256 of the
    message); the report does not show the hashcat lines; --jobs 2 gives
    the same logs.
tshark 4.0 does not read NTLMSSP inside these protocols, so the proof is
the oracle.
"""
import json
import os
import sys

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
sys.path.insert(0, LAB)
import ntlm_lab  # noqa: E402

PCAP = os.path.join(LAB, "ntlm_mail.pcap")
TRUTH = json.load(open(os.path.join(LAB, "ntlm_mail.json")))


def main():
    if not have_binary():
        return 77
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "j1")
        keylog_case.analyze(PCAP, case, None, 1)
        creds = rows(case, "credentials")
        check(len(creds) == len(TRUTH["logins"]), f"four NTLM logins: {len(creds)}")
        for c, want in zip(creds, TRUTH["logins"]):
            what = f"{want['proto']} {want['user']} ({want['outcome']})"
            check(c.get("proto") == want["proto"] and c.get("mechanism") == "NetNTLMv2" and
                  c.get("username") == want["user"] and c.get("domain") == want.get("domain")
                  and c.get("host") == "WORKSTATION" and c.get("hashed") is True and
                  c.get("outcome") == want["outcome"], f"{what}: {c}")
            line = c.get("secret") or ""
            fields = line.split(":")
            check(len(fields) == 6 and fields[3] == TRUTH["server_challenge"],
                  f"{what}: a hashcat 5600 line with the server's challenge: {line[:60]}")
            if len(fields) != 6:
                continue
            check(ntlm_lab.proves_only(line, want["password"],
                                       [w["password"] for w in TRUTH["logins"]]),
                  f"{what}: NTLMv2's proof confirms the password sent, and no other")
        carved = {(f.get("source"), f.get("sha256")) for f in rows(case, "files")}
        for source in ("SMTP", "POP3", "IMAP"):
            check((source, TRUTH["message_sha256"]) in carved, f"the {source} message is carved")
        page = open(os.path.join(case, "report.html"), encoding="utf-8").read()
        check(not any(c.get("secret") and c["secret"].split(":")[4] in page for c in creds),
              "report.html does not show the hashcat lines")
        other = os.path.join(tmp, "j2")
        keylog_case.analyze(PCAP, other, None, 2)
        same_logs(case, other, "--jobs 2 (against --jobs 1)")
    return result("ok: NTLM logins in SMTP, POP3 and IMAP as hashcat lines")


if __name__ == "__main__":
    sys.exit(main())
