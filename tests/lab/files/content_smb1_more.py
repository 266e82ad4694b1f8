#!/usr/bin/env python3
"""content_smb1_more.py — the files of the SMB1 path-action recording
(record_smb1_more.sh: renames, deletes, directories, attributes and 64-bit
offsets over NT1), made deterministically, and their truth.

    content_smb1_more.py WORKDIR   writes WORKDIR/smb1/... and
                                   WORKDIR/content.json (name -> sha256, size)

Reuses content.py's seeded generators; the truth (truth_smb1_more.json) is
computed here, before anything crosses the wire.  The two files past 4 GiB
are not written whole: only their last bytes are data (the rest is a hole
in a sparse file), and those bytes are what crosses the wire.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from content import CREDS, blob, dump_truth, putter  # noqa: E402

FOUR_GIB = 1 << 32   # reget and the write past 4 GiB: READ_ANDX / WRITE_ANDX with OffsetHigh 1
HUGE_TAIL = 40000    # the bytes after 4 GiB of the server's huge.bin (reget)
UPHUGE_TAIL = 30000  # the bytes written after 4 GiB of the server's uphuge.bin


def main():
    work = sys.argv[1]
    truth = {"files": {}, "creds": CREDS, "four_gib": FOUR_GIB}

    put = putter(work, truth)
    put("smb1/moved.bin", blob(501, 7000))              # put, rename, del
    put("smb1/forced.bin", blob(502, 6000))             # put, rename -f, del
    put("smb1/share/sub/deep.bin", blob(503, 12000))    # get from a subdirectory
    put("smb1/share/attr.txt", blob(504, 100))          # setmode +r / -r
    put("smb1/share/tree/a.txt", blob(505, 300))        # deltree
    put("smb1/share/tree/inner/b.txt", blob(506, 400))
    put("smb1/share/w1.tmp", blob(507, 50))             # del w*.tmp
    put("smb1/share/w2.tmp", blob(508, 60))
    put("smb1/oem.bin", blob(509, 5000))                # put, rename, del without unicode
    put("smb1/disp.bin", blob(512, 4000))               # TRANS2 SET_FILE_INFO disposition
    put("smb1/doc.bin", blob(513, 3000))                # NT_CREATE_ANDX delete-on-close
    put("smb1/share/huge.tail", blob(510, HUGE_TAIL))   # huge.bin's bytes after 4 GiB
    put("smb1/uphuge.tail", blob(511, UPHUGE_TAIL))     # uphuge.bin's bytes after 4 GiB
    dump_truth(work, truth, ascii_only=True)


if __name__ == "__main__":
    main()
