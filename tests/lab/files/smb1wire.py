"""smb1wire.py — the SMB1 wire of the lab's hand-built clients
(clients_core.py, clients_raw.py): only the standard library, the bytes
built by hand, field by field, as [MS-CIFS] 2.2.4 lays them out.

Smb1(host) speaks over direct TCP (port 445, NetBIOS session framing):
send() a request, message() the next session message, call() a request and
its answer (an error status stops the run), logon() negotiates LANMAN1.0,
logs on as a guest (an empty account: no password crosses the wire) and
connects \\\\HOST\\SHARE; then the opens, reads and writes both clients use.
"""
import os
import socket
import struct

SMB_HEADER = 32
PIECE = 4096


class Smb1:
    CLIENT = "clients_core"  # the native LAN manager in the session setup

    def __init__(self, host):
        self.sock = socket.create_connection((host, 445), timeout=20)
        self.tid = self.uid = 0
        self.mid = 0

    def _recv(self, n):
        out = b""
        while len(out) < n:
            got = self.sock.recv(n - len(out))
            if not got:
                raise EOFError("server closed the connection")
            out += got
        return out

    def send(self, cmd, words, data=b""):
        """One request (no AndX chain), its answer not waited for."""
        self.mid += 1
        hdr = struct.pack("<4sBIBHH8sHHHHH", b"\xffSMB", cmd, 0, 0x18, 0x0001, 0, b"\0" * 8,
                          0, self.tid, 0x1234, self.uid, self.mid)
        msg = hdr + struct.pack("<B", len(words) // 2) + words + struct.pack("<H", len(data)) + data
        self.sock.sendall(struct.pack(">I", len(msg)) + msg)

    def message(self):
        """The next NetBIOS session message (keepalives skipped)."""
        while True:
            head = self._recv(4)
            n = struct.unpack(">I", head)[0] & 0x1FFFF
            body = self._recv(n)
            if head[0] == 0x00:
                return body

    def call(self, cmd, words, data=b""):
        """One request (no AndX chain); returns (words, bytes, whole answer)."""
        self.send(cmd, words, data)
        while True:
            ans = self.message()
            if ans[4] == cmd:
                break
        status = struct.unpack_from("<I", ans, 5)[0]
        if status:
            raise RuntimeError(f"command 0x{cmd:02x}: status 0x{status:08x}")
        self.uid = self.uid or struct.unpack_from("<H", ans, 28)[0]
        wc = ans[SMB_HEADER]
        w = ans[SMB_HEADER + 1:SMB_HEADER + 1 + 2 * wc]
        bc = struct.unpack_from("<H", ans, SMB_HEADER + 1 + 2 * wc)[0]
        b = ans[SMB_HEADER + 3 + 2 * wc:SMB_HEADER + 3 + 2 * wc + bc]
        return w, b, ans

    # ---- the session ----

    def negotiate(self):
        """NEGOTIATE of LANMAN1.0 alone; returns the answer's words."""
        w, _, _ = self.call(0x72, b"", b"\x02LANMAN1.0\0")
        if struct.unpack_from("<H", w, 0)[0] != 0 or len(w) != 26:
            raise RuntimeError("LANMAN1.0 was not negotiated")
        return w

    def logon(self, host):
        self.negotiate()
        # SESSION_SETUP_ANDX, pre-NT (10 words): a guest, no password
        words = struct.pack("<BBHHHHIHI", 0xFF, 0, 0, 16644, 2, 0, 0, 0, 0)
        self.call(0x73, words, b"\0" + b"\0" + b"Unix\0" + self.CLIENT.encode() + b"\0")
        path = f"\\\\{host}\\SHARE".encode()
        _, _, ans = self.call(0x75, struct.pack("<BBHHH", 0xFF, 0, 0, 0, 1),
                              b"\0" + path + b"\0" + b"?????\0")
        self.tid = struct.unpack_from("<H", ans, 24)[0]

    # ---- opens ----

    def open_andx(self, name, extended):
        """OPEN_ANDX, read only, open if it exists ([MS-CIFS] 2.2.4.41)."""
        flags = 0x0010 if extended else 0  # REQ_EXTENDED_RESPONSE ([MS-SMB] 2.2.4.1.1)
        words = struct.pack("<BBHHHHHIHIII", 0xFF, 0, 0, flags, 0x0040, 0x0016, 0, 0, 0x0001,
                            0, 0, 0)
        w, _, _ = self.call(0x2D, words, name.encode() + b"\0")
        if len(w) != (38 if extended else 30):
            raise RuntimeError(f"OPEN_ANDX answered {len(w) // 2} words")
        return struct.unpack_from("<H", w, 4)[0]

    def core_create(self, name, cmd):
        """Core CREATE (0x03) or CREATE_NEW (0x0F); returns the fid."""
        w, _, _ = self.call(cmd, struct.pack("<HI", 0x0020, 0), b"\x04" + name.encode() + b"\0")
        return struct.unpack_from("<H", w, 0)[0]

    def close(self, fid):
        self.call(0x04, struct.pack("<HI", fid, 0xFFFFFFFF))


def read_all(c, fid, read, piece=PIECE):
    """read(c, fid, offset, piece) until an answer shorter than piece."""
    out, off = b"", 0
    while True:
        got = read(c, fid, off, piece)
        out += got
        off += len(got)
        if len(got) < piece:
            return out


def source(content, name):
    """CONTENT_DIR/name's bytes: what the client writes."""
    with open(os.path.join(content, name), "rb") as f:
        return f.read()


def keep(out, name, data):
    """OUT_DIR/name: what the client read, for the recording script's cmp."""
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
