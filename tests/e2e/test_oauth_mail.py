"""Bearer-token logins in the mail protocols (tests/lab/files/oauth_mail.pcap,
record_oauth_mail.sh): curl against the lab's mail servers, in clear, with
SMTP AUTH XOAUTH2 (a wrong token, refused; then the right one and a message
sent), POP3 AUTH OAUTHBEARER (RFC 7628) + RETR 1 and IMAP AUTHENTICATE
XOAUTH2 with an initial response (SASL-IR) + FETCH; the servers checked
each token.  Checked here:

  - credentials.ndjson has the four logins with the mechanism, the user
    (XOAUTH2's user=, OAUTHBEARER's gs2 authzid) and the server's verdict,
    and the secret "Bearer TOKEN" — the token as sent, which grants what a
    password does (before 2026-12-01 these mechanisms were skipped: no
    row at all);
  - the messages are carved; the report does not show the tokens;
    --jobs 2 gives the same logs.
"""
import json
import os
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
PCAP = os.path.join(LAB, "oauth_mail.pcap")
TRUTH = json.load(open(os.path.join(LAB, "oauth_mail.json")))


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "j1")
        keylog_case.analyze(PCAP, case, None, 1)
        creds = rows(case, "credentials")
        got = [(c.get("proto"), c.get("mechanism"), c.get("username"), c.get("secret"),
                c.get("hashed"), c.get("outcome")) for c in creds]
        want = [(w["proto"], w["mechanism"], w["user"], "Bearer " + w["token"], False,
                 w["outcome"]) for w in TRUTH["logins"]]
        check(got == want, f"the four bearer-token logins: {got}")
        carved = {(f.get("source"), f.get("sha256")) for f in rows(case, "files")}
        for source in ("SMTP", "POP3", "IMAP"):
            check((source, TRUTH["message_sha256"]) in carved, f"the {source} message is carved")
        page = open(os.path.join(case, "report.html"), encoding="utf-8").read()
        check(not any(w["token"] in page for w in TRUTH["logins"]),
              "report.html does not show the tokens")
        other = os.path.join(tmp, "j2")
        keylog_case.analyze(PCAP, other, None, 2)
        same_logs(case, other, "--jobs 2 (against --jobs 1)")
    return result("ok: XOAUTH2 and OAUTHBEARER logins in SMTP, POP3 and IMAP")


if __name__ == "__main__":
    sys.exit(main())
