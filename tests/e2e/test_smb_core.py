"""SMB1's older opens, reads and writes (issue 18): tests/lab/files/smb_core.pcap,
clients_core.py against samba over LANMAN1.0 (record_smb_core.sh;
truth_smb_core.json written before anything was sent).

OPEN_ANDX (answered in 15 words, and in the extended 19) with READ_ANDX,
the core protocol's OPEN + READ, CREATE + WRITE, CREATE_NEW + WRITE +
WRITE_AND_CLOSE: each file is an smb_files.ndjson row with its name and
size, read or written whole, and carved with the truth's SHA-256.

Checked: the exact rows (action, name, size, complete, closed); the carved
files' SHA-256 and sizes against the truth; --jobs 1 and 2 give the same
logs; tshark's SMB objects are among our artifacts but new.bin's, which
tshark exports empty (see docs/differences.md).  main before this change
wrote no row and carved nothing from this capture."""
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import smbtruth as st  # noqa: E402

PCAP = os.path.join(st.LAB, "smb_core.pcap")
TRUTH = st.lab_truth("truth_smb_core.json")["files"]
R, W = "SMB::FILE_READ", "SMB::FILE_WRITE"
# smb_files.ndjson in order: action, name, the truth's file
ROWS = [(R, "\\old.bin", "core/share/old.bin"),     # OPEN_ANDX, 15 words
        (R, "\\oldx.bin", "core/share/oldx.bin"),   # OPEN_ANDX, extended: 19 words
        (R, "\\core.bin", "core/share/core.bin"),   # core OPEN + READ
        (W, "\\made.bin", "core/made.bin"),         # core CREATE + WRITE
        (W, "\\new.bin", "core/new.bin")]           # CREATE_NEW + WRITE + WRITE_AND_CLOSE


def tshark_objects(c, ours):
    got = st.tshark_smb_objects(c, PCAP)
    if got is None:
        return
    c.eq(len(got), 5, "tshark exports 5 SMB objects")
    for n, h in sorted(got.items()):
        if n.endswith("new.bin"):  # WRITE_AND_CLOSE: tshark's object is empty
            c.eq(h, hashlib.sha256(b"").hexdigest(), f"tshark's {n} is empty")
        else:
            c.check(h in ours, f"tshark's {n} is among our artifacts")


def main():
    st.carved_case("smb_core", PCAP, ROWS, TRUTH, tshark_objects)


if __name__ == "__main__":
    main()
