#!/usr/bin/env python3
"""content_smb_core.py — the files of the SMB1 older-commands recording
(record_smb_core.sh: OPEN_ANDX, core OPEN/CREATE/CREATE_NEW/READ/WRITE,
WRITE_AND_CLOSE over LANMAN1.0), made deterministically, and their truth.

    content_smb_core.py WORKDIR   writes WORKDIR/core/... and
                                  WORKDIR/content.json (name -> sha256, size)

Reuses content.py's seeded generator; the truth (truth_smb_core.json) is
computed here, before anything crosses the wire.  No size is a multiple of
the client's 4 KiB pieces, so each file ends with a short piece.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from content import blob, dump_truth, putter  # noqa: E402


def main():
    work = sys.argv[1]
    truth = {"files": {}}

    put = putter(work, truth)
    put("core/share/old.bin", blob(601, 10000))   # OPEN_ANDX (15 words) + READ_ANDX
    put("core/share/oldx.bin", blob(602, 6000))   # OPEN_ANDX (19 words, extended) + READ_ANDX
    put("core/share/core.bin", blob(603, 9000))   # core OPEN + READ
    put("core/made.bin", blob(604, 7000))         # core CREATE + WRITE
    put("core/new.bin", blob(605, 9500))          # CREATE_NEW + WRITE + WRITE_AND_CLOSE
    dump_truth(work, truth, ascii_only=True)


if __name__ == "__main__":
    main()
