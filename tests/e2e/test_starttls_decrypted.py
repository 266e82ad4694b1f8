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
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PCAPCASE = os.environ.get("PCAPCASE", os.path.join(SOURCE, "build", "pcapcase"))
LAB = os.path.join(SOURCE, "tests", "lab", "files")
PCAP = os.path.join(LAB, "starttls.pcap")
KEYS = os.path.join(LAB, "starttls.keys")
TRUTH = json.load(open(os.path.join(LAB, "starttls.json")))
PARTS = json.load(open(os.path.join(LAB, "truth.json")))["messages"][TRUTH["message"]]
PORTS = {25: "smtp", 110: "pop3", 143: "imap"}
MECHANISM = {"smtp": "AUTH PLAIN", "pop3": "USER/PASS", "imap": "LOGIN"}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def analyze(case, keylog=None, jobs=1):
    args = [PCAPCASE, "analyze", "-q", "-j", str(jobs), "-o", case]
    if keylog:
        args += ["--keylog", keylog]
    r = subprocess.run(args + [PCAP], capture_output=True, text=True)
    check(r.returncode == 0, f"analyze (keylog {keylog}, -j {jobs}) exit {r.returncode}: {r.stderr}")


def rows(case, log):
    path = os.path.join(case, "logs", log + ".ndjson")
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


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


def tshark_agrees(case):
    if not shutil.which("tshark"):
        print("tshark not installed: its check is skipped")
        return
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["tshark", "-o", f"tls.keylog_file:{KEYS}", "-r", PCAP, "-q",
                        "--export-objects", f"imf,{d}"], capture_output=True, check=True)
        objs = [open(os.path.join(d, n), "rb").read() for n in sorted(os.listdir(d))]
    msgs = [f for f in rows(case, "files") if f.get("declared_mime_type") == "message/rfc822"]
    ours = {open(os.path.join(case, "artifacts", f["sha256"]), "rb").read() for f in msgs}
    # the SMTP message had stuffed lines: kept as sent too, as tshark exports it
    as_sent = {open(os.path.join(case, f["encoded_extracted"]), "rb").read()
               for f in msgs if f.get("encoded_extracted")}
    check(len(objs) >= 2, f"tshark exports the SMTP and IMAP messages: {len(objs)} objects")
    for o in objs:
        check(o in ours or o in as_sent,
              f"tshark's IMF object ({len(o)} bytes) is our .eml or our message as sent")
    check(any(o in as_sent for o in objs), "the SMTP message as sent (dot-stuffed) is tshark's")


def main():
    if not os.path.exists(PCAPCASE):
        print("no pcapcase binary", PCAPCASE)
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, "j1")
        analyze(full, KEYS, 1)
        check_decrypted(full)
        for j in (2, 3):
            other = os.path.join(tmp, f"j{j}")
            analyze(other, KEYS, j)
            for log in sorted(os.listdir(os.path.join(full, "logs"))):
                a = open(os.path.join(full, "logs", log), "rb").read()
                b = open(os.path.join(other, "logs", log), "rb").read()
                check(a == b, f"logs/{log}: --jobs {j} gives the same bytes as --jobs 1")
        tshark_agrees(full)
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
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("ok: STARTTLS SMTP, POP3 and IMAP decrypted and carved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
