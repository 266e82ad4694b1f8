"""smbtruth.py — what the SMB lab-capture tests (test_smb_core.py,
test_smb_raw.py, test_smb1_paths.py) check alike: the capture analysed
with several --jobs and the logs compared byte for byte, nothing in the
damage table, each smb_files.ndjson row against the recording's truth
(tests/lab/files/truth_*.json, written before anything was sent), and
tshark's SMB objects."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

LAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab", "files")
SHARE = "\\\\127.0.0.1\\SHARE"


def lab_truth(name):
    """tests/lab/files/NAME (a truth_*.json), parsed."""
    with open(os.path.join(LAB, name), encoding="utf-8") as f:
        return json.load(f)


def analyze_jobs(c, pcap, jobs, prefix, outs):
    """The capture analysed once per --jobs value, each case a temp folder
    appended to outs (the caller removes them: remove_all)."""
    for j in jobs:
        out = tempfile.mkdtemp(prefix=f"{prefix}-{j}-")
        outs.append(out)
        rc, err = z.analyze([pcap], out, ["--jobs", str(j)])
        c.eq(rc, 0, f"--jobs {j}: exit status ({err[:200]})")


def remove_all(outs):
    for d in outs:
        shutil.rmtree(d, ignore_errors=True)


def same_logs(c, outs, jobs):
    """Every log of outs[1:] has the bytes of outs[0]'s (jobs: their --jobs)."""
    for j, other in zip(jobs[1:], outs[1:]):
        for log in sorted(os.listdir(os.path.join(outs[0], "logs"))):
            with open(os.path.join(outs[0], "logs", log), "rb") as f:
                a = f.read()
            with open(os.path.join(other, "logs", log), "rb") as f:
                b = f.read()
            c.check(a == b, f"logs/{log}: --jobs {j} gives the bytes of --jobs {jobs[0]}")


def no_damage(c, out):
    with open(os.path.join(out, "case.json")) as f:
        ev = json.load(f)["evidence"][0]
    c.eq(ev["damaged"], {}, "nothing in the damage table")


def check_carved_rows(c, out, rows, truth):
    """rows: smb_files.ndjson in order, each (action, name, the truth's file)
    or (action, name, the truth's file, first frame, last frame) of the
    files.ndjson row; each file read or written whole on SHARE and carved
    with the truth's SHA-256.  Returns the carved files' SHA-256s."""
    smb = z.read_ndjson(os.path.join(out, "logs", "smb_files.ndjson"))
    files = {r["fuid"]: r for r in z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))}
    c.eq([(r.get("action"), r.get("name")) for r in smb], [row[:2] for row in rows],
         "smb_files: actions and names, in order")
    for r, row in zip(smb, rows):
        name, want = row[1], truth[row[2]]
        c.eq(r.get("path"), SHARE, f"{name}: share")
        c.eq((r.get("size"), r.get("seen_bytes"), r.get("missing_bytes")),
             (want["size"], want["size"], 0), f"{name}: size, seen, missing")
        c.eq((r.get("complete"), r.get("closed")), (True, True), f"{name}: complete, closed")
        f = files.get(r.get("fuid"), {})
        c.eq((f.get("sha256"), f.get("total_bytes"), f.get("filename")),
             (want["sha256"], want["size"], name), f"{name}: carved with the truth's hash")
        if len(row) > 3:
            c.eq((f.get("first_frame"), f.get("last_frame")), tuple(row[3:5]),
                 f"{name}: first and last frame")
        art = os.path.join(out, f.get("extracted") or "-")
        ok = os.path.isfile(art)
        if ok:
            with open(art, "rb") as a:
                ok = hashlib.sha256(a.read()).hexdigest() == want["sha256"]
        c.check(ok, f"{name}: the artifact holds the file")
    return {f.get("sha256") for f in files.values()}


def tshark_smb_objects(c, pcap):
    """tshark 4.0's SMB objects of the capture: {name: SHA-256}, or None
    (skipped) when tshark is not installed."""
    if not shutil.which("tshark"):
        c.skip("tshark objects", "tshark is not installed")
        return None
    with tempfile.TemporaryDirectory(prefix="pcf-smb-ts-") as d:
        subprocess.run(["tshark", "-r", pcap, "--export-objects", "smb," + d],
                       capture_output=True, timeout=300)
        got = {}
        for n in os.listdir(d):
            with open(os.path.join(d, n), "rb") as f:
                got[n] = hashlib.sha256(f.read()).hexdigest()
        return got


def carved_case(name, pcap, rows, truth, tshark_check):
    """The test of a capture whose SMB files are all carved whole: analysed
    with --jobs 1 and 2, the rows checked against the truth
    (check_carved_rows), nothing damaged, the same logs, then
    tshark_check(c, the carved files' SHA-256s)."""
    c = z.Checker(name)
    outs = []
    try:
        analyze_jobs(c, pcap, (1, 2), "pcf-" + name.replace("_", ""), outs)
        ours = check_carved_rows(c, outs[0], rows, truth)
        no_damage(c, outs[0])
        same_logs(c, outs, (1, 2))
        tshark_check(c, ours)
    finally:
        remove_all(outs)
    c.done()
