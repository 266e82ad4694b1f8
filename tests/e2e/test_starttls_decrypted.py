"""analyze --keylog on STARTTLS mail sessions (tests/lab/files/starttls.pcap).

The recording (record_starttls.sh): curl --ssl-reqd against our own SMTP,
POP3 and IMAP servers, each session switched to TLS 1.3 first (STARTTLS,
STLS), with curl's SSLKEYLOGFILE kept as starttls.keys.  The truth
(starttls.json, truth.json) is the SHA-256 of the message sent and
retrieved (content.py's msg1, a multipart with a PDF and a CSV attached),
of its MIME parts, and the logins used.  Checked here:

  - with the key log the plaintext after the switch is read by the same
    mail analyser: the message is carved whole (.eml) from the SMTP DATA,
    the POP3 RETR and the IMAP FETCH, each MIME part too, every row with
    the connection's uid and decrypted: true; the logins (AUTH PLAIN,
    USER/PASS, LOGIN) are in credentials.ndjson with their outcome, and the
    report does not show the passwords;
  - smtp.ndjson: the row Zeek writes for the STARTTLS itself (tls true,
    last_reply 220), then one per decrypted transaction (tls and decrypted
    true, envelope, headers, fuids);
  - ssl.ndjson says decrypted and names the protocol inside;
  - --jobs 1, 2 and 3 give the same logs;
  - a key log with only the POP3 session's keys: that one is read, the
    other two say no_key and give no file, row or login;
  - without a key log: the STARTTLS row and TLS rows only;
  - tshark (when installed) exports the same messages: each of its IMF
    objects is our .eml, or our message as sent (tshark keeps SMTP's
    stuffed dots, and so does our encoded_extracted; docs/differences.md).
"""
import hashlib
import json
import os
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
PCAP = os.path.join(LAB, "starttls.pcap")
KEYS = os.path.join(LAB, "starttls.keys")


def analyze(case, keylog=None, jobs=1):
    keylog_case.analyze(PCAP, case, keylog, jobs)

TRUTH = json.load(open(os.path.join(LAB, "starttls.json")))
PARTS = json.load(open(os.path.join(LAB, "truth.json")))["messages"][TRUTH["message"]]
PORTS = {25: "smtp", 110: "pop3", 143: "imap"}
MECHANISM = {"smtp": "AUTH PLAIN", "pop3": "USER/PASS", "imap": "LOGIN"}





def uids(case):
    """protocol -> uid, from the ssl rows (one per session)."""
    return {PORTS[r["id.resp_p"]]: r["uid"] for r in rows(case, "ssl")}


def check_decrypted(case, only=None):
    """Everything the sessions in only (all when None) must give, and
    nothing from the others."""
    want = set(PORTS.values()) if only is None else set(only)
    uid = uids(case)
    check(len(uid) == 3, f"three ssl rows: {sorted(uid)}")
    for r in rows(case, "ssl"):
        proto = PORTS[r["id.resp_p"]]
        if proto in want:
            check(r.get("decryption") == "decrypted" and r.get("decrypted_protocol") == proto,
                  f"{proto}: ssl row decrypted, protocol {proto}: {r.get('decryption')} "
                  f"{r.get('decrypted_protocol')}")
        else:
            check(r.get("decryption") == "no_key" and "decrypted_protocol" not in r,
                  f"{proto}: ssl row says no_key: {r.get('decryption')}")
    files = rows(case, "files")
    for proto in PORTS.values():
        mine = [f for f in files if f["uid"] == uid.get(proto)]
        if proto not in want:
            check(not mine, f"{proto}: no files without its keys")
            continue
        check(all(f.get("decrypted") is True and f["source"] == proto.upper() for f in mine),
              f"{proto}: files marked decrypted, source {proto.upper()}")
        eml = [f for f in mine if f.get("declared_mime_type") == "message/rfc822"]
        check([f.get("sha256") for f in eml] == [TRUTH["message_sha256"]],
              f"{proto}: the .eml carved equals the message sent: {[f.get('sha256') for f in eml]}")
        got = {(f.get("sha256"), f.get("filename")) for f in mine}
        for p in PARTS:
            check((p["sha256"], p["filename"]) in got,
                  f"{proto}: MIME part {p['media_type']} {p['filename']} carved")
        for f in mine:
            art = os.path.join(case, "artifacts", f["sha256"])
            check(os.path.exists(art) and
                  hashlib.sha256(open(art, "rb").read()).hexdigest() == f["sha256"],
                  f"{proto}: artifacts/{f['sha256']} holds those bytes")
    creds = rows(case, "credentials")
    for proto in PORTS.values():
        mine = [c for c in creds if c["uid"] == uid.get(proto)]
        user, password = TRUTH["creds"][proto]
        if proto not in want:
            check(not mine, f"{proto}: no login without its keys")
            continue
        check([(c["proto"], c["username"], c.get("mechanism"), c.get("secret"), c.get("outcome"))
               for c in mine] == [(proto, user, MECHANISM[proto], password, "accepted")],
              f"{proto}: the login in credentials.ndjson: {mine}")
    check(all(c.get("decrypted") is True for c in creds), "logins read inside TLS are marked decrypted")
    found = [f["type"] for f in rows(case, "findings")]
    check("cleartext_credentials" not in found,
          f"logins inside TLS are no cleartext_credentials finding: {found}")
    html = open(os.path.join(case, "report.html"), encoding="utf-8").read()
    for proto in want:
        user, password = TRUTH["creds"][proto]
        check(password not in html, f"{proto}: the password is not in the report")
        check(user in html, f"{proto}: the user name is in the report")
    smtp = rows(case, "smtp")
    check(len(smtp) == (2 if "smtp" in want else 1), f"smtp rows: {len(smtp)}")
    check(smtp and smtp[0]["tls"] is True and smtp[0]["last_reply"].startswith("220 ") and
          "decrypted" not in smtp[0] and "mailfrom" not in smtp[0],
          f"smtp: the STARTTLS row as Zeek writes it: {smtp[:1]}")
    if "smtp" in want and len(smtp) == 2:
        r, eml = smtp[1], [f for f in files if f.get("declared_mime_type") == "message/rfc822"
                           and f["uid"] == uid["smtp"]]
        check(r["uid"] == uid["smtp"] and r["tls"] is True and r.get("decrypted") is True,
              "smtp: the decrypted transaction's row: uid, tls, decrypted")
        check((r.get("helo"), r.get("mailfrom"), r.get("rcptto"), r.get("msg_id"), r.get("trans_depth"))
              == ("lab.example", "mallory@example.org", ["dropbox@example.net"],
                  "<lab-msg-1@example.org>", 1), f"smtp: envelope and header: {r}")
        check(r.get("last_reply") == "250 OK queued as tls-1", f"smtp: last_reply {r.get('last_reply')}")
        check(eml and r.get("message_fuid") == eml[0]["fuid"] and len(r.get("fuids", [])) == len(PARTS),
              "smtp: message_fuid and the parts' fuids")


def keys_of_session(n, out):
    """The lines of the n-th session (in key-log order: smtp, pop3, imap, as recorded)."""
    lines = open(KEYS).read().splitlines()
    randoms = list(dict.fromkeys(line.split()[1] for line in lines))
    with open(out, "w") as f:
        f.write("".join(line + "\n" for line in lines if line.split()[1] == randoms[n]))


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, "j1")
        analyze(full, KEYS, 1)
        check_decrypted(full)
        for j in (2, 3):
            other = os.path.join(tmp, f"j{j}")
            analyze(other, KEYS, j)
            same_logs(full, other, f"--jobs {j} (against --jobs 1)")
        keylog_case.tshark_imf_agrees(full, PCAP, KEYS, smtp_stuffed=True)
        pop_only = os.path.join(tmp, "pop3.keys")
        keys_of_session(1, pop_only)
        case = os.path.join(tmp, "pop3only")
        analyze(case, pop_only)
        check_decrypted(case, only=["pop3"])
        case = os.path.join(tmp, "nokeys")
        analyze(case)
        check(not rows(case, "files") and not rows(case, "credentials"),
              "without keys: no file, no login")
        check(all("decryption" not in r for r in rows(case, "ssl")) and len(rows(case, "ssl")) == 3,
              "without a key log: three ssl rows, nothing said of decryption")
        smtp = rows(case, "smtp")
        check(len(smtp) == 1 and smtp[0]["tls"] is True and "decrypted" not in smtp[0],
              f"without keys: only the STARTTLS row: {smtp}")
    return result("ok: STARTTLS SMTP, POP3 and IMAP decrypted and carved")


if __name__ == "__main__":
    sys.exit(main())
