"""analyze --keylog on POP3 sessions that log in with APOP after STLS
(tests/lab/files/apop_stls.pcap, record_apop_stls.sh).

The server's greeting carries the APOP challenge in clear; the client then
switches to TLS (STLS) and sends APOP inside it, the digest being
MD5(challenge + password) with the challenge from before the switch (no
greeting follows the handshake, RFC 2595 4).  Two sessions: a wrong
password (refused), then the right one and RETR 1.  Checked here:

  - credentials.ndjson has both logins, decrypted, with their outcome, and
    a secret an examiner can test passwords against: the challenge from the
    plain-text greeting, then the digest (before, the challenge was lost at
    the switch and the secret was the digest alone);
  - MD5(challenge + the recorded password) is the accepted login's digest,
    and not the refused one's;
  - tshark (when installed), given the key log, reads the same user and
    digests from the decrypted APOP commands, and the same challenge from
    the greetings;
  - the message RETR 1 fetched is carved (SHA-256 of the message served);
  - the report does not show the digests; --jobs 2 gives the same logs.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
PCAP = os.path.join(LAB, "apop_stls.pcap")
KEYS = os.path.join(LAB, "apop_stls.keys")
TRUTH = json.load(open(os.path.join(LAB, "apop_stls.json")))
PASSWORD = "apop-tls-8"  # record_apop_stls.sh's


def tshark_agrees(creds):
    if not shutil.which("tshark"):
        print("tshark not installed: its check is skipped")
        return
    out = subprocess.run(["tshark", "-o", f"tls.keylog_file:{KEYS}", "-r", PCAP, "-Y",
                          'pop.request.command == "APOP"', "-T", "fields", "-e",
                          "pop.request.parameter"], capture_output=True, text=True, check=True)
    theirs = [line.split() for line in out.stdout.splitlines() if line]
    ours = [[c["username"], c["secret"].split(" ")[-1]] for c in creds]
    check(theirs == ours, f"tshark's decrypted APOP commands {theirs} are ours {ours}")
    out = subprocess.run(["tshark", "-r", PCAP, "-Y", "pop.response.indicator", "-T", "fields",
                          "-e", "pop.response.description"], capture_output=True, text=True,
                         check=True)
    greetings = [line for line in out.stdout.splitlines() if "ready" in line]
    check(len(greetings) == 2 and all(g.endswith(" " + TRUTH["challenge"]) for g in greetings),
          f"tshark: both greetings (in clear) carry the challenge: {greetings}")


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "j1")
        keylog_case.analyze(PCAP, case, KEYS, 1)
        creds = rows(case, "credentials")
        check(len(creds) == 2, f"two APOP logins: {len(creds)}")
        for c, want in zip(creds, TRUTH["logins"]):
            check(c.get("proto") == "pop3" and c.get("mechanism") == "APOP" and
                  c.get("username") == TRUTH["user"] and c.get("decrypted") is True and
                  c.get("hashed") is True and c.get("outcome") == want["outcome"],
                  f"APOP login {want['outcome']}: {c}")
            check(c.get("secret") == TRUTH["challenge"] + " " + want["digest"],
                  f"secret is the plain-text greeting's challenge and the digest: "
                  f"{c.get('secret')!r}")
        accepted = [c for c in creds if c.get("outcome") == "accepted"]
        refused = [c for c in creds if c.get("outcome") == "rejected"]
        if accepted and refused:
            challenge, digest = accepted[0]["secret"].rsplit(" ", 1)
            check(hashlib.md5((challenge + PASSWORD).encode()).hexdigest() == digest,
                  "MD5(challenge + password) is the accepted digest: the password can be tested")
            challenge, digest = refused[0]["secret"].rsplit(" ", 1)
            check(hashlib.md5((challenge + PASSWORD).encode()).hexdigest() != digest,
                  "the refused login's digest is not the password's")
        files = rows(case, "files")
        check(any(f.get("sha256") == TRUTH["message_sha256"] and f.get("source") == "POP3" and
                  f.get("decrypted") is True for f in files),
              "the message RETR 1 fetched inside TLS is carved")
        page = open(os.path.join(case, "report.html"), encoding="utf-8").read()
        check(all(w["digest"] not in page for w in TRUTH["logins"]),
              "report.html does not show the digests")
        other = os.path.join(tmp, "j2")
        keylog_case.analyze(PCAP, other, KEYS, 2)
        same_logs(case, other, "--jobs 2 (against --jobs 1)")
        tshark_agrees(creds)
    return result("ok: APOP after STLS keeps the greeting's challenge")


if __name__ == "__main__":
    sys.exit(main())
