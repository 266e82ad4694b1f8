#!/usr/bin/env python3
"""content.py — the files and messages the files-beyond-HTTP recordings
transfer, made deterministically (seeded), and their truth.

    content.py WORKDIR      writes WORKDIR/{ftp,smb,tftp,mail}/... and
                            WORKDIR/content.json (name -> sha256, size)

The truth the tests assert comes from here: SHA-256 of every file as it
was on the server or client before it crossed the wire, the decoded MIME
parts of each message, and the credentials the clients used.
"""
import email.message
import email.policy
import hashlib
import json
import os
import random
import sys

CREDS = {
    "ftp": ("alice", "ftp-Secret-1"),
    "smtp": ("mailer", "smtp Secret 2"),
    "pop3": ("bob", "pop-Secret-3"),
    "imap": ("bob", "pop-Secret-3"),
    "smb": ("carol", "smb-Secret-4"),
}


def blob(seed, n):
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


def text(seed, lines):
    r = random.Random(seed)
    words = ["evidence", "packet", "frame", "route", "ledger", "quarterly", "budget", "ünïcode",
             "=equals", "tab\there", ". leading dot", "trailing space "]
    return "".join(" ".join(r.choice(words) for _ in range(r.randint(3, 12))) + "\n"
                   for _ in range(lines))


def message1():
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    m["From"] = "Mallory Exfil <mallory@example.org>"
    m["To"] = "Drop Box <dropbox@example.net>, other@example.net"
    m["Cc"] = "audit@example.org"
    m["Subject"] = "Quartalszahlen für März — vertraulich"
    m["Date"] = "Tue, 03 Mar 2026 10:15:00 +0100"
    m["Message-ID"] = "<lab-msg-1@example.org>"
    m["User-Agent"] = "pcapcase-lab/1"
    m.set_content(text(11, 20), cte="quoted-printable")
    m.add_alternative("<html><body><p>See the attachment. Grüße</p></body></html>\n", subtype="html")
    m.make_mixed()
    m.add_attachment(blob(12, 6000), maintype="application", subtype="pdf",
                     filename="Rechnung März.pdf")
    m.add_attachment(text(13, 30).encode(), maintype="text", subtype="csv",
                     filename="ledger.csv", cte="quoted-printable")
    for i, p in enumerate(q for q in m.walk() if q.is_multipart()):
        p.set_boundary(f"=_lab_boundary_{i}_=")  # Python picks random ones otherwise
    return m


def message2():
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    m["From"] = "ops@example.org"
    m["To"] = "dropbox@example.net"
    m["Subject"] = "plain"
    m["Date"] = "Tue, 03 Mar 2026 10:16:00 +0100"
    m["Message-ID"] = "<lab-msg-2@example.org>"
    m.set_content(".a line that starts with a dot\n..two dots\nend\n", cte="7bit")
    return m


def parts(m):
    """Decoded leaf parts in message order: (media type, filename, bytes)."""
    out = []
    for p in m.walk():
        if p.is_multipart():
            continue
        out.append((p.get_content_type(), p.get_filename(), p.get_payload(decode=True)))
    return out


def putter(work, truth):
    """put(rel, data): writes WORK/rel (its folders made), records its SHA-256
    and size in truth["files"][rel] and returns data."""
    def put(rel, data):
        path = os.path.join(work, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        truth["files"][rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        return data
    return put


def dump_truth(work, truth, ascii_only=False):
    """WORK/content.json: the truth, keys sorted; ascii_only: \\u escapes
    and a final newline (the SMB1 recordings' truth), else UTF-8 as it is."""
    with open(os.path.join(work, "content.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=1, sort_keys=True, ensure_ascii=ascii_only)
        if ascii_only:
            f.write("\n")


def main():
    work = sys.argv[1]
    truth = {"files": {}, "messages": {}, "creds": CREDS}

    put = putter(work, truth)
    put("ftp/pub/report.bin", blob(1, 20000))
    put("ftp/pub/notes.txt", text(2, 60).encode())
    put("ftp/upload.bin", blob(3, 15000))
    put("ftp/append.bin", blob(4, 5000))
    put("ftp/upload+append.bin", blob(3, 15000) + blob(4, 5000))
    put("smb/share/secret.docx", blob(5, 70000))
    put("smb/exfil.zip", blob(6, 40000))
    put("tftp/root/firmware.bin", blob(7, 3000))
    put("tftp/config.txt", text(8, 25).encode())
    for name, m in (("msg1", message1()), ("msg2", message2())):
        raw = m.as_bytes()
        put(f"mail/{name}.eml", raw)
        # the parts as Python's own MIME parser decodes the bytes that are sent
        sent = email.message_from_bytes(raw, policy=email.policy.default)
        truth["messages"][name] = [
            {"media_type": t, "filename": fn, "sha256": hashlib.sha256(b).hexdigest(),
             "size": len(b)} for t, fn, b in parts(sent)]
    dump_truth(work, truth)


if __name__ == "__main__":
    main()
