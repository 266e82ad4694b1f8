#!/usr/bin/python3
"""clients.py — mail clients of the files-beyond-HTTP lab (Python's own
poplib and imaplib, which log in the ways curl cannot be made to):

    clients.py pop3 ADDR USER PASSWORD PREFIX   USER/PASS + RETR 1, APOP + RETR 2
    clients.py imap ADDR USER PASSWORD PREFIX   LOGIN + FETCH 1 BODY[],
                                                AUTHENTICATE PLAIN + FETCH 2 BODY[]

Each retrieved message is written to PREFIX-<how>-<n>.eml so record.sh can
compare it with what was delivered.
"""
import imaplib
import poplib
import sys


def save(path, lines_or_bytes):
    with open(path, "wb") as f:
        f.write(lines_or_bytes)


def pop3(addr, user, password, prefix):
    p = poplib.POP3(addr, 110)
    p.user(user)
    p.pass_(password)
    save(f"{prefix}-user-1.eml", b"\r\n".join(p.retr(1)[1]) + b"\r\n")
    p.quit()
    p = poplib.POP3(addr, 110)
    p.apop(user, password)
    save(f"{prefix}-apop-2.eml", b"\r\n".join(p.retr(2)[1]) + b"\r\n")
    p.quit()


def imap(addr, user, password, prefix):
    m = imaplib.IMAP4(addr, 143)
    m.login(user, password)
    m.select("INBOX")
    save(f"{prefix}-login-1.eml", m.fetch("1", "(BODY[])")[1][0][1])
    m.logout()
    m = imaplib.IMAP4(addr, 143)
    m.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())
    m.select("INBOX")
    save(f"{prefix}-plain-2.eml", m.fetch("2", "(BODY[])")[1][0][1])
    m.logout()


if __name__ == "__main__":
    {"pop3": pop3, "imap": imap}[sys.argv[1]](*sys.argv[2:])
