#!/usr/bin/env python3
"""clients_core.py — an SMB1 client of the older commands, for
record_smb_core.sh: what old DOS, Windows 9x and NT 4 clients, printers and
some tools send, and what smbclient never does (samba's client library
always tries NT_CREATE_ANDX first, and samba 4.17 no longer negotiates the
core protocol).

    clients_core.py HOST CONTENT_DIR OUT_DIR

Over direct TCP (port 445) it negotiates LANMAN1.0, logs on as a guest
(an empty account: no password crosses the wire), connects \\\\HOST\\SHARE and:

  1. OPEN_ANDX of old.bin (answer in 15 words), READ_ANDX of it in 4 KiB
     pieces, CLOSE;
  2. OPEN_ANDX of oldx.bin asking for the extended answer (19 words),
     READ_ANDX, CLOSE;
  3. core OPEN of core.bin, core READ in 4 KiB pieces (the data after a
     buffer format 1 and a 16-bit length), CLOSE;
  4. core CREATE of made.bin, core WRITE in 4 KiB pieces, CLOSE;
  5. CREATE_NEW of new.bin, core WRITE, the last piece by WRITE_AND_CLOSE.

The files it read go to OUT_DIR (the recording script compares them with
the share's); those it wrote are read back there by the script from the
share.  Every request waits for its answer; an error answer stops the run.
Only the standard library: the bytes are built by hand, field by field, as
[MS-CIFS] 2.2.4 lays them out.
"""
import os
import socket
import struct
import sys

PIECE = 4096
SMB_HEADER = 32


class Smb1:
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

    def call(self, cmd, words, data=b""):
        """One request (no AndX chain); returns (words, bytes, whole answer)."""
        self.mid += 1
        hdr = struct.pack("<4sBIBHH8sHHHHH", b"\xffSMB", cmd, 0, 0x18, 0x0001, 0, b"\0" * 8,
                          0, self.tid, 0x1234, self.uid, self.mid)
        msg = hdr + struct.pack("<B", len(words) // 2) + words + struct.pack("<H", len(data)) + data
        self.sock.sendall(struct.pack(">I", len(msg)) + msg)
        while True:
            length = struct.unpack(">I", self._recv(4))[0] & 0xFFFFFF
            ans = self._recv(length)
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

    def logon(self, host):
        w, _, _ = self.call(0x72, b"", b"\x02LANMAN1.0\0")
        if struct.unpack_from("<H", w, 0)[0] != 0 or len(w) != 26:
            raise RuntimeError("LANMAN1.0 was not negotiated")
        # SESSION_SETUP_ANDX, pre-NT (10 words): a guest, no password
        words = struct.pack("<BBHHHHIHI", 0xFF, 0, 0, 16644, 2, 0, 0, 0, 0)
        self.call(0x73, words, b"\0" + b"\0" + b"Unix\0" + b"clients_core\0")
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

    def core_open(self, name):
        w, _, _ = self.call(0x02, struct.pack("<HH", 0x0040, 0x0016), b"\x04" + name.encode() + b"\0")
        return struct.unpack_from("<H", w, 0)[0]

    def core_create(self, name, cmd):
        w, _, _ = self.call(cmd, struct.pack("<HI", 0x0020, 0), b"\x04" + name.encode() + b"\0")
        return struct.unpack_from("<H", w, 0)[0]

    def close(self, fid):
        self.call(0x04, struct.pack("<HI", fid, 0xFFFFFFFF))

    # ---- reads and writes ----

    def read_andx(self, fid, off, n):
        words = struct.pack("<BBHHIHHIH", 0xFF, 0, 0, fid, off, n, n, 0, 0)
        w, _, ans = self.call(0x2E, words)
        dlen, doff = struct.unpack_from("<HH", w, 10)
        return ans[doff:doff + dlen]

    def core_read(self, fid, off, n):
        _, b, _ = self.call(0x0A, struct.pack("<HHIH", fid, n, off, 0))
        if b[0] != 1:
            raise RuntimeError("READ: no data buffer")
        return b[3:3 + struct.unpack_from("<H", b, 1)[0]]

    def core_write(self, fid, off, data):
        self.call(0x0B, struct.pack("<HHIH", fid, len(data), off, 0),
                  b"\x01" + struct.pack("<H", len(data)) + data)

    def write_and_close(self, fid, off, data):
        self.call(0x2C, struct.pack("<HHII", fid, len(data), off, 0), b"\0" + data)


def read_all(c, fid, read):
    out, off = b"", 0
    while True:
        got = read(c, fid, off, PIECE)
        out += got
        off += len(got)
        if len(got) < PIECE:
            return out


def main():
    host, content, out = sys.argv[1:4]
    c = Smb1(host)
    c.logon(host)

    def src(name):
        return open(os.path.join(content, name), "rb").read()

    def keep(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    for name, ext in (("old.bin", False), ("oldx.bin", True)):
        fid = c.open_andx("\\" + name, ext)
        keep(name, read_all(c, fid, Smb1.read_andx))
        c.close(fid)
    fid = c.core_open("\\core.bin")
    keep("core.bin", read_all(c, fid, Smb1.core_read))
    c.close(fid)
    data = src("made.bin")
    fid = c.core_create("\\made.bin", 0x03)
    for off in range(0, len(data), PIECE):
        c.core_write(fid, off, data[off:off + PIECE])
    c.close(fid)
    data = src("new.bin")
    fid = c.core_create("\\new.bin", 0x0F)
    last = (len(data) - 1) // PIECE * PIECE
    for off in range(0, last, PIECE):
        c.core_write(fid, off, data[off:off + PIECE])
    c.write_and_close(fid, last, data[last:])
    c.sock.close()


if __name__ == "__main__":
    main()
