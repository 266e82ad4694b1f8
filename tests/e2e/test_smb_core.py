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
PCAP = os.path.join(LAB, "smb_core.pcap")
TRUTH = json.load(open(os.path.join(LAB, "truth_smb_core.json"), encoding="utf-8"))["files"]
SHARE = "\\\\127.0.0.1\\SHARE"
R, W = "SMB::FILE_READ", "SMB::FILE_WRITE"
# smb_files.ndjson in order: action, name, the truth's file
ROWS = [(R, "\\old.bin", "core/share/old.bin"),     # OPEN_ANDX, 15 words
        (R, "\\oldx.bin", "core/share/oldx.bin"),   # OPEN_ANDX, extended: 19 words
        (R, "\\core.bin", "core/share/core.bin"),   # core OPEN + READ
        (W, "\\made.bin", "core/made.bin"),         # core CREATE + WRITE
        (W, "\\new.bin", "core/new.bin")]           # CREATE_NEW + WRITE + WRITE_AND_CLOSE


def check_rows(c, out):
    smb = z.read_ndjson(os.path.join(out, "logs", "smb_files.ndjson"))
    files = {r["fuid"]: r for r in z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))}
    c.eq([(r.get("action"), r.get("name")) for r in smb], [(a, n) for a, n, _ in ROWS],
         "smb_files: actions and names, in order")
    for r, (_, name, truth) in zip(smb, ROWS):
        want = TRUTH[truth]
        c.eq(r.get("path"), SHARE, f"{name}: share")
        c.eq((r.get("size"), r.get("seen_bytes"), r.get("missing_bytes")),
             (want["size"], want["size"], 0), f"{name}: size, seen, missing")
        c.eq((r.get("complete"), r.get("closed")), (True, True), f"{name}: complete, closed")
        f = files.get(r.get("fuid"), {})
        c.eq((f.get("sha256"), f.get("total_bytes"), f.get("filename")),
             (want["sha256"], want["size"], name), f"{name}: carved with the truth's hash")
        art = os.path.join(out, f.get("extracted") or "-")
        c.check(os.path.isfile(art) and
                hashlib.sha256(open(art, "rb").read()).hexdigest() == want["sha256"],
                f"{name}: the artifact holds the file")
    return {f.get("sha256") for f in files.values()}


def tshark_objects(c, ours):
    if not shutil.which("tshark"):
        c.skip("tshark objects", "tshark is not installed")
        return
    d = tempfile.mkdtemp(prefix="pcf-smbcore-ts-")
    try:
        subprocess.run(["tshark", "-r", PCAP, "--export-objects", "smb," + d],
                       capture_output=True, timeout=300)
        got = {n: hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()
               for n in os.listdir(d)}
        c.eq(len(got), 5, "tshark exports 5 SMB objects")
        for n, h in sorted(got.items()):
            if n.endswith("new.bin"):  # WRITE_AND_CLOSE: tshark's object is empty
                c.eq(h, hashlib.sha256(b"").hexdigest(), f"tshark's {n} is empty")
            else:
                c.check(h in ours, f"tshark's {n} is among our artifacts")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    c = z.Checker("smb_core")
    outs = []
    try:
        for jobs in (1, 2):
            out = tempfile.mkdtemp(prefix=f"pcf-smbcore-{jobs}-")
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
