"""SMB reads and writes of a file whose open is not in the capture (issue 18):
tests/lab/files/smb2.pcap (SMB3) and smb1.pcap (NT1) with their CREATE /
NT_CREATE_ANDX requests and answers cut out with editcap at run time, as a
capture started while the client already had its files open would hold them.

Each file is still followed by its file id: an smb_files.ndjson row (the
action of what was done, the share, no name, `closed` at its CLOSE) and a
files.ndjson row `truncated` with `truncated_reason` `open_not_seen`, the
bytes seen (the truth's sizes: secret.docx read, exfil zip written), no
hash and no artifact; case.json's damage table counts the two files
(`incomplete.smb_open_not_seen`) at the frames of their first READ and
WRITE requests (main before the damage frames change gave frame 1, the
SYN) and the
capture is not marked damaged.
--jobs 1, 2 and 3 give the same logs.  main before this change wrote no
row for either file and counted nothing in the damage table."""
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
TRUTH = json.load(open(os.path.join(LAB, "truth.json"), encoding="utf-8"))["files"]
# capture, the frames of its creates (request, answer; two files), its share
CUTS = {"smb2.pcap": (["22", "23", "33", "34"], "\\\\127.0.0.1\\share"),
        "smb1.pcap": (["21", "22", "34", "35"], "\\\\127.0.0.1\\SHARE")}
# the damage table's frames (of the cut capture): each file's first READ
# request (tshark: SMB2's in 24, SMB1's READ_ANDX in 23) and first WRITE
# request (the frame of the message's first byte: tshark shows it at its
# last segment, 32 and 33)
FIRST_FRAMES = {"smb2.pcap": [24, 31], "smb1.pcap": [23, 32]}
# the client's first segment after the cut acknowledges the cut answer
# (tshark: "ACKed unseen segment"); it is kept back until the server's next
# segment shows the bytes were lost, and counted as an anomaly, not damage
# (docs/reassembly.md, "Replies captured before their requests")
ACKED_UNSEEN = {"smb2.pcap": [22], "smb1.pcap": [21]}
# the two files in order: action, is_orig, the truth's file
FILES = [("SMB::FILE_READ", False, "smb/share/secret.docx"),
         ("SMB::FILE_WRITE", True, "smb/exfil.zip")]


def rows(out, log):
    path = os.path.join(out, "logs", log)
    return z.read_ndjson(path) if os.path.exists(path) else []


def check_case(c, name, share, out):
    smb = rows(out, "smb_files.ndjson")
    files = {r["fuid"]: r for r in rows(out, "files.ndjson") if r.get("source") == "SMB"}
    c.eq(len(smb), 2, f"{name}: smb_files rows")
    c.eq(len(files), 2, f"{name}: SMB files rows")
    for r, (action, is_orig, truth) in zip(smb, FILES):
        size = TRUTH[truth]["size"]
        c.eq(r.get("action"), action, f"{name}: {truth}: action")
        c.eq(r.get("path"), share, f"{name}: {truth}: share")
        c.check("name" not in r, f"{name}: {truth}: no name ({r.get('name')!r})")
        c.eq(r.get("seen_bytes"), size, f"{name}: {truth}: smb_files seen_bytes")
        c.eq(r.get("size"), size if is_orig else 0,
             f"{name}: {truth}: size (a write's end; a read's unknown)")
        c.eq((r.get("complete"), r.get("closed")), (False, True),
             f"{name}: {truth}: never complete, closed")
        f = files.get(r.get("fuid"), {})
        c.eq((f.get("truncated"), f.get("truncated_reason")), (True, "open_not_seen"),
             f"{name}: {truth}: files row truncated")
        c.eq(f.get("seen_bytes"), size, f"{name}: {truth}: files seen_bytes")
        c.eq((f.get("missing_bytes"), f.get("missing_ranges")), (0, None),
             f"{name}: {truth}: nothing missing below the highest byte seen")
        c.eq(f.get("is_orig"), is_orig, f"{name}: {truth}: direction")
        c.check(not any(f.get(k) for k in ("sha256", "md5", "sha1", "extracted")),
                f"{name}: {truth}: no hash, no artifact")
        c.check("total_bytes" not in f, f"{name}: {truth}: total size unknown")
    arts = os.path.join(out, "artifacts")
    c.eq(os.listdir(arts) if os.path.isdir(arts) else [], [], f"{name}: no artifact")
    ev = json.load(open(os.path.join(out, "case.json")))["evidence"][0]
    c.eq(ev["damaged"], {"incomplete.smb_open_not_seen": 2, "anomaly.tcp_acked_unseen": 1},
         f"{name}: damage table")
    c.eq(ev["damaged_first_frames"], {"incomplete.smb_open_not_seen": FIRST_FRAMES[name],
                                      "anomaly.tcp_acked_unseen": ACKED_UNSEEN[name]},
         f"{name}: the damage table's frames")
    c.eq(ev["damaged_input"], False, f"{name}: not a damaged capture")


def main():
    c = z.Checker("smb_open_not_seen")
    if not shutil.which("editcap"):
        c.skip("all", "editcap is not installed")
        c.done()
    tmp = tempfile.mkdtemp(prefix="pcf-smbfid-")
    try:
        for name, (frames, share) in CUTS.items():
            cut = os.path.join(tmp, "cut-" + name)
            subprocess.run(["editcap", os.path.join(LAB, name), cut, *frames], check=True)
            outs = []
            for jobs in (1, 2, 3):
                out = os.path.join(tmp, f"{name}-{jobs}")
                outs.append(out)
                rc, err = z.analyze([cut], out, ["--jobs", str(jobs)])
                c.eq(rc, 0, f"{name} --jobs {jobs}: exit status ({err[:200]})")
            check_case(c, name, share, outs[0])
            for jobs, other in zip((2, 3), outs[1:]):
                for log in sorted(os.listdir(os.path.join(outs[0], "logs"))):
                    a = open(os.path.join(outs[0], "logs", log), "rb").read()
                    b = open(os.path.join(other, "logs", log), "rb").read()
                    c.check(a == b, f"{name}: logs/{log}: --jobs {jobs} gives --jobs 1's bytes")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.done()


if __name__ == "__main__":
    main()
