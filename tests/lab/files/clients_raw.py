#!/usr/bin/env python3
"""clients_raw.py — an SMB1 client of the raw mode and the lock-and-X
commands, for record_smb_raw.sh: what LAN Manager, Windows for Workgroups
and 9x clients sent for speed, and what no current client sends.

    clients_raw.py HOST CONTENT_DIR OUT_DIR

Over direct TCP (port 445) it negotiates LANMAN1.0 (the answer's RawMode
must offer raw reads and writes), logs on as a guest, connects
\\\\HOST\\SHARE and ([MS-CIFS] 2.2.4):

  1. OPEN_ANDX of rawread.bin, READ_RAW in 16 KiB pieces (2.2.4.22: the
     answer is the data alone, a NetBIOS message with no SMB header), the
     last asked at the end of the file (an empty message), CLOSE;
  2. OPEN_ANDX of lockread.bin, LOCK_AND_READ in 4 KiB pieces (2.2.4.20),
     CLOSE;
  3. core CREATE of rawwrite.bin, WRITE_RAW (2.2.4.25) twice: 1,024 bytes
     in the request and 15,360 sent raw after the server's interim answer
     (no final answer), then 7,616 all raw in write-through mode (a
     final answer: WRITE_COMPLETE in [MS-CIFS], samba's says WRITE_RAW),
     CLOSE;
  4. core CREATE of unlock.bin, LOCK_BYTE_RANGE and WRITE_AND_UNLOCK
     (2.2.4.21) of each 4 KiB piece, CLOSE.

The files it read go to OUT_DIR (the recording script compares them with
the share's); those it wrote are read back there by the script from the
share.  Every request waits for its answer; an error answer stops the run.
Only the standard library, as clients_core.py (whose Smb1 it uses).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clients_core import Smb1  # noqa: E402

RAW_PIECE = 16384
PIECE = 4096


class RawSmb1(Smb1):
    def send(self, cmd, words, data=b""):
        """A request whose answer call() cannot wait for."""
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

    def answer(self, *cmds):
        ans = self.message()
        if ans[:4] != b"\xffSMB" or ans[4] not in cmds:
            raise RuntimeError(f"expected an answer to {cmds}, got {ans[:8]!r}")
        status = struct.unpack_from("<I", ans, 5)[0]
        if status:
            raise RuntimeError(f"command 0x{ans[4]:02x}: status 0x{status:08x}")
        return ans

    def negotiate_raw(self, host):
        w, _, _ = self.call(0x72, b"", b"\x02LANMAN1.0\0")
        raw_mode = struct.unpack_from("<H", w, 10)[0]
        if raw_mode & 3 != 3:
            raise RuntimeError(f"raw mode not offered (RawMode 0x{raw_mode:04x})")

    def logon(self, host):
        self.negotiate_raw(host)
        words = struct.pack("<BBHHHHIHI", 0xFF, 0, 0, 16644, 2, 0, 0, 0, 0)
        self.call(0x73, words, b"\0" + b"\0" + b"Unix\0" + b"clients_raw\0")
        path = f"\\\\{host}\\SHARE".encode()
        _, _, ans = self.call(0x75, struct.pack("<BBHHH", 0xFF, 0, 0, 0, 1),
                              b"\0" + path + b"\0" + b"?????\0")
        self.tid = struct.unpack_from("<H", ans, 24)[0]

    def read_raw(self, fid, off, n):
        """READ_RAW (8 words): fid, offset, max and min count, timeout, reserved."""
        self.send(0x1A, struct.pack("<HIHHIH", fid, off, n, 0, 0, 0))
        return self.message()

    def lock_and_read(self, fid, off, n):
        _, b, _ = self.call(0x13, struct.pack("<HHIH", fid, n, off, 0))
        return b[3:3 + struct.unpack_from("<H", b, 1)[0]]

    def lock(self, fid, off, n):
        self.call(0x0C, struct.pack("<HII", fid, n, off))

    def write_and_unlock(self, fid, off, data):
        self.call(0x14, struct.pack("<HHIH", fid, len(data), off, 0),
                  b"\x01" + struct.pack("<H", len(data)) + data)

    def write_raw(self, fid, off, first, rest, write_through):
        """WRITE_RAW (12 words): fid, total count, reserved, offset, timeout,
        write mode, reserved, the request's data count and offset; first in
        the request, rest raw after the interim answer."""
        data_at = 32 + 1 + 24 + 2 + 1  # after the byte count and a pad byte
        words = struct.pack("<HHHIIHIHH", fid, len(first) + len(rest), 0, off, 0,
                            1 if write_through else 0, 0, len(first), data_at)
        self.send(0x1D, words, b"\0" + first)
        self.answer(0x1D)  # the interim answer: send the rest
        self.sock.sendall(struct.pack(">I", len(rest)) + rest)
        if write_through:
            # the final answer, the bytes written: WRITE_COMPLETE in
            # [MS-CIFS], WRITE_RAW again from samba
            ans = self.answer(0x20, 0x1D)
            wc = ans[32]
            if wc != 1 or struct.unpack_from("<H", ans, 33)[0] != len(first) + len(rest):
                raise RuntimeError("WRITE_COMPLETE: not all bytes written")


def main():
    host, content, out = sys.argv[1:4]
    c = RawSmb1(host)
    c.logon(host)

    def src(name):
        return open(os.path.join(content, name), "rb").read()

    def keep(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    fid = c.open_andx("\\rawread.bin", False)
    got, off = b"", 0
    while True:  # the last READ_RAW, at the end of the file, is answered empty
        piece = c.read_raw(fid, off, RAW_PIECE)
        got += piece
        off += len(piece)
        if not piece:
            break
    keep("rawread.bin", got)
    c.close(fid)

    fid = c.open_andx("\\lockread.bin", False)
    got, off = b"", 0
    while True:
        piece = c.lock_and_read(fid, off, PIECE)
        got += piece
        off += len(piece)
        if len(piece) < PIECE:
            break
    keep("lockread.bin", got)
    c.close(fid)

    data = src("rawwrite.bin")
    fid = c.core_create("\\rawwrite.bin", 0x03)
    c.write_raw(fid, 0, data[:1024], data[1024:16384], False)
    c.write_raw(fid, 16384, b"", data[16384:], True)
    c.close(fid)

    data = src("unlock.bin")
    fid = c.core_create("\\unlock.bin", 0x03)
    for off in range(0, len(data), PIECE):
        piece = data[off:off + PIECE]
        c.lock(fid, off, len(piece))
        c.write_and_unlock(fid, off, piece)
    c.close(fid)
    c.sock.close()


if __name__ == "__main__":
    main()
