#!/usr/bin/python3
"""clients_parts.py — the content, the imaplib client and the truth of
record_parts.sh (imap_parts.pcap): partial FETCHes of MIME parts, the kind a
mail client makes when it shows a message's structure and then downloads one
attachment, which the IMAP carver must name and hash part by part:

    clients_parts.py content C                 write msg1.eml, msg2.eml (CRLF), report.bin
                                               and part1.txt (part 1 decoded) into C
    clients_parts.py imap ADDR USER PASSWORD OUT
                                               one session (LOGIN, SELECT INBOX, the
                                               FETCHes of COMMANDS, LOGOUT); every
                                               literal received saved under OUT with
                                               OUT/literals.json saying what it was
    clients_parts.py check C OUT MAILDIR SERVER TRUTH
                                               compare what was received with C and
                                               with the Maildir's files; exit 1 on any
                                               difference, else write TRUTH (json);
                                               SERVER names the server in it
    clients_parts.py wire PCAP TRUTH           exit 1 unless the literals in the
                                               server's bytes of PCAP (read with tshark)
                                               are TRUTH's, in the same order

Message 1 is multipart/mixed: 1 text/plain quoted-printable (=C3=BC escapes,
a soft line break, =3D), 2 application/octet-stream base64 attachment
report.bin (3000 bytes: bytes 0..255 ten times, then a seeded pseudo-random
tail), 3 multipart/alternative of 3.1 text/plain and 3.2 text/html (7bit).
Message 2 is a single-part text/plain message.  Every byte is fixed.
"""
import base64
import binascii
import hashlib
import imaplib
import json
import os
import random
import re
import subprocess
import sys

# The FETCHes of one session, in order: (command number, message set, items).
COMMANDS = [
    (1, "1:2", "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])"),
    (2, "1", "(BODYSTRUCTURE)"),
    (3, "1", "(BODY.PEEK[1.MIME] BODY.PEEK[1])"),
    (4, "1", "(BODY.PEEK[2.MIME] BODY.PEEK[2])"),
    (5, "1", "(BODY.PEEK[2])"),
    (6, "1", "(BINARY.PEEK[2])"),
    (7, "1", "(BODY.PEEK[3.2])"),
    (8, "2", "(RFC822.HEADER)"),
    (8, "2", "(BODY.PEEK[TEXT])"),
    (9, "2", "(BODY.PEEK[])"),
]

PART1_TEXT = ("Grüße aus München!\r\n"
              "Die Übersicht für das Quartal liegt als report.bin bei; bitte prüfen und bis "
              "Freitag zurückschicken, damit wir die Zahlen rechtzeitig übernehmen können.\r\n"
              "Summe = 3000 Bytes.\r\n"
              "Gruß, Jürgen")
# PART1_TEXT in quoted-printable, written by hand: lines of at most 76
# characters, one soft line break ("=" at a line's end) inside a sentence.
# Neither ends with CRLF: the CRLF before a boundary belongs to the boundary
# (RFC 2046), so these are exactly the part's bytes (IMAP's BODY[1]).
PART1_QP = ("Gr=C3=BC=C3=9Fe aus M=C3=BCnchen!\r\n"
            "Die =C3=9Cbersicht f=C3=BCr das Quartal liegt als report.bin bei; bitte =\r\n"
            "pr=C3=BCfen und bis Freitag zur=C3=BCckschicken, damit wir die Zahlen =\r\n"
            "rechtzeitig =C3=BCbernehmen k=C3=B6nnen.\r\n"
            "Summe =3D 3000 Bytes.\r\n"
            "Gru=C3=9F, J=C3=BCrgen")
ALT_TEXT = "Quarterly report attached (report.bin, 3000 bytes)."
ALT_HTML = ("<html><body><p>Quarterly report attached"
            " (<b>report.bin</b>, 3000 bytes).</p></body></html>")
REPORT_SEED = 20261130  # the seed of report.bin's pseudo-random tail
REPORT_SIZE = 3000


def report_bin():
    head = bytes(range(256)) * 10
    return head + random.Random(REPORT_SEED).randbytes(REPORT_SIZE - len(head))


def crlf(lines):
    return "".join(line + "\r\n" for line in lines)


def message1():
    b64 = base64.encodebytes(report_bin()).decode().rstrip("\n").replace("\n", "\r\n")
    return (crlf(["From: Juergen Weber <juergen.weber@example.org>",
                  "To: Bob Lab <bob@lab.example>",
                  "Subject: Quartalsbericht (report.bin)",
                  "Date: Tue, 03 Mar 2026 09:15:00 +0100",
                  "Message-ID: <parts-1@lab.example>",
                  "MIME-Version: 1.0",
                  'Content-Type: multipart/mixed; boundary="outer-b0undary-1"',
                  "",
                  "This is a multi-part message in MIME format.",
                  "",
                  "--outer-b0undary-1",
                  'Content-Type: text/plain; charset="utf-8"',
                  "Content-Transfer-Encoding: quoted-printable",
                  ""])
            + PART1_QP
            + crlf(["", "--outer-b0undary-1",
                    "Content-Type: application/octet-stream",
                    "Content-Transfer-Encoding: base64",
                    'Content-Disposition: attachment; filename="report.bin"',
                    ""])
            + b64
            + crlf(["", "--outer-b0undary-1",
                    'Content-Type: multipart/alternative; boundary="inner-b0undary-1"',
                    "",
                    "--inner-b0undary-1",
                    'Content-Type: text/plain; charset="us-ascii"',
                    "Content-Transfer-Encoding: 7bit",
                    ""])
            + ALT_TEXT
            + crlf(["", "--inner-b0undary-1",
                    'Content-Type: text/html; charset="us-ascii"',
                    "Content-Transfer-Encoding: 7bit",
                    ""])
            + ALT_HTML
            + crlf(["", "--inner-b0undary-1--",
                    "",
                    "--outer-b0undary-1--"])).encode("ascii")


def message2():
    return crlf(["From: Bob Lab <bob@lab.example>",
                 "To: Juergen Weber <juergen.weber@example.org>",
                 "Subject: Re: Quartalsbericht (report.bin)",
                 "Date: Tue, 03 Mar 2026 10:02:00 +0100",
                 "Message-ID: <parts-2@lab.example>",
                 "In-Reply-To: <parts-1@lab.example>",
                 "MIME-Version: 1.0",
                 'Content-Type: text/plain; charset="us-ascii"',
                 "Content-Transfer-Encoding: 7bit",
                 "",
                 "Thanks, got report.bin (3000 bytes).",
                 "The numbers look right; I will send it on to finance today.",
                 "",
                 "-- ",
                 "Bob"]).encode("ascii")


def save(path, data):
    with open(path, "wb") as f:
        f.write(data)


def load(path):
    with open(path, "rb") as f:
        return f.read()


def content(c):
    qp_lines = PART1_QP.split("\r\n")
    assert max(len(line) for line in qp_lines) <= 76, "a quoted-printable line over 76"
    assert binascii.a2b_qp(PART1_QP.encode()) == PART1_TEXT.encode("utf-8"), "PART1_QP"
    os.makedirs(c, exist_ok=True)
    save(f"{c}/msg1.eml", message1())
    save(f"{c}/msg2.eml", message2())
    save(f"{c}/report.bin", report_bin())
    save(f"{c}/part1.txt", PART1_TEXT.encode("utf-8"))


# The item before a literal as the server wrote it, e.g. "BODY[2.MIME] {83}",
# "BODY[HEADER.FIELDS (FROM TO)] {120}" or "BINARY[2] ~{3000}" (literal8).
ITEM_LITERAL = re.compile(rb"([A-Z0-9.]+(?:\[[^\]]*\])?(?:<\d+>)?) (~?)\{(\d+)\}$")
RESPONSE_START = re.compile(rb"^(\d+) \(")


def literals_of(cmd, fetch, data):
    """The literals of one FETCH's untagged responses, in the order imaplib
    read them: each is a tuple (text before the literal, literal bytes)."""
    found, msg = [], None
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, lit = item
        start = RESPONSE_START.match(head)
        if start:
            msg = int(start.group(1))
        m = ITEM_LITERAL.search(head)
        assert m and int(m.group(3)) == len(lit), f"literal not understood: {head!r}"
        found.append({"command": cmd, "fetch": fetch, "message": msg,
                      "item": m.group(1).decode("ascii"), "literal8": m.group(2) == b"~",
                      "length": len(lit), "data": lit})
    return found


def imap(addr, user, password, out):
    m = imaplib.IMAP4(addr, 143)
    caps = list(m.capabilities)  # imaplib asks with CAPABILITY before LOGIN
    m.login(user, password)
    # dovecot lists more (BINARY among them) in an untagged CAPABILITY at LOGIN
    caps_login = m.response("CAPABILITY")[1][-1].decode().split()
    m.select("INBOX")
    found, texts = [], []
    for cmd, mset, items in COMMANDS:
        typ, data = m.fetch(mset, items)
        fetch = f"FETCH {mset} {items}"
        texts.append({"command": cmd, "fetch": fetch, "status": typ,
                      "responses": [(x[0] if isinstance(x, tuple) else x).decode("latin-1")
                                    for x in data if x is not None]})
        found += literals_of(cmd, fetch, data)
    m.logout()
    for i, lit in enumerate(found):
        lit["file"] = f"lit-{i + 1:02d}.bin"
        save(f"{out}/{lit['file']}", lit.pop("data"))
    save(f"{out}/literals.json",
         json.dumps({"capabilities": caps, "capabilities_after_login": caps_login,
                     "literals": found, "responses": texts},
                    indent=1).encode())


def sha(data):
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def check(c, out, maildir, server, truth_path):
    got = json.load(open(f"{out}/literals.json"))
    lits = got["literals"]
    for lit in lits:
        lit["bytes"] = load(f"{out}/{lit['file']}")
    by = {(x["command"], x["message"], x["item"]): x["bytes"] for x in lits}
    msg1, msg2 = load(f"{c}/msg1.eml"), load(f"{c}/msg2.eml")
    report, part1 = load(f"{c}/report.bin"), load(f"{c}/part1.txt")
    stored = {}
    for sub in ("new", "cur"):
        for name in os.listdir(f"{maildir}/{sub}"):
            stored[name.split(":")[0]] = load(f"{maildir}/{sub}/{name}")
    bad = []

    def expect(what, a, b):
        if a != b:
            bad.append(what)

    expect("maildir message 1", stored.get("1000000001.M1P1.lab"), msg1)
    expect("maildir message 2", stored.get("1000000002.M2P1.lab"), msg2)
    expect("BINARY[2] = report.bin", by.get((6, 1, "BINARY[2]")), report)
    expect("BODY[2] base64-decoded = report.bin",
           base64.b64decode(by.get((4, 1, "BODY[2]"), b"")), report)
    expect("BODY[2] alone = BODY[2] with .MIME", by.get((5, 1, "BODY[2]")),
           by.get((4, 1, "BODY[2]")))
    expect("BODY[1] QP-decoded = part 1", binascii.a2b_qp(by.get((3, 1, "BODY[1]"), b"")), part1)
    expect("BODY[1] = PART1_QP", by.get((3, 1, "BODY[1]")), PART1_QP.encode())
    expect("BODY[3.2] = the HTML", by.get((7, 1, "BODY[3.2]")), ALT_HTML.encode())
    expect("BODY[] of message 2 = its Maildir file", by.get((9, 2, "BODY[]")),
           stored.get("1000000002.M2P1.lab"))
    expect("RFC822.HEADER + BODY[TEXT] = message 2",
           by.get((8, 2, "RFC822.HEADER"), b"") + by.get((8, 2, "BODY[TEXT]"), b""), msg2)
    for n, raw in ((1, msg1), (2, msg2)):
        hdr = by.get((1, n, "BODY[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)]"), b"")
        want = [line for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n")
                if line.split(b":")[0].upper() in (b"FROM", b"TO", b"SUBJECT", b"DATE",
                                                   b"MESSAGE-ID")]
        expect(f"HEADER.FIELDS of message {n}", hdr, b"\r\n".join(want) + b"\r\n\r\n")
    sizes = {}
    for r in got["responses"]:
        if r["command"] == 1:
            for text in r["responses"]:
                m = re.match(r"(\d+) \(UID (\d+) RFC822\.SIZE (\d+) ", text)
                if m:
                    sizes[int(m.group(1))] = {"uid": int(m.group(2)),
                                              "rfc822_size": int(m.group(3))}
    expect("RFC822.SIZE of message 1", sizes.get(1, {}).get("rfc822_size"), len(msg1))
    expect("RFC822.SIZE of message 2", sizes.get(2, {}).get("rfc822_size"), len(msg2))
    if bad:
        print("clients_parts.py check: received != sent: " + "; ".join(bad), file=sys.stderr)
        sys.exit(1)
    bodystructure = next(t for r in got["responses"] if r["command"] == 2
                         for t in r["responses"])
    truth = {
        "capture": "imap_parts.pcap",
        "client": "python3 imaplib", "server": server,
        "creds": {"user": "bob", "password": "imap-Parts-8"},
        "capabilities": got["capabilities"],
        "capabilities_after_login": got["capabilities_after_login"],
        "commands": [{"command": cmd, "fetch": f"FETCH {mset} {items}"}
                     for cmd, mset, items in COMMANDS],
        "literals": [{k: x[k] for k in ("command", "fetch", "message", "item", "literal8",
                                          "length")} | {"sha256": sha(x["bytes"])["sha256"]}
                     for x in lits],
        "fetch_1": {str(k): v for k, v in sorted(sizes.items())},
        "bodystructure": bodystructure,
        "files": {"report.bin": sha(report), "part1_decoded": sha(part1),
                  "message1": sha(msg1), "message2": sha(msg2)},
        "parts": {"1": {"type": "text/plain", "encoding": "quoted-printable",
                        "encoded": sha(PART1_QP.encode()), "decoded": sha(part1)},
                  "2": {"type": "application/octet-stream", "encoding": "base64",
                        "filename": "report.bin", "encoded": sha(by[(4, 1, "BODY[2]")]),
                        "decoded": sha(report)},
                  "3.1": {"type": "text/plain", "encoding": "7bit",
                          "decoded": sha(ALT_TEXT.encode())},
                  "3.2": {"type": "text/html", "encoding": "7bit",
                          "decoded": sha(ALT_HTML.encode())}},
    }
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)
        f.write("\n")


def wire(pcap, truth_path):
    fields = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp.srcport == 143 && tcp.len > 0",
                             "-T", "fields", "-e", "tcp.seq", "-e", "tcp.payload"],
                            check=True, capture_output=True, text=True).stdout
    segs = sorted((int(seq), bytes.fromhex(hexed))
                  for seq, hexed in (line.split("\t") for line in fields.splitlines()))
    stream, pos, found = b"".join(data for _, data in segs), 0, []
    head = re.compile(rb"([A-Z0-9.]+(?:\[[^\]]*\])?(?:<\d+>)?) (~?)\{(\d+)\}\r\n")
    while m := head.search(stream, pos):
        end = m.end() + int(m.group(3))
        found.append([m.group(1).decode(), int(m.group(3)),
                      hashlib.sha256(stream[m.end():end]).hexdigest(), m.group(2) == b"~"])
        pos = end
    want = [[x["item"], x["length"], x["sha256"], x["literal8"]]
            for x in json.load(open(truth_path))["literals"]]
    if found != want:
        first = next((i for i, (a, b) in enumerate(zip(found, want)) if a != b),
                     min(len(found), len(want)))
        print(f"clients_parts.py wire: {pcap}: {len(found)} literals on the wire, "
              f"{len(want)} in the truth; literal {first + 1} differs", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    {"content": content, "imap": imap, "check": check, "wire": wire}[sys.argv[1]](*sys.argv[2:])
