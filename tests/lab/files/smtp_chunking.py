#!/usr/bin/env python3
"""smtp_chunking.py — the messages, the client and the checks of the
SMTP CHUNKING/PIPELINING recording (record_smtp_chunking.sh).

    smtp_chunking.py truth WORK TRUTH.json   writes WORK/msg/*.eml and the truth
                                             (before anything is sent)
    smtp_chunking.py send WORK HOST PORT     one session against the MTA
    smtp_chunking.py check WORK MAILDIR      what the MTA stored == what was sent

Python's smtplib has no BDAT, so the client writes the commands and chunks
itself, on a raw socket with TCP_NODELAY, cut into writes at chosen offsets
(a short pause between writes makes each its own TCP segment): chunk
boundaries fall inside header lines, between the CR and the LF of a line end
and inside base64 lines, and writes split BDAT command lines and chunk data
anywhere.  The server (Exim 4.96) is real: every reply is checked against what
RFC 2920/3030 say it must be, and the session stops at the first surprise.

One session, in order (the truth's "transactions"):
  1. AUTH PLAIN; then, pipelined in one group: MAIL, RCPT bob, RCPT to a
     relay the server refuses (550), RCPT carol, three BDAT chunks and a
     BDAT LAST of msg_a (multipart, a base64 attachment)      -> accepted
  RSET
  2. MAIL, RCPT, DATA pipelined; msg_b (plain, a dot-stuffed line) after
     the 354                                                    -> accepted
  3. behind msg_b's final dot, before its reply: MAIL and RCPT, then msg_c
     (binary content, BODY=8BITMIME: Exim offers no BINARYMIME) in four
     BDAT chunks, the last "BDAT 0 LAST"                         -> accepted
  4. msg_d in one "BDAT n LAST": refused after its data (550, the server's
     data ACL refuses "X-Lab-Refuse: yes"); pipelined behind it, before that
     reply (the end of msg_d's chunk, MAIL and RCPT in one segment), 5. MAIL,
     RCPT and msg_e in one "BDAT n LAST"                         -> accepted
  6. msg_f over DATA, refused after the dot (550) like msg_d, QUIT
     pipelined behind the dot
"""
import base64
import email
import email.message
import email.policy
import hashlib
import json
import os
import random
import socket
import sys
import time

CRED = ("relay", "bdat Secret 9")
SENDER = "alice@client.example"
BOB, CAROL, FAR = "bob@lab.example", "carol@lab.example", "nobody@elsewhere.example"
PAUSE = 0.03  # between writes: each write its own TCP segment on the loopback


def blob(seed, n):
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


def text(seed, lines):
    r = random.Random(seed)
    words = ["chunk", "pipeline", "ledger", "quarterly", "evidence", "relay", "BDAT", "LAST",
             "=equals", "tab\there", ". dot", "trailing "]
    return "".join(" ".join(r.choice(words) for _ in range(r.randint(3, 12))) + "\n"
                   for _ in range(lines))


def headers(m, n, subject, to):
    m["From"] = f"Alice Sender <{SENDER}>"
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = f"Mon, 30 Nov 2026 10:{n:02d}:00 +0000"
    m["Message-ID"] = f"<chunking-{n}@client.example>"


def msg_a():
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    headers(m, 1, "Q4 ledger (chunked)", f"Bob <{BOB}>, Carol <{CAROL}>")
    m.set_content(text(21, 12), cte="7bit")
    m.add_attachment(blob(22, 4500), maintype="application", subtype="vnd.ms-excel",
                     filename="q4-ledger.xls")
    m.add_attachment(text(23, 20).encode(), maintype="text", subtype="csv",
                     filename="accounts.csv", cte="base64")
    m.set_boundary("=_chunking_a_=")
    return m.as_bytes()


def msg_b():
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    headers(m, 2, "pipelined DATA", BOB)
    m.set_content("first line\n.a line that starts with a dot\nlast line\n", cte="7bit")
    return m.as_bytes()


def msg_c():
    """Binary content: bare CR, bare LF, NUL and every other byte."""
    payload = blob(31, 3000) + b"\r\r\n\n\x00\r"
    head = (f"From: Alice Sender <{SENDER}>\r\nTo: {BOB}\r\nSubject: firmware (binary BDAT)\r\n"
            "Date: Mon, 30 Nov 2026 10:03:00 +0000\r\nMessage-ID: <chunking-3@client.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            'Content-Disposition: attachment; filename="firmware.img"\r\n\r\n')
    return head.encode() + payload, payload


def msg_d():
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    headers(m, 4, "refused after BDAT LAST", BOB)
    m["X-Lab-Refuse"] = "yes"
    m.set_content(text(41, 5), cte="7bit")
    m.add_attachment(blob(42, 1200), maintype="application", subtype="zip",
                     filename="exfil.zip")
    m.set_boundary("=_chunking_d_=")
    return m.as_bytes()


def msg_e():
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    headers(m, 5, "pipelined behind a refused one", CAROL)
    m.set_content(text(51, 4), cte="7bit")
    return m.as_bytes()


def msg_f():
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    headers(m, 6, "refused after DATA", BOB)
    m["X-Lab-Refuse"] = "yes"
    m.set_content(text(61, 4), cte="7bit")
    return m.as_bytes()


def messages():
    c, c_payload = msg_c()
    return {"msg_a": msg_a(), "msg_b": msg_b(), "msg_c": c, "msg_d": msg_d(), "msg_e": msg_e(),
            "msg_f": msg_f()}, {"firmware.img": c_payload}


def cut_inside_crlf(msg, after):
    """An offset between the CR and the LF of the first line end after `after`."""
    return msg.index(b"\r\n", after) + 1


def chunks_a(m):
    """msg_a's chunk boundaries: inside a header line, inside a CRLF, inside
    a base64 line of the attachment; the rest goes with BDAT LAST."""
    b1 = m.index(b"Subject:") + 5
    b2 = cut_inside_crlf(m, 400)
    b64 = m.index(b"\r\n\r\n", m.index(b'filename="q4-ledger.xls"')) + 4
    b3 = b64 + 1000 + 37  # inside a 76-column base64 line
    return [b1, b2 - b1, b3 - b2, len(m) - b3]


def chunks_c(m):
    b1 = m.index(b"\r\n\r\n") + 3  # between the CR and LF ending the header
    b2 = b1 + 1500
    return [b1, b2 - b1, len(m) - b2, 0]  # then "BDAT 0 LAST"


def bdat_stream(m, sizes):
    out, at = b"", 0
    for i, n in enumerate(sizes):
        last = i == len(sizes) - 1
        out += f"BDAT {n}{' LAST' if last else ''}\r\n".encode() + m[at:at + n]
        at += n
    assert at == len(m)
    return out


def parts(raw):
    """Decoded leaf parts as Python's MIME parser reads the bytes sent."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return [{"media_type": p.get_content_type(), "filename": p.get_filename(),
             "sha256": hashlib.sha256(p.get_payload(decode=True)).hexdigest(),
             "size": len(p.get_payload(decode=True))}
            for p in msg.walk() if not p.is_multipart()]


def truth(work, out):
    msgs, extra = messages()
    os.makedirs(os.path.join(work, "msg"), exist_ok=True)
    for name, raw in msgs.items():
        with open(os.path.join(work, "msg", name + ".eml"), "wb") as f:
            f.write(raw)
    t = {"server": "Exim 4.96 (Debian exim4-daemon-light), CHUNKING and PIPELINING",
         "credential": list(CRED), "mailfrom": SENDER,
         "chunks": {"msg_a": chunks_a(msgs["msg_a"]), "msg_c": chunks_c(msgs["msg_c"]),
                    "msg_d": [len(msgs["msg_d"])], "msg_e": [len(msgs["msg_e"])]},
         "messages": {}}
    outcome = {"msg_a": ("BDAT", [BOB, FAR, CAROL], "250"),
               "msg_b": ("DATA", [BOB], "250"),
               "msg_c": ("BDAT", [BOB], "250"),
               "msg_d": ("BDAT", [BOB], "550"),
               "msg_e": ("BDAT", [CAROL], "250"),
               "msg_f": ("DATA", [BOB], "550")}
    for depth, (name, raw) in enumerate(msgs.items(), 1):
        how, rcpt, code = outcome[name]
        t["messages"][name] = {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw),
                               "via": how, "rcptto": rcpt, "reply": code,
                               "accepted": code == "250", "trans_depth": depth,
                               "subject": email.message_from_bytes(raw)["Subject"],
                               "msg_id": email.message_from_bytes(raw)["Message-ID"],
                               "parts": parts(raw)}
    t["binary_payload"] = {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                           for n, b in extra.items()}
    with open(out, "w") as f:
        json.dump(t, f, indent=1, sort_keys=True)
        f.write("\n")


class Session:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), timeout=10)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.log = []

    def reply(self):
        """One whole (possibly multi-line) reply: (code, text)."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                d = self.s.recv(65536)
                if not d:
                    raise SystemExit("server closed the connection")
                self.buf += d
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode("latin-1"))
            if line[3:4] != b"-":
                break
        self.log.append(lines)
        return lines[-1][:3], "\n".join(lines)

    def expect(self, *codes):
        for want in codes:
            got, txt = self.reply()
            if got != want:
                raise SystemExit(f"expected {want}, got: {txt}")

    def write(self, data, cuts=()):
        """Send data as separate writes cut at the given offsets."""
        at = 0
        for c in sorted(cuts) + [len(data)]:
            if c > at:
                self.s.sendall(data[at:c])
                time.sleep(PAUSE)
                at = c


def send(work, host, port):
    msgs, _ = messages()
    s = Session(host, int(port))
    s.expect("220")
    s.write(b"EHLO client.example\r\n")
    code, ehlo = s.reply()
    for ext in ("PIPELINING", "CHUNKING", "AUTH PLAIN"):
        if ext not in ehlo:
            raise SystemExit(f"the server does not offer {ext}: {ehlo}")
    s.write(b"AUTH PLAIN " + base64.b64encode(f"\0{CRED[0]}\0{CRED[1]}".encode()) + b"\r\n")
    s.expect("235")

    # 1: one pipelined group, commands and chunks cut into writes anywhere
    a = msgs["msg_a"]
    group = (f"MAIL FROM:<{SENDER}> BODY=8BITMIME\r\nRCPT TO:<{BOB}>\r\nRCPT TO:<{FAR}>\r\n"
             f"RCPT TO:<{CAROL}>\r\n").encode()
    stream = group + bdat_stream(a, chunks_a(a))
    bd = stream.index(b"BDAT", len(group))
    cuts = [len(group) - 7, bd + 3, bd + 12, bd + 400, bd + 401]
    second = stream.index(b"BDAT", bd + 5)
    cuts += [second - 1, second + 2, second + 900, second + 1460, second + 2921]
    third = stream.index(b"BDAT", second + 5)
    cuts += [third + 6, third + 4000]
    s.write(stream, cuts)
    s.expect("250", "250", "550", "250", "250", "250", "250", "250")
    s.write(b"RSET\r\n")
    s.expect("250")

    # 2: MAIL, RCPT, DATA in one group (RFC 2920), the message after the 354
    s.write(f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<{BOB}>\r\nDATA\r\n".encode())
    s.expect("250", "250", "354")
    b = msgs["msg_b"].replace(b"\r\n.", b"\r\n..")
    # 3: binary content, ending with BDAT 0 LAST; its MAIL and RCPT pipelined
    # behind msg_b's final dot (in the same write, before msg_b's reply)
    c = msgs["msg_c"]
    stream = b + f".\r\nMAIL FROM:<{SENDER}> BODY=8BITMIME\r\nRCPT TO:<{BOB}>\r\n".encode()
    first = len(stream)
    stream += bdat_stream(c, chunks_c(c))
    zero = stream.index(b"BDAT 0 LAST")
    s.write(stream, [len(b) - 10, first, first + 2, first + 700, first + 2100, zero + 5])
    s.expect("250", "250", "250", "250", "250", "250", "250")

    # 4 + 5: msg_d in one BDAT LAST, then msg_e's group before its reply
    d = msgs["msg_d"]
    s.write(f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<{BOB}>\r\n".encode())
    s.expect("250", "250")
    e = msgs["msg_e"]
    stream = bdat_stream(d, [len(d)])
    cut = len(stream) - 3  # the end of msg_d, msg_e's MAIL and RCPT in one segment
    stream += f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<{CAROL}>\r\n".encode()
    cut2 = len(stream)
    stream += bdat_stream(e, [len(e)])
    s.write(stream, [200, cut, cut2])
    s.expect("550", "250", "250", "250")

    # 6: refused after the dot, QUIT pipelined behind the dot (as Postfix does)
    s.write(f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<{BOB}>\r\nDATA\r\n".encode())
    s.expect("250", "250", "354")
    s.write(msgs["msg_f"] + b".\r\nQUIT\r\n")
    s.expect("550", "221")
    with open(os.path.join(work, "replies.json"), "w") as f:
        json.dump(s.log, f, indent=1)


def strip_received(stored):
    """The stored message without the Received: header Exim put first."""
    assert stored.startswith(b"Received: "), stored[:80]
    at = 0
    while True:
        at = stored.index(b"\n", at) + 1
        if stored[at:at + 1] not in (b" ", b"\t"):
            return stored[at:]


def check(work, maildir):
    """Each accepted message is in each recipient's maildir as sent (Exim
    stores every line end as LF, a bare CR too: CRLF and CR are compared
    as LF), the refused ones nowhere."""
    msgs, _ = messages()
    want = {"bob": ["msg_a", "msg_b", "msg_c"], "carol": ["msg_a", "msg_e"]}
    for user, names in want.items():
        folder = os.path.join(maildir, user, "new")
        stored = sorted(strip_received(open(os.path.join(folder, f), "rb").read())
                        for f in os.listdir(folder))
        sent = sorted(msgs[n].replace(b"\r\n", b"\n").replace(b"\r", b"\n") for n in names)
        if stored != sent:
            for i, (x, y) in enumerate(zip(stored, sent)):
                if x != y:
                    print(f"{user} #{i}: stored {len(x)} bytes, sent {len(y)}", file=sys.stderr)
            raise SystemExit(f"{user}'s maildir does not hold what was sent")
    print("maildirs hold what was sent", file=sys.stderr)


if __name__ == "__main__":
    {"truth": truth, "send": send, "check": check}[sys.argv[1]](*sys.argv[2:])
