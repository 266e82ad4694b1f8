"""Files beyond HTTP, the second recordings (issue 18): the features the
first lab captures lack, each carved file against the truth computed before
it was sent (tests/lab/files/truth_more.json, made by content_more.py; the
captures by record_more.sh).

- smb3_more.pcap: samba capped at 64 KiB per READ/WRITE, so smbclient reads
  an 800 KB file with 13 READs in flight (answered out of order: message
  ids 9 10 12 11 13 15 14 ...) and writes 400 KB with 7 WRITEs;
  mget/mput of three files each; the big file read twice; a file put, then
  renamed, then deleted.
- ftp_more.pcap (ftplib + pyftpdlib): REST 12345 + RETR is the file from
  offset 12345 — partial, its first 12345 bytes missing, never the whole
  file; a RETR over PORT; STOU; MLSD/LIST/NLST listings; TYPE A.
- vsftpd.pcap: curl against vsftpd, RETR and STOR.
- smtp_more.pcap: three messages in one session, one 8-bit (BODY=8BITMIME).
- pop3_more.pcap: TOP 1 10 (the head of a message, not the message) and
  three RETRs in one session.
- imap_more.pcap: UID FETCH BODY.PEEK[], FETCH 3 (BODY[1]), FETCH 2
  BODY[]<0.1000> (the first 1000 bytes, not the message), FETCH 1:3 BODY[],
  and APPEND (a message the client uploads).
- tftp_more.pcap: blksize 1024 (RFC 2348), a 1024-byte file (its last DATA
  block empty), a netascii transfer.
- built here: TFTP servers answering from port 69; a 70 MB file whose block
  numbers wrap (tftp_large); a flood of requests.
"""
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "lab", "files")
TRUTH = json.load(open(os.path.join(LAB, "truth_more.json"), encoding="utf-8"))
FILES = TRUTH["files"]


def content(rel):
    """A file as content_more.py makes it (deterministic: the bytes sent)."""
    if not hasattr(content, "dir"):
        content.dir = tempfile.mkdtemp(prefix="pcf-more-")
        subprocess.run([sys.executable, os.path.join(LAB, "content_more.py"), content.dir],
                       check=True)
    return open(os.path.join(content.dir, rel), "rb").read()


def digest(b):
    return hashlib.sha256(b).hexdigest()


def sha(name):
    return FILES[name]["sha256"]


def case(pcap, out):
    rc, err = z.analyze([os.path.join(LAB, pcap)], out)
    rows = z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))
    arts = set(os.listdir(os.path.join(out, "artifacts")))
    return rc, err, rows, arts


def by_sha(rows):
    out = {}
    for r in rows:
        out.setdefault(r.get("sha256"), []).append(r)
    return out


def smb(c):
    with tempfile.TemporaryDirectory() as out:
        rc, err, rows, arts = case("smb3_more.pcap", out)
        c.eq(rc, 0, f"smb: exit status ({err[:200]})")
        smbrows = z.read_ndjson(os.path.join(out, "logs", "smb_files.ndjson"))
    got = by_sha(rows)
    for name in ("smb/share/big.bin", "smb/upload.bin", "smb/gone.bin",
                 *(f"smb/share/many/m{i}.dat" for i in range(3)),
                 *(f"smb/put/p{i}.dat" for i in range(3))):
        c.check(sha(name) in arts, f"smb: {name} carved whole")
    big = got.get(sha("smb/share/big.bin"), [])
    c.eq(len(big), 2, "smb: big.bin read twice, two rows with its SHA-256")
    c.eq(sorted((r["seen_bytes"], r["missing_bytes"], r["total_bytes"]) for r in big),
         [(800000, 0, 800000)] * 2, "smb: big.bin sizes")
    reads = [r for r in smbrows if r.get("name") == "big.bin"]
    c.eq([(r["action"], r["size"], r["seen_bytes"], r["complete"]) for r in reads],
         [("SMB::FILE_READ", 800000, 800000, True)] * 2, "smb: big.bin smb_files rows")
    up = [r for r in smbrows if r.get("name") == "upload.bin"]
    c.eq([(r["action"], r["seen_bytes"], r["complete"]) for r in up],
         [("SMB::FILE_WRITE", 400000, True)], "smb: upload.bin smb_files row")
    many = sorted(r["name"] for r in smbrows if r.get("action") == "SMB::FILE_READ"
                  and r.get("name", "").startswith("many"))
    c.eq(many, ["many\\m0.dat", "many\\m1.dat", "many\\m2.dat"], "smb: mget, three reads")
    puts = sorted(r["name"] for r in smbrows if r.get("action") == "SMB::FILE_WRITE"
                  and r.get("name", "").startswith("p"))
    c.eq(puts, ["p0.dat", "p1.dat", "p2.dat"], "smb: mput, three writes")
    # gone.bin: written, closed; opened and renamed to gone2.bin; deleted
    gone = [(r["action"], r.get("name"), r.get("prev_name")) for r in smbrows
            if "gone" in (r.get("name") or "")]
    c.eq(gone, [("SMB::FILE_WRITE", "gone.bin", None),
                ("SMB::FILE_RENAME", "gone2.bin", "gone.bin"),
                ("SMB::FILE_DELETE", "gone2.bin", None)],
         "smb: the put file renamed, then deleted (smb_files actions)")


def ftp(c):
    with tempfile.TemporaryDirectory() as out:
        rc, err, rows, arts = case("ftp_more.pcap", out)
        c.eq(rc, 0, f"ftp: exit status ({err[:200]})")
        ftplog = z.read_ndjson(os.path.join(out, "logs", "ftp.ndjson"))
    got = by_sha(rows)
    # REST 12345 + RETR: the bytes from 12345 on, partial, the head missing
    rest = got.get(sha("ftp/pub/resume.bin@rest"), [])
    c.eq(len(rest), 1, "ftp: the resumed RETR's bytes carved once")
    for r in rest:
        c.eq((r["filename"], r["seen_bytes"], r["missing_bytes"], r.get("missing_ranges"),
              r.get("truncated"), r.get("truncated_reason")),
             ("pub/resume.bin", 30000 - TRUTH["ftp_rest_offset"], TRUTH["ftp_rest_offset"],
              [{"start": 0, "end": TRUTH["ftp_rest_offset"]}], True, "resumed"),
             "ftp: REST 12345 + RETR is partial, its first 12345 bytes missing")
        c.eq(r.get("extracted"), "artifacts/" + r["sha256"] + ".partial",
             "ftp: the resumed bytes are kept as .partial, not under a whole-file name")
    c.check(sha("ftp/pub/resume.bin") not in got, "ftp: the resumed file is not the whole file")
    for name, fn in (("ftp/pub/active.bin", "pub/active.bin"),
                     ("ftp/pub/lines.txt@ascii", "pub/lines.txt")):  # as sent: CR LF
        rs = got.get(sha(name), [])
        c.eq([(r["filename"], r["missing_bytes"], r.get("truncated")) for r in rs],
             [(fn, 0, False)], f"ftp: {name} carved whole, named")
        c.check(sha(name) in arts, f"ftp: {name} is an artifact")
    c.check(sha("ftp/stou.bin") in arts, "ftp: the STOU upload is an artifact")
    # STOU: the server names the file in its reply ("150 FILE: ftpd.ozjy1dku")
    c.eq([(r.get("filename"), r.get("is_orig")) for r in got.get(sha("ftp/stou.bin"), [])],
         [("ftpd.ozjy1dku", True)], "ftp: the STOU upload named as the server chose")
    c.eq([r.get("arg") for r in ftplog if r.get("command") == "STOU"],
         ["ftp://127.0.0.1/./ftpd.ozjy1dku"], "ftp: ftp.ndjson's STOU row names the file")
    with tempfile.TemporaryDirectory() as out:
        rc, err, rows, arts = case("vsftpd.pcap", out)
    got = by_sha(rows)
    for name, fn in (("ftp/pub/active.bin", "active.bin"), ("ftp/stou.bin", "up.bin")):
        c.eq([r["filename"] for r in got.get(sha(name), [])], [fn], f"vsftpd: {name} carved")


def stuffed(msg):
    """msg as SMTP DATA / a POP3 answer carries it: a '.' doubled at every line start."""
    return b"\r\n".join(b"." + l if l.startswith(b".") else l for l in msg.split(b"\r\n"))


def wire(name):
    """The SHA-256 of a message as sent: what the row's encoded_sha256 names."""
    return (digest(stuffed(content(name))), "dot-stuffing")


def wire_rows(rows, source):
    return [(r.get("encoded_sha256"), r.get("content_encoding")) for r in rows
            if r.get("source") == source and r.get("declared_mime_type") == "message/rfc822"]


def mime_part_body(msg, n):
    """The body of top-level MIME part n (1-based) of a multipart message,
    byte for byte: what IMAP's BODY[n] returns (RFC 9051 6.4.5)."""
    head, body = msg.split(b"\r\n\r\n", 1)
    boundary = re.search(rb'boundary="?([^";\r\n]+)"?', head, re.I).group(1)
    # the CRLF before a delimiter line belongs to it; [0] is the preamble
    part = (b"\r\n" + body).split(b"\r\n--" + boundary)[n]
    part = part.split(b"\r\n", 1)[1]  # the rest of the delimiter line
    return part.split(b"\r\n\r\n", 1)[1]


def mail_rows(rows, source):
    return [(r["sha256"], r["seen_bytes"]) for r in rows if r.get("source") == source
            and r.get("declared_mime_type") == "message/rfc822"]


def whole(name):
    return (sha(name), FILES[name]["size"])


def smtp(c):
    with tempfile.TemporaryDirectory() as out:
        rc, err, rows, arts = case("smtp_more.pcap", out)
        c.eq(rc, 0, f"smtp: exit status ({err[:200]})")
        log = z.read_ndjson(os.path.join(out, "logs", "smtp.ndjson"))
    c.eq(mail_rows(rows, "SMTP"), [whole(f"mail/more{n}.eml") for n in (1, 2, 3)],
         "smtp: three messages in one session")
    for n in (1, 2, 3):
        for p in TRUTH["messages"][f"more{n}"]:
            c.check(p["sha256"] in arts, f"smtp: more{n} {p['media_type']} part carved")
    c.eq(len(log), 3, "smtp: three smtp.ndjson rows")
    # each message as sent, dot-stuffing kept, is kept too (tshark's objects)
    c.eq(wire_rows(rows, "SMTP"), [wire(f"mail/more{n}.eml") for n in (1, 2, 3)],
         "smtp: the messages as sent (lines starting with '.' doubled) kept, named on the row")
    c.check(all(h in arts for h, _ in wire_rows(rows, "SMTP")),
            "smtp: the messages as sent are artifacts")


def pop3(c):
    with tempfile.TemporaryDirectory() as out:
        rc, err, rows, arts = case("pop3_more.pcap", out)
        c.eq(rc, 0, f"pop3: exit status ({err[:200]})")
    msgs = [r for r in rows if r.get("source") == "POP3"
            and r.get("declared_mime_type") == "message/rfc822"]
    whole_ones = [(r["sha256"], r["seen_bytes"]) for r in msgs if not r.get("truncated")]
    c.eq(whole_ones, [whole(f"mail/more{n}.eml") for n in (1, 2, 3)],
         "pop3: the three RETRs are the whole messages")
    c.eq([w for w, r in zip(wire_rows(rows, "POP3"), msgs) if not r.get("truncated")],
         [wire(f"mail/more{n}.eml") for n in (1, 2, 3)],
         "pop3: the RETRs as sent (dot-stuffed) kept too")
    # TOP 1 10: the header and the first ten lines of the body, never whole
    head, body = content("mail/more1.eml").split(b"\r\n\r\n", 1)
    top = head + b"\r\n\r\n" + b"".join(body.splitlines(True)[:10])
    c.eq([(r["sha256"], r["seen_bytes"], r.get("truncated_reason")) for r in msgs
          if r.get("truncated")], [(digest(top), len(top), "partial_fetch")],
         "pop3: TOP 1 10 is the head of message 1, truncated (partial_fetch)")
    cut = [r for r in rows if r.get("source") == "POP3" and r.get("truncated")
           and r.get("declared_mime_type") == "text/plain"]
    c.eq([r.get("truncated_reason") for r in cut], ["partial_fetch"],
         "pop3: the text part TOP cut is truncated too")


def imap(c):
    with tempfile.TemporaryDirectory() as out:
        rc, err, rows, arts = case("imap_more.pcap", out)
        c.eq(rc, 0, f"imap: exit status ({err[:200]})")
    msgs = [r for r in rows if r.get("source") == "IMAP"
            and r.get("declared_mime_type") == "message/rfc822"]
    whole_ones = [(r["sha256"], r["seen_bytes"]) for r in msgs if not r.get("truncated")]
    c.eq(whole_ones[:1], [whole("mail/more1.eml")], "imap: UID FETCH BODY.PEEK[] is more1")
    c.check(all(whole(f"mail/more{n}.eml") in whole_ones for n in (1, 2, 3)),
            "imap: FETCH 1:3 BODY[] gives the three messages")
    fetched = [(r["sha256"], r["seen_bytes"]) for r in msgs
               if not r.get("truncated") and not r.get("is_orig")]
    c.eq(len(fetched), 4, "imap: four whole messages fetched (UID FETCH, then 1:3)")
    # APPEND: the client uploads more4, a whole message sent by the originator
    up = [(r["sha256"], r["seen_bytes"]) for r in msgs if r.get("is_orig")]
    c.eq(up, [whole("mail/more4.eml")], "imap: the APPENDed message, sent by the client")
    for p in TRUTH["messages"]["more4"]:
        c.check(p["sha256"] in arts, f"imap: APPENDed more4 {p['media_type']} part carved")
    # FETCH 2 BODY[]<0.1000>: the first 1000 bytes of message 2, never whole
    head = content("mail/more2.eml")[:1000]
    c.eq([(r["sha256"], r["seen_bytes"], r.get("truncated_reason")) for r in msgs
          if r.get("truncated")], [(digest(head), 1000, "partial_fetch")],
         "imap: BODY[]<0.1000> is the first 1000 bytes of message 2, truncated")
    # FETCH 3 (BODY[1]): part 1 of message 3 as the server sent it (still
    # transfer-encoded: no BODY[1.MIME] was fetched to say how), one row
    # naming the section; tshark exports the same bytes
    part1 = mime_part_body(content("mail/more3.eml"), 1)
    c.eq([(r["sha256"], r["seen_bytes"], r.get("is_orig"), r.get("truncated"))
          for r in rows if r.get("section") == "BODY[1]"],
         [(digest(part1), len(part1), False, False)],
         "imap: FETCH 3 (BODY[1]) is part 1 of message 3 as fetched, one row")
    c.check(digest(part1) in arts, "imap: BODY[1] of message 3 is an artifact")


def tftp(c):
    with tempfile.TemporaryDirectory() as out:
        rc, err, rows, arts = case("tftp_more.pcap", out)
        c.eq(rc, 0, f"tftp: exit status ({err[:200]})")
    got = by_sha(rows)
    for name, fn in (("tftp/root/blk.bin", "blk.bin"), ("tftp/root/exact.bin", "exact.bin")):
        c.eq([(r["filename"], r["seen_bytes"], r.get("truncated")) for r in got.get(sha(name), [])],
             [(fn, FILES[name]["size"], False)], f"tftp: {fn} whole")
        c.check(sha(name) in arts, f"tftp: {fn} is an artifact")


def tftp_empty(c):
    """A built capture: RRQ for an empty file, its one DATA block empty, the
    ACK: a whole empty file, typed as `file` types one (libmagic of no
    bytes).  Without the DATA block there is no file (nothing was sent)."""
    import pcapgen as g
    cli, srv = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    rrq = b"\x00\x01empty.cfg\x00octet\x00"
    frames = [(1700000000.0, g.udp_frame(cli, srv, 50000, 69, rrq)),
              (1700000000.1, g.udp_frame(srv, cli, 50001, 50000, b"\x00\x03\x00\x01")),
              (1700000000.2, g.udp_frame(cli, srv, 50000, 50001, b"\x00\x04\x00\x01"))]
    whole = ("empty.cfg", 0, hashlib.sha256(b"").hexdigest(), "application/x-empty", "empty",
             None, 2, 2)
    with tempfile.TemporaryDirectory() as out:
        for name, kept, want in (("whole", frames, [whole]), ("no data", frames[:1], [])):
            pcap = os.path.join(out, "t.pcap")
            g.write_pcap(pcap, kept)
            rc, err = z.analyze([pcap], os.path.join(out, name))
            c.eq(rc, 0, f"tftp empty ({name}): exit status ({err[:200]})")
            rows = z.read_ndjson(os.path.join(out, name, "logs", "files.ndjson"))
            c.eq([(r.get("filename"), r.get("seen_bytes"), r.get("sha256"), r.get("mime_type"),
                   r.get("description"), r.get("truncated_reason"), r.get("first_frame"),
                   r.get("last_frame")) for r in rows], want,
                 f"tftp empty ({name}): the files rows")


def tftp_port69(c):
    """Built: servers that answer from port 69 itself, not from a new port
    (some embedded and PXE servers; tshark follows them): an RRQ of a
    612-byte file in two blocks, and a WRQ whose DATA goes to port 69, from
    one client port one after the other.  Each file whole, by SHA-256, with
    its own fuid; tshark (when installed) exports the same bytes."""
    import pcapgen as g
    cli, srv = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    got_file = bytes((i * 7 + 3) % 251 for i in range(612))
    put_file = b"configuration pushed to the device\n" * 3
    t = [1700000000.0]

    def pkt(from_cli, payload):
        t[0] += 0.01
        src, dst, sp, dp = (cli, srv, 50000, 69) if from_cli else (srv, cli, 69, 50000)
        return (t[0], g.udp_frame(src, dst, sp, dp, payload))
    frames = [pkt(True, b"\x00\x01got.bin\x00octet\x00"),
              pkt(False, b"\x00\x03\x00\x01" + got_file[:512]),
              pkt(True, b"\x00\x04\x00\x01"),
              pkt(False, b"\x00\x03\x00\x02" + got_file[512:]),
              pkt(True, b"\x00\x04\x00\x02"),
              pkt(True, b"\x00\x02put.txt\x00octet\x00"),
              pkt(False, b"\x00\x04\x00\x00"),
              pkt(True, b"\x00\x03\x00\x01" + put_file),
              pkt(False, b"\x00\x04\x00\x01")]
    want = [("got.bin", len(got_file), digest(got_file), False, 2, 4),
            ("put.txt", len(put_file), digest(put_file), True, 8, 8)]
    with tempfile.TemporaryDirectory() as out:
        pcap = os.path.join(out, "port69.pcap")
        g.write_pcap(pcap, frames)
        for jobs in ("1", "2"):
            case_dir = os.path.join(out, "case" + jobs)
            rc, err = z.analyze([pcap], case_dir, ["--jobs", jobs])
            c.eq(rc, 0, f"tftp port 69: exit status ({err[:200]})")
            rows = z.read_ndjson(os.path.join(case_dir, "logs", "files.ndjson"))
            c.eq([(r.get("filename"), r.get("seen_bytes"), r.get("sha256"), r.get("is_orig"),
                   r.get("first_frame"), r.get("last_frame")) for r in rows], want,
                 f"tftp port 69 (--jobs {jobs}): both files whole")
            c.check(len({r.get("fuid") for r in rows}) == 2, f"tftp port 69: two fuids {rows}")
            c.check(all(os.path.exists(os.path.join(case_dir, "artifacts", w[2])) for w in want),
                    "tftp port 69: both files are artifacts")
        if shutil.which("tshark"):
            objs = os.path.join(out, "objs")
            os.mkdir(objs)
            subprocess.run(["tshark", "-r", pcap, "-q", "--export-objects", "tftp," + objs],
                           capture_output=True, check=False)
            tsh = sorted(digest(open(os.path.join(objs, f), "rb").read())
                         for f in os.listdir(objs))
            c.eq(tsh, sorted(w[2] for w in want), "tftp port 69: tshark exports the same files")
        else:
            print("tshark not installed: its check is skipped")


def tftp_large(c):
    """Built: a file larger than any buffer a transfer may keep, as a PXE
    boot's kernel or initrd is: 70,000,000 bytes in 512-byte blocks (136,719
    DATA blocks: the block number wraps past 65535 to 0, twice), each block
    acknowledged, one block sent twice around the first wrap (a
    retransmission).  Whole, by SHA-256, and kept as an artifact.  Until
    2026-12-01 a transfer's bytes were gathered in a buffer of at most
    64 MiB first: this file's row was truncated ("unterminated") with no
    hash, and nothing was kept.  A second transfer the capture cuts off
    (its last, short block never came) is counted, not kept."""
    import pcapgen as g
    cli, srv = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    big = random.Random(1764547200).randbytes(70000000)
    cut = random.Random(7).randbytes(4096)
    t = [1700000000.0]

    def pkt(from_cli, cport, sport, payload):
        t[0] += 1e-5
        src, dst, sp, dp = (cli, srv, cport, sport) if from_cli else (srv, cli, sport, cport)
        return (t[0], g.udp_frame(src, dst, sp, dp, payload))

    def transfer(cport, sport, name, data, stop=None):
        yield pkt(True, cport, 69, b"\x00\x01" + name + b"\x00octet\x00")
        nblocks = len(data) // 512 + 1
        for b in range(1, (stop or nblocks) + 1):
            block = b"\x00\x03" + struct.pack("!H", b & 0xFFFF) + data[(b - 1) * 512:b * 512]
            yield pkt(False, cport, sport, block)
            if b == 65537:  # the first block after the wrap, sent again
                yield pkt(False, cport, sport, block)
            yield pkt(True, cport, sport, b"\x00\x04" + struct.pack("!H", b & 0xFFFF))

    frames = itertools.chain(transfer(50000, 40000, b"initrd.img", big),
                             transfer(50001, 40001, b"cut.bin", cut, stop=4))
    with tempfile.TemporaryDirectory() as out:
        pcap = os.path.join(out, "large.pcap")
        g.write_pcap(pcap, frames)
        case_dir = os.path.join(out, "case")
        rc, err = z.analyze([pcap], case_dir)
        c.eq(rc, 0, f"tftp large: exit status ({err[:200]})")
        rows = z.read_ndjson(os.path.join(case_dir, "logs", "files.ndjson"))
        c.eq([(r.get("filename"), r.get("seen_bytes"), r.get("sha256"), r.get("truncated"),
               r.get("truncated_reason"), r.get("first_frame"), r.get("last_frame"))
              for r in rows],
             [("initrd.img", len(big), digest(big), False, None, 2, 2 * 136719 + 1),
              ("cut.bin", 2048, None, True, "unterminated", 2 * 136719 + 4, 2 * 136719 + 10)],
             "tftp large: the 70 MB file whole; the cut one counted, not kept")
        art = os.path.join(case_dir, "artifacts", digest(big))
        c.eq(os.path.getsize(art) if os.path.exists(art) else None, len(big),
             "tftp large: the file is an artifact")
        c.eq(sorted(os.listdir(os.path.join(case_dir, "artifacts"))), [digest(big)],
             "tftp large: nothing of the cut transfer is kept")


def tftp_window(c):
    """Built: RFC 7440's windowsize (PXE boots from Windows Deployment
    Services send several blocks per ACK), recorded on the receiver's side
    of a loss: windowsize 4, a 5,000-byte file in 512-byte blocks; block 6
    is lost on the way, so the client sees 5, 7, 8, ACKs 5, and the server
    sends 6, 7, 8, 9 again, then 10 (short).  The file is whole, by
    SHA-256, with the frames of its first and last block.  Until 2026-12-01
    a block ahead of the next was taken at once, the gap skipped, and the
    file logged "incomplete" with no hash.  A second transfer whose block 6
    never comes (lost by the capture, not the network) is incomplete: 512
    bytes missing, the rest counted, nothing kept."""
    import pcapgen as g
    cli, srv = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    data = bytes((i * 31 + 5) % 256 for i in range(5000))
    t = [1700000000.0]
    frames = []

    def pkt(from_cli, cport, sport, payload):
        t[0] += 0.001
        src, dst, sp, dp = (cli, srv, cport, sport) if from_cli else (srv, cli, sport, cport)
        frames.append((t[0], g.udp_frame(src, dst, sp, dp, payload)))
        return len(frames)

    def block(cport, sport, n):
        return pkt(False, cport, sport, b"\x00\x03" + struct.pack("!H", n) +
                   data[(n - 1) * 512:n * 512])

    def ack(cport, sport, n):
        pkt(True, cport, sport, b"\x00\x04" + struct.pack("!H", n))

    def transfer(cport, sport, name, order):
        pkt(True, cport, 69, b"\x00\x01" + name + b"\x00octet\x00windowsize\x004\x00")
        pkt(False, cport, sport, b"\x00\x06windowsize\x004\x00")
        ack(cport, sport, 0)
        at = {}
        for n in order:
            if n < 0:
                ack(cport, sport, -n)
            else:
                at.setdefault(n, block(cport, sport, n))
        return at

    whole = transfer(50000, 40000, b"boot.wim", [1, 2, 3, 4, -4, 5, 7, 8, -5, 6, 7, 8, 9, -9, 10,
                                                  -10])
    cut = transfer(50001, 40001, b"cut.wim", [1, 2, 3, 4, -4, 5, 7, 8, 9, -5, 10, -10])
    with tempfile.TemporaryDirectory() as out:
        pcap = os.path.join(out, "window.pcap")
        g.write_pcap(pcap, frames)
        for jobs in ("1", "2"):
            case_dir = os.path.join(out, "case" + jobs)
            rc, err = z.analyze([pcap], case_dir, ["--jobs", jobs])
            c.eq(rc, 0, f"tftp window: exit status ({err[:200]})")
            rows = z.read_ndjson(os.path.join(case_dir, "logs", "files.ndjson"))
            c.eq([(r.get("filename"), r.get("seen_bytes"), r.get("missing_bytes"),
                   r.get("sha256"), r.get("truncated_reason"), r.get("first_frame"),
                   r.get("last_frame")) for r in rows],
                 [("boot.wim", 5000, 0, digest(data), None, whole[1], whole[10]),
                  ("cut.wim", 5000 - 512, 512, None, "incomplete", cut[1], cut[10])],
                 f"tftp window (--jobs {jobs}): the file whole after the loss; the cut one "
                 f"incomplete")
            c.eq(sorted(os.listdir(os.path.join(case_dir, "artifacts"))), [digest(data)],
                 "tftp window: the whole file kept, nothing of the cut one")


def tftp_flood(c):
    """Hostile input: 60,000 read requests from as many ports, then a packet
    to port 69 from each port again.  Every request and every packet was
    matched against all requests kept (224 s here before the registry had
    buckets by client address and port; 3.6 s after): a hang guard as in the
    corpus sweep, not a speed test — the run must end within 120 s, with no
    file (no data was sent) and every request a tftp connection."""
    import pcapgen as g
    cli, srv = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    n = 60000
    frames = [(1700000000 + i * 1e-4, g.udp_frame(cli, srv, 1024 + i, 69,
                                                  b"\x00\x01f%d\x00octet\x00" % i))
              for i in range(n)]
    frames += [(1700000010 + i * 1e-4, g.udp_frame(cli, srv, 1024 + i, 69, b"\x00\x04\x00\x01"))
               for i in range(n)]
    with tempfile.TemporaryDirectory() as out:
        pcap = os.path.join(out, "flood.pcap")
        g.write_pcap(pcap, frames)
        case_dir = os.path.join(out, "case")
        try:
            r = subprocess.run([z.PCAPCASE, "analyze", "--quiet", "-o", case_dir, pcap],
                               capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            c.check(False, "tftp flood: analyze still running after 120 s (quadratic lookups?)")
            return
        c.eq(r.returncode, 0, f"tftp flood: exit status ({r.stderr[:200]})")
        rows = z.read_ndjson(os.path.join(case_dir, "logs", "files.ndjson"))
        c.eq(len(rows), 0, "tftp flood: no file (no data was sent)")
        conns = z.read_ndjson(os.path.join(case_dir, "logs", "conn.ndjson"))
        c.eq(sum(1 for x in conns if x.get("service") == "tftp"), n,
             "tftp flood: every request is a tftp connection")


def main():
    c = z.Checker("files_more")
    smb(c)
    ftp(c)
    smtp(c)
    pop3(c)
    imap(c)
    tftp(c)
    tftp_empty(c)
    tftp_port69(c)
    tftp_large(c)
    tftp_window(c)
    tftp_flood(c)
    if hasattr(content, "dir"):
        shutil.rmtree(content.dir)
    c.done()


if __name__ == "__main__":
    main()
