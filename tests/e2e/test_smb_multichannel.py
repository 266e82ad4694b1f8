"""SMB 3 multichannel: one session over two TCP connections between the same
two hosts (the second bound with SESSION_SETUP and SMB2_SESSION_FLAG_BINDING),
built here with pcapgen.  A file opened (CREATE) on connection A and read,
then closed, on connection B is carved whole with its SHA-256; a file created
on B (in a tree connected on A) and written on A likewise; a file opened on A
whose second half was asked on B but never answered is partial, with its
missing range and no hash.  smb_files.ndjson has one row per open: the share
and name from the open, the uid of the connection where the file's data
moved, closed and complete as they were.  (main before file ids were
followed per session carved neither file: both moved on the other channel.)"""
import hashlib
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen as g  # noqa: E402
import zeekcmp as z  # noqa: E402

CLIENT = g.Host(bytes([10, 0, 0, 5]), b"\x02\x00\x00\x00\x00\x05")
SERVER = g.Host(bytes([10, 0, 0, 9]), b"\x02\x00\x00\x00\x00\x09")
SESSION = 0x0000100000000041
TREE = 5
SHARE = "\\\\SRV\\share"

NEGOTIATE, SESSION_SETUP, TREE_CONNECT, CREATE, CLOSE, READ, WRITE = 0, 1, 3, 5, 6, 8, 9
FLAG_RESPONSE = 1
SESSION_FLAG_BINDING = 1


def content(seed, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s-%d" % (seed, i)).digest()
        i += 1
    return out[:n]


REPORT = content(b"report", 65536)   # opened on A, read on B
UPLOAD = content(b"upload", 5000)    # created on B, written on A
BIG = content(b"big", 65536)         # opened on A, half read on B


def fid(n):
    return struct.pack("<QQ", 0x100 + n, 0x7000000 + n)


def header(cmd, mid, response=False, tree=TREE, session=SESSION, status=0):
    return (b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", 64, 1, status, cmd, 1,
                                     FLAG_RESPONSE if response else 0, 0, mid, 0, tree, session)
            + b"\x00" * 16)


def nbss(pdu):
    return b"\x00" + struct.pack(">I", len(pdu))[1:] + pdu


def utf16(s):
    return s.encode("utf-16-le")


def session_setup_req(mid, binding):
    body = struct.pack("<HBBIIHHQ", 25, SESSION_FLAG_BINDING if binding else 0, 1, 0, 0,
                       64 + 24, 0, 0)
    return header(SESSION_SETUP, mid, tree=0) + body


def session_setup_resp(mid):
    return header(SESSION_SETUP, mid, True, tree=0) + struct.pack("<HHHH", 9, 0, 64 + 8, 0)


def tree_connect_req(mid, path):
    p = utf16(path)
    return header(TREE_CONNECT, mid, tree=0) + struct.pack("<HHHH", 9, 0, 64 + 8, len(p)) + p


def tree_connect_resp(mid):
    return header(TREE_CONNECT, mid, True) + struct.pack("<HBBIII", 16, 1, 0, 0, 0, 0x1F01FF)


def create_req(mid, name):
    n = utf16(name)
    body = struct.pack("<HBBIQQIIIII", 57, 0, 0, 2, 0, 0, 0x12019F, 0x80, 7, 3, 0x40)
    body += struct.pack("<HHII", 64 + 56, len(n), 0, 0)
    return header(CREATE, mid) + body + n


FT = 132500000000000000  # 2020-11-17, a FILETIME


def create_resp(mid, f, size):
    body = struct.pack("<HBBIQQQQQQII", 89, 0, 0, 1, FT, FT + 1, FT + 2, FT + 3, size, size,
                       0x80, 0) + f + struct.pack("<II", 0, 0)
    return header(CREATE, mid, True) + body


def read_req(mid, f, off, length):
    body = struct.pack("<HBBIQ", 49, 0, 0, length, off) + f + struct.pack("<IIIHHB", 1, 0, 0,
                                                                          0, 0, 0)
    return header(READ, mid) + body


def read_resp(mid, data):
    return header(READ, mid, True) + struct.pack("<HBBIII", 17, 64 + 16, 0, len(data), 0, 0) + data


def write_req(mid, f, off, data):
    body = struct.pack("<HHIQ", 49, 64 + 48, len(data), off) + f + struct.pack("<IIHHI", 0, 0, 0,
                                                                               0, 0)
    return header(WRITE, mid) + body + data


def write_resp(mid, n):
    return header(WRITE, mid, True) + struct.pack("<HHIIHH", 17, 0, n, 0, 0, 0)


def close_req(mid, f):
    return header(CLOSE, mid) + struct.pack("<HHI", 24, 0, 0) + f


def close_resp(mid):
    return header(CLOSE, mid, True) + struct.pack("<HHIQQQQQQI", 60, 0, 0, 0, 0, 0, 0, 0, 0, 0)


class Channels:
    """Two connections between CLIENT and SERVER on one clock: each exchange
    is a request and (unless None) its response on one of them."""

    def __init__(self, t0):
        self.t = t0
        self.conv = {p: g.TcpConversation(CLIENT, SERVER, p, 445, t0, isn=(1000 + p, 9000 + p))
                     for p in (50001, 50002)}
        self.mid = {p: 0 for p in self.conv}

    def start(self, port):
        self.on(port, lambda cv: cv.handshake())

    def on(self, port, what):
        cv = self.conv[port]
        cv.t = self.t
        what(cv)
        self.t = cv.t + 0.001

    def exchange(self, port, request, response):
        mid = self.mid[port]
        self.mid[port] += 1
        self.on(port, lambda cv: cv.send(True, nbss(request(mid))))
        if response:
            self.on(port, lambda cv: cv.send(False, nbss(response(mid))))

    def write(self, path):
        for cv in self.conv.values():
            cv.t = self.t
            cv.close()
        frames = sorted((f for cv in self.conv.values() for f in cv.frames), key=lambda f: f[0])
        g.write_pcap(path, frames)


def build(path, partial):
    ch = Channels(1700000000.0)
    A, B = 50001, 50002
    ch.start(A)
    ch.exchange(A, lambda m: session_setup_req(m, False), session_setup_resp)
    ch.exchange(A, lambda m: tree_connect_req(m, SHARE), tree_connect_resp)
    ch.start(B)
    ch.exchange(B, lambda m: session_setup_req(m, True), session_setup_resp)
    if partial:
        ch.exchange(A, lambda m: create_req(m, "big.iso"), lambda m: create_resp(m, fid(3), len(BIG)))
        ch.exchange(B, lambda m: read_req(m, fid(3), 0, 32768),
                    lambda m: read_resp(m, BIG[:32768]))
        ch.exchange(B, lambda m: read_req(m, fid(3), 32768, 32768), None)  # never answered
        ch.exchange(A, lambda m: close_req(m, fid(3)), close_resp)
    else:
        ch.exchange(A, lambda m: create_req(m, "docs\\report.pdf"),
                    lambda m: create_resp(m, fid(1), len(REPORT)))
        ch.exchange(B, lambda m: read_req(m, fid(1), 0, 32768),
                    lambda m: read_resp(m, REPORT[:32768]))
        ch.exchange(B, lambda m: read_req(m, fid(1), 32768, 32768),
                    lambda m: read_resp(m, REPORT[32768:]))
        ch.exchange(B, lambda m: close_req(m, fid(1)), close_resp)
        ch.exchange(B, lambda m: create_req(m, "upload.bin"), lambda m: create_resp(m, fid(2), 0))
        ch.exchange(A, lambda m: write_req(m, fid(2), 0, UPLOAD[:3000]), lambda m: write_resp(m, 3000))
        ch.exchange(A, lambda m: write_req(m, fid(2), 3000, UPLOAD[3000:]),
                    lambda m: write_resp(m, 2000))
        ch.exchange(A, lambda m: close_req(m, fid(2)), close_resp)
    ch.write(path)


def analyze(c, pcap, out):
    rc, err = z.analyze([pcap], out)
    c.check(rc in (0, 1), f"{os.path.basename(pcap)}: exit {rc}: {err[:200]}")
    logs = os.path.join(out, "logs")
    conn = {r["id.orig_p"]: r["uid"] for r in z.read_ndjson(os.path.join(logs, "conn.ndjson"))}
    files = {r.get("filename"): r for r in z.read_ndjson(os.path.join(logs, "files.ndjson"))}
    path = os.path.join(logs, "smb_files.ndjson")
    smb = z.read_ndjson(path) if os.path.exists(path) else []
    return conn, files, smb


def row_of(smb, name, action):
    rows = [r for r in smb if r.get("name") == name and r.get("action") == action]
    return rows[0] if len(rows) == 1 else {}


def whole(c, tmp):
    pcap = os.path.join(tmp, "multichannel.pcap")
    build(pcap, partial=False)
    out = os.path.join(tmp, "whole")
    conn, files, smb = analyze(c, pcap, out)
    for name, data, conn_port, action, is_orig in (
            ("docs\\report.pdf", REPORT, 50002, "SMB::FILE_READ", False),
            ("upload.bin", UPLOAD, 50001, "SMB::FILE_WRITE", True)):
        sha = hashlib.sha256(data).hexdigest()
        f = files.get(name, {})
        c.eq(f.get("sha256"), sha, f"{name}: carved whole from the other channel")
        c.eq(f.get("source"), "SMB", f"{name}: source")
        c.eq(f.get("uid"), conn.get(conn_port), f"{name}: files row on the connection it moved on")
        c.eq(f.get("is_orig"), is_orig, f"{name}: direction")
        art = os.path.join(out, "artifacts", sha)
        c.check(os.path.exists(art) and open(art, "rb").read() == data, f"{name}: artifact bytes")
        r = row_of(smb, name, action)
        c.eq(r.get("uid"), conn.get(conn_port), f"{name}: smb_files uid")
        c.eq(r.get("id.orig_p"), conn_port, f"{name}: smb_files id.orig_p")
        c.eq(r.get("fuid"), f.get("fuid"), f"{name}: smb_files fuid is the files row's")
        c.eq(r.get("path"), SHARE, f"{name}: share (tree connected on A)")
        c.eq(r.get("size"), len(data), f"{name}: size")
        c.eq(r.get("seen_bytes"), len(data), f"{name}: seen_bytes")
        c.eq(r.get("missing_bytes"), 0, f"{name}: missing_bytes")
        c.eq(r.get("complete"), True, f"{name}: complete")
        c.eq(r.get("closed"), True, f"{name}: closed (CLOSE on the other channel)")
    c.eq(len(smb), 2, "smb_files: one row per open")
    services = {r["id.orig_p"]: r.get("service") for r in
                z.read_ndjson(os.path.join(out, "logs", "conn.ndjson"))}
    c.eq(services, {50001: "smb", 50002: "smb"}, "conn: both channels are smb")


def partial(c, tmp):
    pcap = os.path.join(tmp, "multichannel-partial.pcap")
    build(pcap, partial=True)
    out = os.path.join(tmp, "partial")
    conn, files, smb = analyze(c, pcap, out)
    f = files.get("big.iso", {})
    c.check(not f.get("sha256"), "big.iso: no hash for a partial file")
    c.eq(f.get("truncated"), True, "big.iso: truncated")
    c.eq(f.get("truncated_reason"), "incomplete", "big.iso: truncated_reason")
    c.eq(f.get("seen_bytes"), 32768, "big.iso: seen_bytes")
    c.eq(f.get("missing_bytes"), 32768, "big.iso: missing_bytes")
    c.eq(f.get("missing_ranges"), [{"start": 32768, "end": 65536}], "big.iso: missing_ranges")
    c.eq(f.get("uid"), conn.get(50002), "big.iso: files row on the channel it was read on")
    c.check(not os.path.exists(os.path.join(out, "artifacts", hashlib.sha256(BIG).hexdigest())),
            "big.iso: the whole file's hash is not claimed")
    r = row_of(smb, "big.iso", "SMB::FILE_READ")
    c.eq((r.get("seen_bytes"), r.get("missing_bytes"), r.get("complete"), r.get("closed")),
         (32768, 32768, False, True), "big.iso: smb_files seen, missing, complete, closed")
    c.eq(r.get("uid"), conn.get(50002), "big.iso: smb_files uid")
    c.eq(r.get("path"), SHARE, "big.iso: share")


def main():
    c = z.Checker("smb_multichannel")
    with tempfile.TemporaryDirectory() as tmp:
        whole(c, tmp)
        partial(c, tmp)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
