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
Only the standard library: smb1wire.py builds the bytes by hand.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smb1wire import PIECE, Smb1, keep, read_all, source  # noqa: E402


class CoreSmb1(Smb1):
    CLIENT = "clients_core"

    def core_open(self, name):
        w, _, _ = self.call(0x02, struct.pack("<HH", 0x0040, 0x0016), b"\x04" + name.encode() + b"\0")
        return struct.unpack_from("<H", w, 0)[0]

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


def main():
    host, content, out = sys.argv[1:4]
    c = CoreSmb1(host)
    c.logon(host)
    for name, ext in (("old.bin", False), ("oldx.bin", True)):
        fid = c.open_andx("\\" + name, ext)
        keep(out, name, read_all(c, fid, CoreSmb1.read_andx))
        c.close(fid)
    fid = c.core_open("\\core.bin")
    keep(out, "core.bin", read_all(c, fid, CoreSmb1.core_read))
    c.close(fid)
    data = source(content, "made.bin")
    fid = c.core_create("\\made.bin", 0x03)
    for off in range(0, len(data), PIECE):
        c.core_write(fid, off, data[off:off + PIECE])
    c.close(fid)
    data = source(content, "new.bin")
    fid = c.core_create("\\new.bin", 0x0F)
    last = (len(data) - 1) // PIECE * PIECE
    for off in range(0, last, PIECE):
        c.core_write(fid, off, data[off:off + PIECE])
    c.write_and_close(fid, last, data[last:])
    c.sock.close()


if __name__ == "__main__":
    main()
