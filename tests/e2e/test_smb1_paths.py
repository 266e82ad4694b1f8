"""SMB1 file actions by path (issue 18): tests/lab/files/smb1_more.pcap,
smbclient and samba's client library against samba over NT1 only
(record_smb1_more.sh; truth_smb1_more.json written before anything was
sent).

SMB1 names what it deletes and renames by path, with no open: SMB_COM_RENAME,
SMB_COM_DELETE, SMB_COM_DELETE_DIRECTORY, TRANS2_SET_PATH_INFORMATION with
rename information (`rename -f`); smbclient's `del w*.tmp` and `deltree`
list first and delete each file.  Each is an smb_files.ndjson row of its own
(SMB::FILE_RENAME with prev_name, SMB::FILE_DELETE) once the server accepted
it.  Deletes of an open file (TRANS2_SET_FILE_INFORMATION with disposition
information, NT_CREATE_ANDX with FILE_DELETE_ON_CLOSE) are the open's row,
as SMB2's are.  Names are UTF-16LE, or 8-bit with the FLAGS2 Unicode bit
clear (the fourth session).  The second and third sessions read and write
past 4 GiB (READ_ANDX / WRITE_ANDX OffsetHigh 1): partial files, the first
4 GiB a missing range, no hash.

Checked: the exact rows (action, share, name, prev_name, connection); the
carved files' SHA-256 against the truth; --jobs 1, 2 and 3 give the same
logs; the parser alone (proto_replay) reports the same path actions;
tshark's SMB objects are among our artifacts (but its two empty ones, see
docs/differences.md); the workbook's SMB files sheet shows every row.  main before this change wrote none of the 15
rename/delete-by-path rows and logged disp.bin and doc.bin as writes."""
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import protoreplay as pr  # noqa: E402
import smbtruth as st  # noqa: E402
import zeekcmp as z  # noqa: E402
from test_report import sheet_rows  # noqa: E402
from test_report_values import compare_sheet  # noqa: E402

PCAP = os.path.join(st.LAB, "smb1_more.pcap")
TRUTH = st.lab_truth("truth_smb1_more.json")
FILES = TRUTH["files"]
FOUR_GIB = TRUTH["four_gib"]
SHARE = st.SHARE
W, R, D, N = "SMB::FILE_WRITE", "SMB::FILE_READ", "SMB::FILE_DELETE", "SMB::FILE_RENAME"

# (connection in time order, action, name, prev_name), in smb_files.ndjson order
ROWS = [
    (0, W, "\\moved.bin", None),
    (0, N, "\\moved2.bin", "\\moved.bin"),           # SMB_COM_RENAME
    (0, D, "\\moved2.bin", None),                    # SMB_COM_DELETE
    (0, W, "\\forced.bin", None),
    (0, N, "\\forced2.bin", "\\forced.bin"),         # TRANS2_SET_PATH_INFORMATION, 1010
    (0, D, "\\forced2.bin", None),
    (0, D, "\\newdir", None),                        # SMB_COM_DELETE_DIRECTORY
    (0, R, "\\sub\\deep.bin", None),
    (0, D, "\\w2.tmp", None),                        # del w*.tmp: listed, then each
    (0, D, "\\w1.tmp", None),
    (0, D, "\\tree\\inner\\b.txt", None),            # deltree
    (0, D, "\\tree\\a.txt", None),
    (0, D, "\\tree\\inner", None),
    (0, D, "\\tree", None),
    (1, R, "\\huge.bin", None),                      # reget past 4 GiB
    (2, W, "uphuge.bin", None),                      # written past 4 GiB
    (2, W, "disp.bin", None),
    (2, D, "disp.bin", None),                        # TRANS2_SET_FILE_INFORMATION, 0x102
    (2, D, "doc.bin", None),                         # NT_CREATE_ANDX delete-on-close
    (3, W, "\\oem.bin", None),                       # FLAGS2 Unicode clear
    (3, N, "\\oem2.bin", "\\oem.bin"),
    (3, D, "\\oem2.bin", None),
]
# carved whole: name in smb_files -> the truth's file
CARVED = {"\\moved.bin": "smb1/moved.bin", "\\forced.bin": "smb1/forced.bin",
          "\\sub\\deep.bin": "smb1/share/sub/deep.bin", "disp.bin": "smb1/disp.bin",
          "doc.bin": "smb1/doc.bin", "\\oem.bin": "smb1/oem.bin"}
# past 4 GiB: name -> (the truth's tail, size of the file)
PARTIAL = {"\\huge.bin": ("smb1/share/huge.tail", FOUR_GIB + 40000),
           "uphuge.bin": ("smb1/uphuge.tail", FOUR_GIB + 30000)}


def smb_uids(out):
    """The uids of the SMB connections, in time order."""
    conns = z.read_ndjson(os.path.join(out, "logs", "conn.ndjson"))
    return [r["uid"] for r in sorted(conns, key=lambda r: r["ts"]) if r["id.resp_p"] == 445]


def rows_and_files(c, out):
    uids = smb_uids(out)
    c.eq(len(uids), 4, "four SMB connections")
    rows = z.read_ndjson(os.path.join(out, "logs", "smb_files.ndjson"))
    got = [(uids.index(r["uid"]) if r["uid"] in uids else None, r["action"], r.get("name"),
            r.get("prev_name")) for r in rows]
    c.eq(len(got), len(ROWS), "smb_files rows")
    for i, (g, w) in enumerate(zip(got, ROWS)):
        c.eq(g, w, f"smb_files row {i}")
    c.eq(sorted({r.get("path") for r in rows}), [SHARE], "every row names the share")
    files = {r["fuid"]: r for r in z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))}
    arts = set(os.listdir(os.path.join(out, "artifacts")))
    for r in rows:
        name, action = r.get("name"), r["action"]
        moved = name in CARVED or name in PARTIAL
        if action in (N, D) and not moved or r.get("prev_name"):
            # an action by path: no open, no bytes
            c.eq((r.get("fuid"), r["size"], r["seen_bytes"], r["complete"], r["closed"],
                  "times.modified" in r),
                 (None, 0, 0, False, True, False), f"{action} {name}: a row by path")
            c.check(r["first_frame"] < r["last_frame"], f"{action} {name}: request, answer")
            continue
        if name == "disp.bin" and action == D:  # the second open: no bytes moved
            c.eq((r.get("fuid"), r["size"], r["seen_bytes"]), (None, 4000, 0),
                 "disp.bin: deleted through its second open")
            continue
        f = files.get(r.get("fuid"), {})
        if name in CARVED:
            want = FILES[CARVED[name]]
            c.eq((f.get("sha256"), f.get("total_bytes"), r["size"], r["complete"]),
                 (want["sha256"], want["size"], want["size"], True), f"{name}: carved whole")
            c.check(want["sha256"] in arts, f"{name}: an artifact")
        else:
            tail, size = PARTIAL[name]
            c.eq((r["size"], r["seen_bytes"], r["missing_bytes"], r["complete"]),
                 (size, FILES[tail]["size"], FOUR_GIB, False), f"{name}: partial, past 4 GiB")
            c.eq((f.get("truncated"), f.get("truncated_reason"), f.get("missing_ranges"),
                  f.get("seen_bytes"), f.get("sha256")),
                 (True, "incomplete", [{"start": 0, "end": FOUR_GIB}], FILES[tail]["size"],
                  None), f"{name}: files row, the first 4 GiB missing, no hash")
    return arts


def tshark_objects(c, arts):
    objs = st.tshark_smb_objects(c, PCAP)
    if objs is None:
        return
    empty = hashlib.sha256(b"").hexdigest()
    c.eq(len(objs), 8, "tshark: eight SMB objects")
    for n, h in sorted(objs.items()):
        if h == empty:  # huge.bin and uphuge.bin: tshark keeps nothing past 4 GiB
            c.check("huge.bin" in n, f"tshark: only the 4 GiB files are empty ({n})")
        else:
            c.check(h in arts, f"tshark object {n} is among our artifacts")


def parser_alone(c):
    """proto_replay: the parser, one connection at a time, as tshark reassembles it."""
    if not os.path.exists(pr.REPLAY):
        c.skip("proto_replay", "no proto_replay binary")
        return
    got = []
    for _, text in sorted(pr.conversations(PCAP, {445}).items()):
        got += [(e["action"], e["name"], e.get("new_name"), e["is_dir"], e["path"])
                for e in pr.replay("smb", text) if e["ev"] == "smb_path"]
    want = [("rename" if a == N else "delete", p if a == N else n, n if a == N else None,
             n in ("\\newdir", "\\tree\\inner", "\\tree"), SHARE)
            for k, a, n, p in ROWS if a in (N, D) and n not in ("disp.bin", "doc.bin")]
    c.eq(got, want, "proto_replay: the path actions, in order")


def main():
    c = z.Checker("smb1_paths")
    cases = []
    try:
        st.analyze_jobs(c, PCAP, (1, 2, 3), "pcf-smb1", cases)
        arts = rows_and_files(c, cases[0])
        # the workbook's SMB files sheet: every row, renames and deletes too
        sheets = sheet_rows(os.path.join(cases[0], "report.xlsx"))
        compare_sheet(c, cases[0], sheets, "smb_files", "SMB files")
        actions = [r[sheets["SMB files"][0].index("action")] for r in sheets["SMB files"][1:]]
        c.eq(actions, [a for _, a, _, _ in ROWS], "SMB files sheet: the actions, in order")
        st.same_logs(c, cases, (1, 2, 3))
        tshark_objects(c, arts)
        parser_alone(c)
    finally:
        st.remove_all(cases)
    c.done()


if __name__ == "__main__":
    main()
