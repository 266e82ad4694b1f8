"""Replies captured before their requests (SPAN-port reordering) change no evidence.

A capture point that merges both directions of a link (a switch's SPAN
port, a tap with two outputs, a multi-queue capture) can record a server's
reply a moment before the client's request it answers.  The reply then
acknowledges bytes the capture has not shown yet; Wireshark calls it "ACKed
unseen segment".  Fed in capture order, a request/reply analyser pairs
every later request with the reply before it: an HTTP body named after the
previous URL, an FTP EPSV answered by the PWD reply and the STOR's file
never tied to its data connection.

The dispatcher keeps such a segment back until the other direction has
been captured up to the acknowledged byte (src/analysis/dispatch.c,
docs/reassembly.md).  This test takes real recordings of the project —
the sample incident (HTTP), and the lab's FTP, SMTP, POP3, IMAP and SMB2
recordings — and swaps every two adjacent frames (timestamps stay in
order), which captures many replies before their requests and many
segments of one direction out of order.  For each recording:

  - the swapped capture gives the same evidence: the same files rows
    (SHA-256, file name, MIME type, protocol, bytes seen and missing) and
    the same protocol rows (HTTP method, URI, status and the SHA-256 of the
    body each response carried; FTP command, argument, reply and file;
    SMTP sender, recipients, subject and last reply; SMB file actions and
    names; credentials);
  - case.json counts anomaly.tcp_acked_unseen for the swapped capture, and
    not for the recording as made (nothing is held in an ordinary capture).

DNS over UDP is not part of this: a response captured before its query is
logged as Zeek logs it, on a row of its own (docs/differences.md).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

from keylog_case import LAB, SOURCE, PCAPCASE, check, have_binary, result, rows

CAPTURES = [
    os.path.join(SOURCE, "sample_pcaps", "incident-1.pcap"),
    os.path.join(LAB, "files", "ftp.pcap"),
    os.path.join(LAB, "files", "smtp.pcap"),
    os.path.join(LAB, "files", "pop3.pcap"),
    os.path.join(LAB, "files", "imap.pcap"),
    os.path.join(LAB, "files", "smb2.pcap"),
]


def read_pcap(path):
    d = open(path, "rb").read()
    magic = d[:4]
    assert magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"), f"{path}: a little-endian pcap"
    off, frames = 24, []
    while off + 16 <= len(d):
        sec, frac, incl, orig = struct.unpack("<IIII", d[off:off + 16])
        frames.append((sec, frac, d[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return d[:24], frames


def swapped(src, dst):
    """Every two adjacent frames swapped, the timestamps left in order."""
    header, frames = read_pcap(src)
    order = list(range(len(frames)))
    for i in range(0, len(order) - 1, 2):
        order[i], order[i + 1] = order[i + 1], order[i]
    with open(dst, "wb") as f:
        f.write(header)
        for slot, j in enumerate(order):
            sec, frac = frames[slot][:2]
            data, orig = frames[j][2], frames[j][3]
            f.write(struct.pack("<IIII", sec, frac, len(data), orig) + data)


def analyze(pcap, case):
    r = subprocess.run([PCAPCASE, "analyze", "-q", "-o", case, pcap], capture_output=True,
                       text=True)
    check(r.returncode in (0, 1), f"{pcap}: analyze exit {r.returncode}: {r.stderr}")


def evidence(case):
    """What must not depend on the order the capture holds: sorted rows."""
    sha = {f["fuid"]: f.get("sha256") for f in rows(case, "files")}
    out = {"files": sorted(json.dumps([f.get(k) for k in (
        "sha256", "filename", "mime_type", "source", "seen_bytes", "missing_bytes",
        "total_bytes")]) for f in rows(case, "files"))}
    out["http"] = sorted(json.dumps([
        h.get("method"), h.get("host"), h.get("uri"), h.get("status_code"),
        h.get("request_body_len"), h.get("response_body_len"),
        [sha.get(x) for x in h.get("resp_fuids") or []]]) for h in rows(case, "http"))
    out["ftp"] = sorted(json.dumps([
        r.get("user"), r.get("command"), r.get("arg"), r.get("reply_code"), r.get("reply_msg"),
        sha.get(r.get("fuid"))]) for r in rows(case, "ftp"))
    out["smtp"] = sorted(json.dumps([
        r.get("mailfrom"), r.get("rcptto"), r.get("subject"), r.get("last_reply"),
        [sha.get(x) for x in r.get("fuids") or []]]) for r in rows(case, "smtp"))
    out["smb_files"] = sorted(json.dumps([
        r.get("action"), r.get("path"), r.get("name"), r.get("size"), sha.get(r.get("fuid"))])
        for r in rows(case, "smb_files"))
    out["credentials"] = sorted(json.dumps([
        r.get("proto"), r.get("mechanism"), r.get("username"), r.get("outcome")])
        for r in rows(case, "credentials"))
    return out


def holds(case):
    damaged = json.load(open(os.path.join(case, "case.json")))["evidence"][0].get("damaged", {})
    return damaged.get("anomaly.tcp_acked_unseen", 0)


def main():
    if not have_binary():
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for pcap in CAPTURES:
            name = os.path.basename(pcap)
            swap = os.path.join(tmp, "swapped-" + name)
            swapped(pcap, swap)
            a, b = os.path.join(tmp, name + ".as-made"), os.path.join(tmp, name + ".swapped")
            analyze(pcap, a)
            analyze(swap, b)
            ea, eb = evidence(a), evidence(b)
            check(ea["files"], f"{name}: files carved from the recording")
            for log in ea:
                check(ea[log] == eb[log], f"{name}: {log} rows the same when swapped\n"
                      f"  as made: {sorted(set(ea[log]) - set(eb[log]))}\n"
                      f"  swapped: {sorted(set(eb[log]) - set(ea[log]))}")
            check(holds(a) == 0, f"{name}: nothing held in the recording as made ({holds(a)})")
            check(holds(b) > 0, f"{name}: the swapped capture's holds are counted")
            print(f"{name}: {len(ea['files'])} files, {len(ea['http'])} http, "
                  f"{len(ea['ftp'])} ftp, {len(ea['smtp'])} smtp, {len(ea['smb_files'])} smb "
                  f"rows; {holds(b)} connections held when swapped")
    return result()


if __name__ == "__main__":
    sys.exit(main())
