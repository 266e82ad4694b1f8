"""IMAP sections fetched alone: every FETCH literal is evidence.

Clients fetch parts of messages, not only whole ones: header lists for a
mailbox view (BODY.PEEK[HEADER.FIELDS (...)]), a part's MIME header and
the part (BODY[2.MIME], BODY[2]), the text after the header (BODY[TEXT]
once BODY[HEADER] came), a server-decoded part (BINARY[2]), a slice
(BODY[2]<0.100>), a part by number after BODYSTRUCTURE.  Each literal is
kept as fetched with a files row naming its section; a part whose header
block was fetched first in the session, or whose BODYSTRUCTURE was, is also
decoded and carved whole, named as its header or the structure says.

One session is built here (pcapgen, the project's own capture writer), one
TCP connection in wire order; the other is a recording of imaplib against
dovecot (tests/lab/files/imap_parts.pcap, with truth_parts.json).  tshark's
--export-objects imf, when installed, is the second opinion: every object
it exports is among our artifacts by SHA-256.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen as g  # noqa: E402
import zeekcmp as z  # noqa: E402

ATTACHMENT = bytes(range(256)) * 4 + b"tail of the attachment"
B64 = base64.encodebytes(ATTACHMENT).replace(b"\n", b"\r\n")
HEADER1 = (b"From: a@example.org\r\nTo: b@example.net\r\nSubject: parts\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n")
PART1 = b"hello world\r\n"
MIME2 = (b"Content-Type: application/octet-stream; name=\"a.bin\"\r\n"
         b"Content-Transfer-Encoding: base64\r\n"
         b"Content-Disposition: attachment; filename=\"report.bin\"\r\n\r\n")
# message 2: its TEXT is a multipart body, read with the HEADER fetched first
HEADER2 = (b"From: c@example.org\r\nSubject: two\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"yy\"\r\n\r\n")
QP_TEXT = "caf\u00e9 cr\u00e8me".encode()  # the CRLF before "--yy" is the boundary's
TEXT2 = (b"--yy\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 cr=C3=A8me\r\n"
         b"--yy\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
         b"Content-Disposition: attachment; filename=\"two.pdf\"\r\n\r\n"
         + base64.encodebytes(b"%PDF-1.4 two").replace(b"\n", b"\r\n") + b"--yy--\r\n")

# message 3: a client that read BODYSTRUCTURE fetches part 2 by number alone
PDF3 = b"%PDF-1.4 three\n%%EOF\n"
B64_3 = base64.encodebytes(PDF3).replace(b"\n", b"\r\n")
STRUCTURE3 = (b'(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL)'
              b'("application" "pdf" ("name" "three.pdf") NIL NIL "base64" %d NIL '
              b'("attachment" ("filename" "three.pdf")) NIL NIL) "mixed" ("boundary" "zz") NIL NIL NIL)'
              % len(B64_3))


def sha(b):
    return hashlib.sha256(b).hexdigest()


def conversation(msgs, t0=1700000000.0):
    cli, srv, cport, sport = bytes([10, 0, 0, 5]), bytes([10, 0, 0, 9]), 40000, 143
    c, s = 1000, 5000
    f = [(t0, g.tcp_frame(cli, srv, cport, sport, c, 0x02)),
         (t0 + .001, g.tcp_frame(srv, cli, sport, cport, s, 0x12, ack=c + 1)),
         (t0 + .002, g.tcp_frame(cli, srv, cport, sport, c + 1, 0x10, ack=s + 1))]
    c, s, t = c + 1, s + 1, t0 + .003
    for who, data in msgs:
        if who == "c":
            f.append((t, g.tcp_frame(cli, srv, cport, sport, c, 0x18, data, ack=s)))
            c += len(data)
        else:
            f.append((t, g.tcp_frame(srv, cli, sport, cport, s, 0x18, data, ack=c)))
            s += len(data)
        t += .001
    f += [(t, g.tcp_frame(cli, srv, cport, sport, c, 0x11, ack=s)),
          (t + .001, g.tcp_frame(srv, cli, sport, cport, s, 0x11, ack=c + 1)),
          (t + .002, g.tcp_frame(cli, srv, cport, sport, c + 1, 0x10, ack=s + 1))]
    return f


def fetch(no, items, tag):
    """One FETCH response: items are (name, literal bytes)."""
    out = b"* %d FETCH (" % no
    for i, (name, data) in enumerate(items):
        out += (b" " if i else b"") + name + b" {%d}\r\n" % len(data) + data
    return out + b")\r\n" + tag + b" OK FETCH completed\r\n"


# (section as the server names it, the literal): the rows we expect, in order
LITERALS = [
    (b"BODY[HEADER.FIELDS (FROM SUBJECT)]", b"From: a@example.org\r\nSubject: parts\r\n\r\n"),
    (b"BODY[1]", PART1),
    (b"BODY[2.MIME]", MIME2),
    (b"BODY[2]", B64),
    (b"BINARY[2]", ATTACHMENT[:300]),
    (b"BODY[2]<0>", B64[:100]),
    (b"BODY[HEADER]", HEADER2),
    (b"BODY[TEXT]", TEXT2),
    (b"BODY[2]", B64_3),
]


def session():
    L = dict(LITERALS)
    return [("s", b"* OK IMAP ready\r\n"), ("c", b"a1 LOGIN bob secret\r\n"), ("s", b"a1 OK\r\n"),
            ("c", b"a2 SELECT INBOX\r\n"), ("s", b"* 2 EXISTS\r\na2 OK [READ-WRITE] done\r\n"),
            ("c", b"a3 FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])\r\n"),
            ("s", fetch(1, [(b"BODY[HEADER.FIELDS (FROM SUBJECT)]",
                             L[b"BODY[HEADER.FIELDS (FROM SUBJECT)]"])], b"a3")),
            ("c", b"a4 FETCH 1 (BODY.PEEK[1])\r\n"), ("s", fetch(1, [(b"BODY[1]", PART1)], b"a4")),
            ("c", b"a5 FETCH 1 (BODY.PEEK[2.MIME] BODY.PEEK[2])\r\n"),
            ("s", fetch(1, [(b"BODY[2.MIME]", MIME2), (b"BODY[2]", B64)], b"a5")),
            ("c", b"a6 FETCH 1 (BINARY.PEEK[2]<0.300>)\r\n"),
            ("s", fetch(1, [(b"BINARY[2]", ATTACHMENT[:300])], b"a6")),
            ("c", b"a7 FETCH 1 (BODY.PEEK[2]<0.100>)\r\n"),
            ("s", fetch(1, [(b"BODY[2]<0>", B64[:100])], b"a7")),
            ("c", b"a8 FETCH 2 (BODY.PEEK[HEADER] BODY.PEEK[TEXT])\r\n"),
            ("s", fetch(2, [(b"BODY[HEADER]", HEADER2), (b"BODY[TEXT]", TEXT2)], b"a8")),
            ("c", b"a10 FETCH 3 (UID BODYSTRUCTURE)\r\n"),
            ("s", b"* 3 FETCH (UID 12 BODYSTRUCTURE " + STRUCTURE3 + b")\r\na10 OK\r\n"),
            ("c", b"a11 FETCH 3 (BODY.PEEK[2])\r\n"), ("s", fetch(3, [(b"BODY[2]", B64_3)], b"a11")),
            ("c", b"a9 LOGOUT\r\n"), ("s", b"* BYE\r\na9 OK\r\n")]


def analyze(c, pcap, out, what):
    """analyze pcap into out: its files rows and the SHA-256 of its artifacts."""
    r = subprocess.run([z.PCAPCASE, "analyze", "-q", "-o", out, pcap],
                       capture_output=True, text=True, timeout=300)
    c.eq(r.returncode, 0, f"{what}: exit status ({r.stderr[:200]})")
    rows = z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))
    return rows, set(n.split(".")[0] for n in os.listdir(os.path.join(out, "artifacts")))


def tshark_objects_kept(c, pcap, arts, d, what):
    """tshark's imf objects of pcap are all among our artifacts (SHA-256)."""
    if not shutil.which("tshark"):
        c.skip(what, "tshark not installed")
        return
    exp = os.path.join(d, "tshark-" + what)
    os.mkdir(exp)
    subprocess.run(["tshark", "-r", pcap, "-q", "--export-objects", "imf," + exp],
                   capture_output=True, timeout=300)
    objs = [sha(open(os.path.join(exp, n), "rb").read()) for n in os.listdir(exp)]
    c.check(len(objs) >= 4, f"{what}: tshark exported the literals ({len(objs)})")
    c.eq([o for o in objs if o not in arts], [], f"{what}: every tshark imf object is an artifact")


def recorded(c, d):
    """imaplib against dovecot (tests/lab/files/imap_parts.pcap, record_parts.sh):
    header lists, BODYSTRUCTURE, 1.MIME + 1, 2.MIME + 2, 2 alone, BINARY[2]
    (a literal8), 3.2, RFC822.HEADER then TEXT, a whole BODY[]."""
    lab = os.path.join(z.SOURCE_DIR, "tests", "lab", "files")
    truth = json.load(open(os.path.join(lab, "truth_parts.json")))
    pcap = os.path.join(lab, "imap_parts.pcap")
    rows, arts = analyze(c, pcap, os.path.join(d, "recorded"), "recorded")
    sections = sorted((r["section"], r["sha256"], r["seen_bytes"]) for r in rows if r.get("section"))
    want = sorted((lit["item"], lit["sha256"], lit["length"]) for lit in truth["literals"]
                  if lit["item"] != "BODY[]")
    c.eq(sections, want, "recorded: every section literal kept as fetched (11, BINARY's "
         "literal8 too), named")
    files = truth["files"]
    whole = [(r["sha256"], r["seen_bytes"]) for r in rows
             if r.get("declared_mime_type") == "message/rfc822" and not r.get("section")]
    c.eq(whole, [(files["message2"]["sha256"], files["message2"]["size"])],
         "recorded: BODY[] of message 2 is the whole message")
    report = [(r.get("filename"), r.get("declared_mime_type"), r.get("section"))
              for r in rows if r["sha256"] == files["report.bin"]["sha256"]]
    c.eq(sorted(report, key=str),
         sorted([("report.bin", "application/octet-stream", None)] * 2 + [(None, None, "BINARY[2]")],
                key=str),
         "recorded: report.bin decoded from BODY[2] after BODY[2.MIME] (commands 4 and 5), and "
         "BINARY[2] as the server decoded it")
    c.check(files["part1_decoded"]["sha256"] in {r["sha256"] for r in rows if not r.get("section")},
            "recorded: part 1 (quoted-printable) decoded after BODY[1.MIME]")
    c.check(all(r["sha256"] in arts for r in rows), "recorded: every row's bytes are an artifact")
    tshark_objects_kept(c, pcap, arts, d, "recorded")


def main():
    c = z.Checker("imap_sections")
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, "imap_sections.pcap")
        g.write_pcap(pcap, conversation(session()))
        rows, arts = analyze(c, pcap, os.path.join(d, "case"), "built")

        sections = [(r["section"], r["sha256"], r["seen_bytes"], r.get("truncated_reason"))
                    for r in rows if r.get("section")]
        want = [(name.decode(), sha(data), len(data),
                 "partial_fetch" if name.endswith(b"<0>") else None) for name, data in LITERALS]
        c.eq(sorted(sections), sorted(want), "every FETCH literal kept as fetched, its section named")
        for name, data in LITERALS:
            c.check(sha(data) in arts, f"{name.decode()} is an artifact")
        c.check(all(r.get("source") == "IMAP" and r.get("is_orig") is False
                    for r in rows), "every row is IMAP, sent by the server")

        # decoded with the header block fetched before them
        decoded = {r["sha256"]: r for r in rows if not r.get("section")}
        att = decoded.get(sha(ATTACHMENT))
        c.eq(att and (att.get("filename"), att.get("declared_mime_type"), att["seen_bytes"],
                      att.get("truncated")),
             ("report.bin", "application/octet-stream", len(ATTACHMENT), False),
             "BODY[2] after BODY[2.MIME]: the base64 attachment decoded whole, named")
        c.check(sha(ATTACHMENT) in arts, "the decoded attachment is an artifact")
        qp = decoded.get(sha(QP_TEXT))
        c.eq(qp and (qp.get("declared_mime_type"), qp["seen_bytes"]), ("text/plain", len(QP_TEXT)),
             "BODY[TEXT] after BODY[HEADER]: the quoted-printable part decoded")
        pdf = decoded.get(sha(b"%PDF-1.4 two"))
        c.eq(pdf and (pdf.get("filename"), pdf.get("mime_type")), ("two.pdf", "application/pdf"),
             "BODY[TEXT] after BODY[HEADER]: the PDF attachment decoded, named")
        three = decoded.get(sha(PDF3))
        c.eq(three and (three.get("filename"), three.get("mime_type"), three["seen_bytes"]),
             ("three.pdf", "application/pdf", len(PDF3)),
             "BODY[2] after BODYSTRUCTURE only: decoded by the structure's encoding, named")
        c.eq(len(decoded), 4, "nothing else decoded: not message 1's BODY[1] (no header block "
             "nor structure), not the slice, not BINARY (the server decoded it)")

        tshark_objects_kept(c, pcap, arts, d, "built")
        recorded(c, d)
    c.done()


if __name__ == "__main__":
    main()
