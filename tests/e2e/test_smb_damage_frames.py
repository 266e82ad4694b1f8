"""The frames of the SMB damage table: where the trouble was, not where its
connection began.

case.json's `damaged_first_frames` of each SMB reason lists the frames of
the first events of that kind (the frame holding the first byte of the
NetBIOS message concerned; Wireshark shows a message that spans several
segments at its last), the smallest of all connections, as many as counted
and at most five.  Three of Zeek's traces, alone and merged into one
capture with mergecap (three connections between three pairs of hosts,
which --jobs 2 and 3 give to different workers):

  smb3.pcap                         SMB3 encrypted from frame 9 (tshark:
                                    "Encrypted SMB3"), counted once
  smb1_transaction_response.pcap    a Trans request (14) and its response
                                    (15) we cannot read
  smb1-logoff-andx-no-advance.pcap  the Logoff AndX request of frame 4
                                    (tshark: [Malformed Packet])

Merged in time order, smb3's 54 frames come first, then the 15 and the 4.
main before this change gave frame 1 (each connection's SYN) for every
reason."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SMB = os.path.join(z.CORPUS, "zeek-traces", "smb")
TRACES = {
    "smb3.pcap": ({"incomplete.smb_encrypted": 1}, {"incomplete.smb_encrypted": [9]}),
    "smb1_transaction_response.pcap": ({"anomaly.smb_malformed_pdu": 2},
                                       {"anomaly.smb_malformed_pdu": [14, 15]}),
    "smb1-logoff-andx-no-advance.pcap": ({"anomaly.smb_malformed_pdu": 1},
                                         {"anomaly.smb_malformed_pdu": [4]}),
}
MERGED = ({"incomplete.smb_encrypted": 1, "anomaly.smb_malformed_pdu": 3},
          {"incomplete.smb_encrypted": [9], "anomaly.smb_malformed_pdu": [68, 69, 73]})


def smb_damage(out):
    ev = json.load(open(os.path.join(out, "case.json")))["evidence"][0]
    counts = {k: v for k, v in ev["damaged"].items() if "smb" in k}
    frames = {k: v for k, v in ev.get("damaged_first_frames", {}).items() if "smb" in k}
    return counts, frames


def main():
    c = z.Checker("smb_damage_frames")
    if not z.have_corpus():
        c.skip("all", z.corpus_missing())
        c.done()
    tmp = tempfile.mkdtemp(prefix="pcf-smbdmg-")
    try:
        cases = [(os.path.join(SMB, name), want) for name, want in TRACES.items()]
        if shutil.which("mergecap"):
            merged = os.path.join(tmp, "merged.pcap")
            subprocess.run(["mergecap", "-F", "pcap", "-w", merged,
                            *(os.path.join(SMB, n) for n in TRACES)], check=True)
            cases.append((merged, MERGED))
        else:
            c.skip("merged", "mergecap is not installed")
        for path, (counts, frames) in cases:
            name = os.path.basename(path)
            for jobs in (1, 2, 3):
                out = os.path.join(tmp, f"{name}-{jobs}")
                rc, err = z.analyze([path], out, ["--jobs", str(jobs)])
                c.eq(rc, 0, f"{name} --jobs {jobs}: exit status ({err[:200]})")
                got = smb_damage(out)
                c.eq(got[0], counts, f"{name} --jobs {jobs}: counts")
                c.eq(got[1], frames, f"{name} --jobs {jobs}: first frames")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.done()


if __name__ == "__main__":
    main()
