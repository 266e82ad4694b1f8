#!/usr/bin/env python3
"""starttls_servers.py — small SMTP, POP3 and IMAP servers that switch to
TLS on STARTTLS/STLS (Python's ssl module), for record_starttls.sh, or
speak TLS from the first byte (implicit TLS, RFC 8314), for
record_implicit_tls.sh.

    starttls_servers.py ADDR CERT KEY SPOOL MAILBOX USERS_JSON [implicit] [apop] [ntlm] [oauth]

SMTP on ADDR:25 (EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA; each
message saved as SPOOL/received-N.eml, dot-stuffing undone), POP3 on
ADDR:110 (CAPA, STLS, USER/PASS, STAT, LIST, UIDL, RETR) and IMAP on
ADDR:143 (CAPABILITY, STARTTLS, LOGIN, SELECT, FETCH n BODY[], LOGOUT)
serving the one message in MAILBOX.  USERS_JSON maps protocol to
[user, password]; a wrong password is refused.  Only what curl sends is
understood: this is a recording aid, not a mail server.  Runs until killed.

With "implicit" the same servers listen on SMTPS ADDR:465, POP3S ADDR:995
and IMAPS ADDR:993 instead, each connection wrapped in TLS before the
greeting, and none of them offers STARTTLS/STLS.

With "apop" (record_apop_stls.sh) the POP3 greeting carries the APOP
challenge APOP_CHALLENGE and the APOP command is answered (RFC 1939 7).

With "ntlm" (record_ntlm_mail.sh) each server also offers NTLM (SMTP AUTH
NTLM, MS-SMTPNTLM; POP3 AUTH NTLM, MS-POP3; IMAP AUTHENTICATE NTLM,
MS-OXIMAP): its CHALLENGE carries ntlm_lab.SERVER_CHALLENGE, and the
client's NTLMv2 answer is checked against the password.

With "oauth" (record_oauth_mail.sh) SMTP and IMAP also offer XOAUTH2, and
POP3 OAUTHBEARER (RFC 7628) (one each: curl 7.88 takes OAUTHBEARER when
both are offered), the user's password in USERS_JSON standing for the
bearer token the server accepts.
"""
import base64
import hashlib
import json
import socketserver
import ssl
import sys
import threading

sys.path.insert(0, __import__("os").path.dirname(__file__))
import ntlm_lab  # noqa: E402

ADDR, CERT, KEY, SPOOL, MAILBOX, USERS = sys.argv[1:7]
IMPLICIT = "implicit" in sys.argv[7:]
# "apop": the POP3 greeting carries an APOP challenge (RFC 1939 7) and APOP
# is answered; a fixed one, so that a recording's digests can be checked
APOP = "apop" in sys.argv[7:]
APOP_CHALLENGE = "<4242.1764547200@mail.lab.example>"
NTLM = "ntlm" in sys.argv[7:]
OAUTH = "oauth" in sys.argv[7:]
with open(USERS) as f:
    CREDS = json.load(f)
with open(MAILBOX, "rb") as f:
    MESSAGE = f.read()
TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
TLS.load_cert_chain(CERT, KEY)
SPOOL_LOCK = threading.Lock()
received = [0]


class Conn:
    """A socket read by lines, that can switch to TLS."""

    def __init__(self, sock):
        self.sock = TLS.wrap_socket(sock, server_side=True) if IMPLICIT else sock
        self.r = self.sock.makefile("rb")

    def line(self):
        return self.r.readline().rstrip(b"\r\n").decode("utf-8", "replace")

    def send(self, text):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def starttls(self):
        self.r.close()
        self.sock = TLS.wrap_socket(self.sock, server_side=True)
        self.r = self.sock.makefile("rb")

    def read_dot(self):
        out = b""
        while True:
            raw = self.r.readline()
            if raw in (b".\r\n", b""):
                return out
            out += raw[1:] if raw.startswith(b".") else raw


def dot_stuff(msg):
    lines = msg.split(b"\r\n")
    return b"\r\n".join(b"." + x if x.startswith(b".") else x for x in lines)


def b64(s):
    return base64.b64decode(s).decode()


def oauth_login(c, cont, mech, initial, user, token):
    """An XOAUTH2 or OAUTHBEARER exchange: True when the client's message
    names user with token.  A refusal is the JSON status in a continuation,
    which the client answers with an empty message (RFC 7628 3.2.2)."""
    if not initial:
        c.send(cont + "\r\n")
        initial = c.line()
    fields = base64.b64decode(initial).decode().split("\x01")
    if mech == "XOAUTH2":
        who = [f[5:] for f in fields if f.startswith("user=")]
    else:
        who = [g[2:] for g in fields[0].split(",") if g.startswith("a=")]
    ok = who == [user] and "auth=Bearer " + token in fields
    if not ok:
        c.send(cont + base64.b64encode(b'{"status":"invalid_token"}').decode() + "\r\n")
        c.line()
    return ok


def ntlm_login(c, cont, initial, user, password):
    """An NTLM exchange after the command (cont: the continuation's prefix,
    "334 " or "+ "; initial: the NEGOTIATE sent with the command, if any):
    True when the client's NTLMv2 answer is user's with password."""
    if not initial:
        c.send(cont + "\r\n")
        initial = c.line()
    if ntlm_lab.message_type(base64.b64decode(initial)) != 1:
        return False
    c.send(cont + base64.b64encode(ntlm_lab.challenge_message()).decode() + "\r\n")
    u, d, _, _, nt = ntlm_lab.authenticate_fields(base64.b64decode(c.line()))
    return u == user and ntlm_lab.ntlmv2_ok(u, d, nt, password)


class SMTP(socketserver.BaseRequestHandler):
    def handle(self):
        c, user, password, authed = Conn(self.request), *CREDS["smtp"], False
        c.send("220 mail.lab.example ESMTP lab\r\n")
        while True:
            line = c.line()
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                c.send("250-mail.lab.example\r\n" + ("" if IMPLICIT else "250-STARTTLS\r\n") +
                       "250-AUTH PLAIN LOGIN" + (" NTLM" if NTLM else "") +
                       (" XOAUTH2" if OAUTH else "") +
                       "\r\n250 8BITMIME\r\n")
            elif verb == "STARTTLS":
                c.send("220 Ready to start TLS\r\n")
                c.starttls()
            elif verb == "AUTH":
                args = line.split(" ")[1:]
                if args[0].upper() in ("XOAUTH2", "OAUTHBEARER") and OAUTH:
                    authed = oauth_login(c, "334 ", args[0].upper(),
                                         args[1] if len(args) > 1 else "", user, password)
                    c.send("235 2.7.0 Authentication successful\r\n" if authed
                           else "535 5.7.8 no\r\n")
                    continue
                if args[0].upper() == "NTLM" and NTLM:
                    authed = ntlm_login(c, "334 ", args[1] if len(args) > 1 else "", user,
                                        password)
                    c.send("235 2.7.0 Authentication successful\r\n" if authed
                           else "535 5.7.8 no\r\n")
                    continue
                if args[0].upper() == "PLAIN":
                    if len(args) < 2:
                        c.send("334 \r\n")
                        args.append(c.line())
                    _, u, p = b64(args[1]).split("\0")
                else:
                    c.send("334 VXNlcm5hbWU6\r\n")
                    u = b64(c.line())
                    c.send("334 UGFzc3dvcmQ6\r\n")
                    p = b64(c.line())
                authed = (u, p) == (user, password)
                c.send("235 2.7.0 Authentication successful\r\n" if authed else "535 5.7.8 no\r\n")
            elif verb in ("MAIL", "RCPT"):
                c.send("250 OK\r\n" if authed else "530 5.7.0 Authentication required\r\n")
            elif verb == "DATA":
                c.send("354 End data with <CR><LF>.<CR><LF>\r\n")
                data = c.read_dot()
                with SPOOL_LOCK:
                    received[0] += 1
                    n = received[0]
                    with open(f"{SPOOL}/received-{n}.eml", "wb") as f:
                        f.write(data)
                c.send(f"250 OK queued as tls-{n}\r\n")
            elif verb == "QUIT" or not line:
                c.send("221 Bye\r\n")
                return
            else:
                c.send("250 OK\r\n")


class POP3(socketserver.BaseRequestHandler):
    def handle(self):
        c, user, password, name = Conn(self.request), *CREDS["pop3"], None
        c.send("+OK lab POP3 ready" + (" " + APOP_CHALLENGE if APOP else "") + "\r\n")
        while True:
            line = c.line()
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "CAPA":
                c.send("+OK\r\n" + ("" if IMPLICIT else "STLS\r\n") + "USER\r\nUIDL\r\n" +
                       ("SASL NTLM\r\n" if NTLM else "") +
                       ("SASL OAUTHBEARER\r\n" if OAUTH else "") + ".\r\n")
            elif verb == "AUTH" and OAUTH and arg.split(" ")[0].upper() in ("XOAUTH2",
                                                                            "OAUTHBEARER"):
                name = user
                mech, _, ir = arg.partition(" ")
                ok = oauth_login(c, "+ ", mech.upper(), ir, user, password)
                c.send("+OK Logged in.\r\n" if ok else "-ERR Authentication failed.\r\n")
            elif verb == "AUTH" and NTLM and arg.split(" ")[0].upper() == "NTLM":
                name = user
                ok = ntlm_login(c, "+ ", arg.partition(" ")[2], user, password)
                c.send("+OK Logged in.\r\n" if ok else "-ERR Authentication failed.\r\n")
            elif verb == "STLS":
                c.send("+OK Begin TLS negotiation\r\n")
                c.starttls()
            elif verb == "USER":
                name = arg
                c.send("+OK\r\n")
            elif verb == "APOP" and APOP:
                name, _, digest = arg.partition(" ")
                want = hashlib.md5((APOP_CHALLENGE + password).encode()).hexdigest()
                ok = (name, digest) == (user, want)
                c.send("+OK Logged in.\r\n" if ok else "-ERR Authentication failed.\r\n")
            elif verb == "PASS":
                ok = (name, arg) == (user, password)
                c.send("+OK Logged in.\r\n" if ok else "-ERR Authentication failed.\r\n")
            elif verb == "STAT":
                c.send(f"+OK 1 {len(MESSAGE)}\r\n")
            elif verb == "LIST":
                c.send(f"+OK 1 {len(MESSAGE)}\r\n" if arg else f"+OK\r\n1 {len(MESSAGE)}\r\n.\r\n")
            elif verb == "RETR":
                c.send(f"+OK {len(MESSAGE)} octets\r\n".encode() + dot_stuff(MESSAGE) +
                       (b"" if MESSAGE.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            elif verb == "QUIT" or not line:
                c.send("+OK Logging out.\r\n")
                return
            else:
                c.send("-ERR unknown\r\n")


class IMAP(socketserver.BaseRequestHandler):
    def handle(self):
        c, user, password = Conn(self.request), *CREDS["imap"]
        caps = "IMAP4rev1" if IMPLICIT else "IMAP4rev1 STARTTLS"
        caps += " AUTH=NTLM" if NTLM else ""
        caps += " AUTH=XOAUTH2 SASL-IR" if OAUTH else ""
        c.send(f"* OK [CAPABILITY {caps}] lab IMAP ready\r\n")
        while True:
            line = c.line()
            if not line:
                return
            tag, _, rest = line.partition(" ")
            verb, _, arg = rest.partition(" ")
            verb = verb.upper()
            if verb == "CAPABILITY":
                c.send(f"* CAPABILITY {caps}\r\n{tag} OK CAPABILITY completed\r\n")
            elif verb == "STARTTLS":
                c.send(f"{tag} OK Begin TLS negotiation now\r\n")
                c.starttls()
            elif verb == "AUTHENTICATE" and OAUTH and arg.split(" ")[0].upper() in (
                    "XOAUTH2", "OAUTHBEARER"):
                mech, _, ir = arg.partition(" ")
                ok = oauth_login(c, "+ ", mech.upper(), ir, user, password)
                c.send(f"{tag} OK Logged in\r\n" if ok else f"{tag} NO [AUTHENTICATIONFAILED] no\r\n")
            elif verb == "AUTHENTICATE" and NTLM and arg.split(" ")[0].upper() == "NTLM":
                ok = ntlm_login(c, "+ ", arg.partition(" ")[2], user, password)
                c.send(f"{tag} OK Logged in\r\n" if ok else f"{tag} NO [AUTHENTICATIONFAILED] no\r\n")
            elif verb == "LOGIN":
                u, p = [x.strip('"') for x in arg.split(" ", 1)]
                ok = (u, p) == (user, password)
                c.send(f"{tag} OK Logged in\r\n" if ok else f"{tag} NO [AUTHENTICATIONFAILED] no\r\n")
            elif verb in ("SELECT", "EXAMINE"):
                c.send(f"* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n"
                       f"* OK [UIDNEXT 2] next\r\n{tag} OK [READ-WRITE] Select completed\r\n")
            elif verb in ("FETCH", "UID"):
                c.send(f"* 1 FETCH (UID 1 BODY[] {{{len(MESSAGE)}}}\r\n".encode() + MESSAGE +
                       f")\r\n{tag} OK Fetch completed\r\n".encode())
            elif verb == "LOGOUT":
                c.send(f"* BYE Logging out\r\n{tag} OK Logout completed\r\n")
                return
            else:
                c.send(f"{tag} BAD unknown\r\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    ports = (465, 995, 993) if IMPLICIT else (25, 110, 143)
    for port, handler in zip(ports, (SMTP, POP3, IMAP)):
        s = Server((ADDR, port), handler)
        threading.Thread(target=s.serve_forever, daemon=True).start()
    threading.Event().wait()
