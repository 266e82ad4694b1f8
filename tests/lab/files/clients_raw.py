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
Only the standard library: smb1wire.py builds the bytes by hand.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smb1wire import PIECE, Smb1, keep, read_all, source  # noqa: E402

RAW_PIECE = 16384


class RawSmb1(Smb1):
    CLIENT = "clients_raw"

    def answer(self, *cmds):
        ans = self.message()
        if ans[:4] != b"\xffSMB" or ans[4] not in cmds:
            raise RuntimeError(f"expected an answer to {cmds}, got {ans[:8]!r}")
        status = struct.unpack_from("<I", ans, 5)[0]
        if status:
            raise RuntimeError(f"command 0x{ans[4]:02x}: status 0x{status:08x}")
        return ans

    def negotiate(self):
        w = super().negotiate()
        raw_mode = struct.unpack_from("<H", w, 10)[0]
        if raw_mode & 3 != 3:
            raise RuntimeError(f"raw mode not offered (RawMode 0x{raw_mode:04x})")
        return w

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
    fid = c.open_andx("\\rawread.bin", False)
    got, off = b"", 0
    while True:  # the last READ_RAW, at the end of the file, is answered empty
        piece = c.read_raw(fid, off, RAW_PIECE)
        got += piece
        off += len(piece)
        if not piece:
            break
    keep(out, "rawread.bin", got)
    c.close(fid)

    fid = c.open_andx("\\lockread.bin", False)
    keep(out, "lockread.bin", read_all(c, fid, RawSmb1.lock_and_read))
    c.close(fid)

    data = source(content, "rawwrite.bin")
    fid = c.core_create("\\rawwrite.bin", 0x03)
    c.write_raw(fid, 0, data[:1024], data[1024:16384], False)
    c.write_raw(fid, 16384, b"", data[16384:], True)
    c.close(fid)

    data = source(content, "unlock.bin")
    fid = c.core_create("\\unlock.bin", 0x03)
    for off in range(0, len(data), PIECE):
        piece = data[off:off + PIECE]
        c.lock(fid, off, len(piece))
        c.write_and_unlock(fid, off, piece)
    c.close(fid)
    c.sock.close()


if __name__ == "__main__":
    main()
