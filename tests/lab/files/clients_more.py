#!/usr/bin/python3
"""clients_more.py — the Python clients of record_more.sh (ftplib, poplib,
imaplib, smtplib), for the features the first recordings lack:

    clients_more.py ftp ADDR USER PASSWORD OUT C   REST+RETR, PORT RETR, STOU, MLSD, LIST,
                                                   NLST, TYPE A RETR
    clients_more.py pop3 ADDR USER PASSWORD OUT    TOP 1 10, RETR 1..3 in one session
    clients_more.py imap ADDR USER PASSWORD OUT C  UID FETCH BODY.PEEK[], FETCH (BODY[1]),
                                                   BODY[]<0.1000>, FETCH 1:3 BODY[], APPEND
    clients_more.py smtp ADDR USER PASSWORD C      three messages in one session, the
                                                   second with BODY=8BITMIME

What each client received is written under OUT so record_more.sh can compare
it with what was sent; C is content_more.py's folder.
"""
import ftplib
import imaplib
import poplib
import smtplib
import sys

REST = 12345  # content_more.FTP_REST_OFFSET


def save(path, data):
    with open(path, "wb") as f:
        f.write(data)


def ftp(addr, user, password, out, c):
    f = ftplib.FTP()
    f.connect(addr, 21)
    f.login(user, password)
    f.voidcmd("TYPE I")
    got = bytearray()
    f.retrbinary("RETR pub/resume.bin", got.extend, rest=REST)      # REST 12345 + RETR
    save(f"{out}/resume-rest.bin", bytes(got))
    f.set_pasv(False)                                                 # PORT from ftplib
    got = bytearray()
    f.retrbinary("RETR pub/active.bin", got.extend)
    save(f"{out}/active.bin", bytes(got))
    f.set_pasv(True)
    with open(f"{c}/ftp/stou.bin", "rb") as src:                      # STOU
        f.storbinary("STOU", src)
    list(f.mlsd("pub"))
    f.retrlines("LIST pub", lambda _: None)
    f.nlst("pub")
    got = bytearray()                                                 # TYPE A
    f.retrlines("RETR pub/lines.txt", lambda s: got.extend(s.encode("utf-8", "surrogateescape")
                                                           + b"\n"))
    save(f"{out}/lines.txt", bytes(got))
    f.quit()


def pop3(addr, user, password, out):
    p = poplib.POP3(addr, 110)
    p.user(user)
    p.pass_(password)
    p.top(1, 10)
    for n in (1, 2, 3):
        save(f"{out}/pop-{n}.eml", b"\r\n".join(p.retr(n)[1]) + b"\r\n")
    p.quit()


def imap(addr, user, password, out, c):
    m = imaplib.IMAP4(addr, 143)
    m.login(user, password)
    m.select("INBOX")
    uids = m.uid("SEARCH", None, "ALL")[1][0].split()
    save(f"{out}/imap-uid-1.eml", m.uid("FETCH", uids[0], "(BODY.PEEK[])")[1][0][1])
    save(f"{out}/imap-3-part1", m.fetch("3", "(BODY[1])")[1][0][1])
    save(f"{out}/imap-2-partial", m.fetch("2", "(BODY[]<0.1000>)")[1][0][1])
    many = m.fetch("1:3", "(BODY[])")[1]
    for i, item in enumerate(x for x in many if isinstance(x, tuple)):
        save(f"{out}/imap-many-{i + 1}.eml", item[1])
    with open(f"{c}/mail/more4.eml", "rb") as f:
        m.append("INBOX", None, None, f.read())
    m.logout()


def smtp(addr, user, password, c):
    s = smtplib.SMTP(addr, 25, local_hostname="client.lab.example")
    s.ehlo()
    s.login(user, password)
    for n in (1, 2, 3):
        with open(f"{c}/mail/more{n}.eml", "rb") as f:
            raw = f.read()
        opts = ["BODY=8BITMIME"] if n == 2 and s.has_extn("8bitmime") else []
        s.sendmail(f"sender{n}@example.org", ["dropbox@example.net"], raw, mail_options=opts)
    s.quit()


if __name__ == "__main__":
    {"ftp": ftp, "pop3": pop3, "imap": imap, "smtp": smtp}[sys.argv[1]](*sys.argv[2:])
