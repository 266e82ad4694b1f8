"""analyze --keylog on implicit TLS (tests/lab/files/implicit_tls.pcap).

The recording (record_implicit_tls.sh): curl against starttls_servers.py in
implicit mode — SMTPS on 465 (AUTH LOGIN, content.py's msg1 sent, TLS 1.3),
POP3S on 995 (USER/PASS, RETR 1, TLS 1.2), IMAPS on 993 (LOGIN, FETCH 1
BODY[], TLS 1.3) — and against vsftpd with implicit_ssl on 990 (USER/PASS,
PROT P, EPSV RETR of a 20,000-byte file; the data connection a TLS session
of its own); curl's SSLKEYLOGFILE is implicit_tls.keys, the truth
implicit_tls.json.  TLS starts with the first byte: there is no STARTTLS to
follow and no ALPN, so the protocol comes from the server's port (the
analyser table's tls_ports).  Checked here:

  - ssl.ndjson: every session decrypted, the protocol inside named;
  - the message carved whole from each mail session (.eml: the truth's
    SHA-256) with msg1's MIME parts, the FTP file with its name; every row
    decrypted: true; the smtp row (tls and decrypted true, envelope); the
    ftp RETR row with the file's fuid;
  - the four logins in credentials.ndjson, marked decrypted, and no
    cleartext_credentials finding for them (they never crossed the wire in
    clear text); the passwords are not in the report;
  - --jobs 2 gives the same logs; without a key log: TLS rows only;
  - tshark (when installed) with the key log: each IMF object it exports is
    our .eml or our message as sent (the SMTP one keeps its stuffed dots).
"""
import hashlib
import json
import os
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
PCAP = os.path.join(LAB, "implicit_tls.pcap")
KEYS = os.path.join(LAB, "implicit_tls.keys")


def analyze(case, keylog=None, jobs=1):
    keylog_case.analyze(PCAP, case, keylog, jobs)

TRUTH = json.load(open(os.path.join(LAB, "implicit_tls.json")))
SESSIONS = {s["port"]: s for s in TRUTH["sessions"]}
MESSAGES = json.load(open(os.path.join(LAB, "truth.json")))["messages"]





def check_ssl(case):
    ssl = rows(case, "ssl")
    got = {r["id.resp_p"]: (r.get("decryption"), r.get("decrypted_protocol")) for r in ssl}
    for port, s in SESSIONS.items():
        check(got.get(port) == ("decrypted", s["protocol"]),
              f"ssl {port}: decrypted, {s['protocol']} inside: {got.get(port)}")
    data = [p for p in got if p not in SESSIONS]
    check(len(data) == 1 and got[data[0]] == ("decrypted", "ftp-data"),
          f"the FTP data connection decrypted, ftp-data inside: {[got[p] for p in data]}")


def check_mail(case, uid):
    files = rows(case, "files")
    for port, s in SESSIONS.items():
        if s["protocol"] == "ftp":
            continue
        mine = [f for f in files if f["uid"] == uid[port]]
        proto = s["protocol"]
        check(mine and all(f.get("decrypted") is True and f["source"] == proto.upper() for f in mine),
              f"{proto}: files marked decrypted, source {proto.upper()}")
        eml = [f["sha256"] for f in mine if f.get("declared_mime_type") == "message/rfc822"]
        check(eml == [s["sha256"]], f"{proto}: the message carved whole: {eml}")
        got = {(f["sha256"], f.get("filename")) for f in mine}
        for p in MESSAGES[s["message"]]:
            check((p["sha256"], p["filename"]) in got, f"{proto}: MIME part {p['filename']} carved")
        for f in mine:
            art = os.path.join(case, "artifacts", f["sha256"])
            check(os.path.exists(art) and hashlib.sha256(open(art, "rb").read()).hexdigest() == f["sha256"],
                  f"{proto}: artifacts/{f['sha256'][:12]} holds those bytes")
    smtp = rows(case, "smtp")
    check(len(smtp) == 1 and smtp[0]["uid"] == uid[465] and smtp[0]["tls"] is True and
          smtp[0].get("decrypted") is True and smtp[0].get("mailfrom") == "mallory@example.org" and
          smtp[0].get("rcptto") == ["dropbox@example.net"],
          f"smtp: one decrypted transaction, its envelope: {smtp}")


def check_ftp(case, uid):
    s = SESSIONS[990]
    files = [f for f in rows(case, "files") if f["source"] == "FTP"]
    check([(f["sha256"], f["seen_bytes"], f.get("filename"), f.get("decrypted")) for f in files]
          == [(s["sha256"], s["size"], s["name"], True)], f"ftp: the file carved: {files}")
    retr = [r for r in rows(case, "ftp") if r["command"] == "RETR"]
    check(len(retr) == 1 and retr[0]["uid"] == uid[990] and files and
          retr[0].get("fuid") == files[0]["fuid"] and retr[0].get("decrypted") is True and
          retr[0]["arg"].endswith("/" + s["name"]),
          f"ftp: the RETR row names the file: {retr}")


def check_logins(case, uid):
    creds = {c["uid"]: c for c in rows(case, "credentials")}
    for port, s in SESSIONS.items():
        c = creds.get(uid[port], {})
        check((c.get("proto"), c.get("username"), c.get("mechanism"), c.get("secret"),
               c.get("outcome"), c.get("decrypted"))
              == (s["protocol"], s["user"], s["mechanism"], s["password"], "accepted", True),
              f"{s['protocol']}: the login, marked decrypted: {c}")
    found = [f["type"] for f in rows(case, "findings")]
    check("cleartext_credentials" not in found,
          f"no cleartext_credentials finding for logins inside TLS: {found}")
    html = open(os.path.join(case, "report.html"), encoding="utf-8").read()
    for s in SESSIONS.values():
        check(s["password"] not in html, f"{s['protocol']}: the password is not in the report")
    check("inside TLS, decrypted" in html, "the report says the logins were inside TLS")


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "keys")
        analyze(case, KEYS)
        uid = {r["id.resp_p"]: r["uid"] for r in rows(case, "ssl")}
        check_ssl(case)
        check_mail(case, uid)
        check_ftp(case, uid)
        check_logins(case, uid)
        keylog_case.tshark_imf_agrees(case, PCAP, KEYS)
        other = os.path.join(tmp, "j2")
        analyze(other, KEYS, 2)
        same_logs(case, other, "--jobs 2")
        case = os.path.join(tmp, "nokeys")
        analyze(case)
        check(not rows(case, "files") and not rows(case, "credentials") and
              not rows(case, "smtp") and not rows(case, "ftp"),
              "without keys: no file, login, smtp or ftp row")
        check(len(rows(case, "ssl")) == 5, "without keys: five ssl rows")
    return result()


if __name__ == "__main__":
    sys.exit(main())
