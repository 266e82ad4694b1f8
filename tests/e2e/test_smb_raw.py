"""SMB1's raw mode and lock-and-X commands: tests/lab/files/smb_raw.pcap,
clients_raw.py against samba 4.17 over LANMAN1.0 (record_smb_raw.sh;
truth_smb_raw.json written before anything was sent).

READ_RAW ([MS-CIFS] 2.2.4.22) is answered by the data alone, a NetBIOS
message with no SMB header (the last, asked at the end of the file, empty);
WRITE_RAW (2.2.4.25) carries some data in the request and, after the
server's interim answer (samba's has its reply flag clear), the rest as a
bare NetBIOS message; then once more in write-through mode, answered at
the end.  LOCK_AND_READ (2.2.4.20; samba's answer has buffer format 0)
and WRITE_AND_UNLOCK (2.2.4.21) carry their data as READ and WRITE do.
Each file is an smb_files.ndjson row with its name and size, read or
written whole, and carved with the truth's SHA-256; the raw data is not
taken for SMB (nothing in the damage table: the interim answer is not a
malformed PDU).

Checked: the exact rows (action, name, size, complete, closed); the carved
files' SHA-256 and sizes against the truth; each file's first and last
frame; --jobs 1 and 2 give the same logs; tshark 4.0 exports only
unlock.bin (WRITE_AND_UNLOCK), which is among our artifacts (see
docs/differences.md).  Before this change no file was carved from this
capture (four FILE_OPEN rows, nothing seen) and samba's two interim
WRITE_RAW answers were counted as malformed PDUs."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import smbtruth as st  # noqa: E402

PCAP = os.path.join(st.LAB, "smb_raw.pcap")
TRUTH = st.lab_truth("truth_smb_raw.json")["files"]
R, W = "SMB::FILE_READ", "SMB::FILE_WRITE"
# smb_files.ndjson in order: action, name, the truth's file, the files.ndjson
# row's first and last frame (tshark's frame numbers): the first READ_RAW
# request, the last raw data (18; 20 is the empty answer at the end of the
# file); the first LOCK_AND_READ request, its last answer; the WRITE_RAW
# request carrying data, the raw data of the second; the first and last
# WRITE_AND_UNLOCK
ROWS = [(R, "\\rawread.bin", "raw/share/rawread.bin", 14, 18),
        (R, "\\lockread.bin", "raw/share/lockread.bin", 25, 30),
        (W, "\\rawwrite.bin", "raw/rawwrite.bin", 35, 41),
        (W, "\\unlock.bin", "raw/unlock.bin", 49, 53)]


def tshark_objects(c, ours):
    got = st.tshark_smb_objects(c, PCAP)
    if got is None:
        return
    c.eq(sorted(got), ["%5cunlock.bin"], "tshark exports WRITE_AND_UNLOCK's file only")
    for n, h in sorted(got.items()):
        c.check(h in ours, f"tshark's {n} is among our artifacts")


def main():
    st.carved_case("smb_raw", PCAP, ROWS, TRUTH, tshark_objects)


if __name__ == "__main__":
    main()
