#!/usr/bin/env python3
"""content_smb_raw.py — the files of the SMB1 raw-mode recording
(record_smb_raw.sh: READ_RAW, WRITE_RAW, LOCK_AND_READ, WRITE_AND_UNLOCK
over LANMAN1.0), made deterministically, and their truth.

    content_smb_raw.py WORKDIR   writes WORKDIR/raw/... and
                                 WORKDIR/content.json (name -> sha256, size)

Reuses content.py's seeded generator; the truth (truth_smb_raw.json) is
computed here, before anything crosses the wire.  No size is a multiple of
the client's pieces, so each file ends with a short piece.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from content import blob, dump_truth, putter  # noqa: E402


def main():
    work = sys.argv[1]
    truth = {"files": {}}

    put = putter(work, truth)
    put("raw/share/rawread.bin", blob(701, 20000))   # READ_RAW, 16 KiB pieces, then one at EOF
    put("raw/share/lockread.bin", blob(702, 9000))   # LOCK_AND_READ, 4 KiB pieces
    put("raw/rawwrite.bin", blob(703, 24000))        # WRITE_RAW: data in the request + raw rest
    put("raw/unlock.bin", blob(704, 7000))           # LOCK_BYTE_RANGE + WRITE_AND_UNLOCK, 4 KiB
    dump_truth(work, truth, ascii_only=True)


if __name__ == "__main__":
    main()
