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
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "lab", "files")
PCAP = os.path.join(LAB, "smb_raw.pcap")
TRUTH = json.load(open(os.path.join(LAB, "truth_smb_raw.json"), encoding="utf-8"))["files"]
SHARE = "\\\\127.0.0.1\\SHARE"
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


def check_rows(c, out):
    smb = z.read_ndjson(os.path.join(out, "logs", "smb_files.ndjson"))
    files = {r["fuid"]: r for r in z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))}
    c.eq([(r.get("action"), r.get("name")) for r in smb], [row[:2] for row in ROWS],
         "smb_files: actions and names, in order")
    for r, (_, name, truth, first, last) in zip(smb, ROWS):
        want = TRUTH[truth]
        c.eq(r.get("path"), SHARE, f"{name}: share")
        c.eq((r.get("size"), r.get("seen_bytes"), r.get("missing_bytes")),
             (want["size"], want["size"], 0), f"{name}: size, seen, missing")
        c.eq((r.get("complete"), r.get("closed")), (True, True), f"{name}: complete, closed")
        f = files.get(r.get("fuid"), {})
        c.eq((f.get("sha256"), f.get("total_bytes"), f.get("filename")),
             (want["sha256"], want["size"], name), f"{name}: carved with the truth's hash")
        c.eq((f.get("first_frame"), f.get("last_frame")), (first, last),
             f"{name}: first and last frame")
        art = os.path.join(out, f.get("extracted") or "-")
        c.check(os.path.isfile(art) and
                hashlib.sha256(open(art, "rb").read()).hexdigest() == want["sha256"],
                f"{name}: the artifact holds the file")
    return {f.get("sha256") for f in files.values()}


def tshark_objects(c, ours):
    if not shutil.which("tshark"):
        c.skip("tshark objects", "tshark is not installed")
        return
    d = tempfile.mkdtemp(prefix="pcf-smbraw-ts-")
    try:
        subprocess.run(["tshark", "-r", PCAP, "--export-objects", "smb," + d],
                       capture_output=True, timeout=300)
        got = {n: hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()
               for n in os.listdir(d)}
        c.eq(sorted(got), ["%5cunlock.bin"], "tshark exports WRITE_AND_UNLOCK's file only")
        for n, h in sorted(got.items()):
            c.check(h in ours, f"tshark's {n} is among our artifacts")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    c = z.Checker("smb_raw")
    outs = []
    try:
        for jobs in (1, 2):
            out = tempfile.mkdtemp(prefix=f"pcf-smbraw-{jobs}-")
            outs.append(out)
            rc, err = z.analyze([PCAP], out, ["--jobs", str(jobs)])
            c.eq(rc, 0, f"--jobs {jobs}: exit status ({err[:200]})")
        ours = check_rows(c, outs[0])
        ev = json.load(open(os.path.join(outs[0], "case.json")))["evidence"][0]
        c.eq(ev["damaged"], {}, "nothing in the damage table")
        for log in sorted(os.listdir(os.path.join(outs[0], "logs"))):
            a = open(os.path.join(outs[0], "logs", log), "rb").read()
            b = open(os.path.join(outs[1], "logs", log), "rb").read()
            c.check(a == b, f"logs/{log}: --jobs 2 gives the bytes of --jobs 1")
        tshark_objects(c, ours)
    finally:
        for d in outs:
            shutil.rmtree(d, ignore_errors=True)
    c.done()


if __name__ == "__main__":
    main()
