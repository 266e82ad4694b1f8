#!/usr/bin/env python3
"""content_more.py — the files and messages of the second files-beyond-HTTP
recordings (record_more.sh: features the first recordings lack), made
deterministically, and their truth.

    content_more.py WORKDIR     writes WORKDIR/{ftp,smb,tftp,mail}/... and
                                WORKDIR/content.json (name -> sha256, size)

Reuses content.py's seeded generators; the truth (truth_more.json) is
computed here, before anything crosses the wire.
"""
import email.message
import email.policy
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from content import CREDS, blob, dump_truth, parts, putter, text  # noqa: E402

FTP_REST_OFFSET = 12345     # REST: the resumed RETR starts here
TFTP_BLKSIZE = 1024         # RFC 2348 option asked for by the blksize get


def message(n, body, eight_bit=False):
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    m["From"] = "sender%d@example.org" % n
    m["To"] = "dropbox@example.net"
    m["Subject"] = "lab more %d" % n
    m["Date"] = "Wed, 04 Mar 2026 09:0%d:00 +0100" % n
    m["Message-ID"] = "<lab-more-%d@example.org>" % n
    m.set_content(body, cte="8bit" if eight_bit else "quoted-printable")
    if n == 3:  # a two-part message: FETCH n (BODY[1]) takes the first part
        m.add_attachment(blob(33, 3000), maintype="application", subtype="octet-stream",
                         filename="part2.bin")
        for i, p in enumerate(q for q in m.walk() if q.is_multipart()):
            p.set_boundary(f"=_more_boundary_{i}_=")
    return m


def main():
    work = sys.argv[1]
    truth = {"files": {}, "messages": {}, "creds": CREDS,
             "ftp_rest_offset": FTP_REST_OFFSET, "tftp_blksize": TFTP_BLKSIZE}

    put = putter(work, truth)
    put("smb/share/big.bin", blob(101, 800000))        # 13 READs of 64 KiB
    put("smb/upload.bin", blob(102, 400000))                  # 7 WRITEs
    for i in range(3):                                        # mget / mput
        put(f"smb/share/many/m{i}.dat", blob(110 + i, 5000 + 1000 * i))
        put(f"smb/put/p{i}.dat", blob(120 + i, 3000 + 1000 * i))
    put("smb/gone.bin", blob(103, 9000))                      # put, renamed, deleted
    rep = put("ftp/pub/resume.bin", blob(201, 30000))
    truth["files"]["ftp/pub/resume.bin@rest"] = {
        "sha256": hashlib.sha256(rep[FTP_REST_OFFSET:]).hexdigest(),
        "size": len(rep) - FTP_REST_OFFSET}
    put("ftp/pub/active.bin", blob(202, 18000))
    lines = put("ftp/pub/lines.txt", text(203, 80).encode())  # TYPE A: CR LF on the wire
    truth["files"]["ftp/pub/lines.txt@ascii"] = {
        "sha256": hashlib.sha256(lines.replace(b"\n", b"\r\n")).hexdigest(),
        "size": len(lines.replace(b"\n", b"\r\n"))}
    put("ftp/stou.bin", blob(204, 11000))
    put("tftp/root/blk.bin", blob(301, 5000))                 # blksize 1024
    put("tftp/root/exact.bin", blob(302, 1024))               # 2 x 512: an empty last DATA
    asc = put("tftp/root/ascii.txt", text(303, 20).encode())  # netascii: CR LF on the wire
    truth["files"]["tftp/root/ascii.txt@netascii"] = {
        "sha256": hashlib.sha256(asc.replace(b"\n", b"\r\n")).hexdigest(),
        "size": len(asc.replace(b"\n", b"\r\n"))}
    for n in (1, 2, 3, 4):
        body = text(400 + n, 10 + 5 * n)
        eight = n == 2
        if eight:
            body += "8bit: Grüße aus München\n"
        raw = message(n, body, eight).as_bytes()
        put(f"mail/more{n}.eml", raw)
        sent = email.message_from_bytes(raw, policy=email.policy.default)
        truth["messages"][f"more{n}"] = [
            {"media_type": t, "filename": fn, "sha256": hashlib.sha256(b).hexdigest(),
             "size": len(b)} for t, fn, b in parts(sent)]
    dump_truth(work, truth)


if __name__ == "__main__":
    main()
