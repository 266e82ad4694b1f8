"""NTLM logins over SMB with their outcome (tests/lab/files/smb_logins.pcap,
record_smb_logins.sh): smbclient against samba as carol, over SMB3 and
over SMB1 (NT1), each time first with a wrong password (the server answers
NT_STATUS_LOGON_FAILURE) and then with hers (smb-Secret-4).  Checked here:

  - credentials.ndjson has the four logins in order, NetNTLMv2, user and
    domain as sent, `frame` the AUTHENTICATE's, and `outcome` the server's
    verdict: refused, accepted, refused, accepted (before 2026-12-01 an SMB
    login had no outcome: a password spray over SMB looked like logins);
  - tshark (when installed) reads the same verdicts: the SESSION_SETUP
    answer after each AUTHENTICATE, STATUS_LOGON_FAILURE or STATUS_SUCCESS;
  - each hashcat line's NTLMv2 proof confirms the password sent with it
    (tests/lab/files/ntlm_lab.py), and not the other;
  - --jobs 2 gives the same logs.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
sys.path.insert(0, LAB)
import ntlm_lab  # noqa: E402

PCAP = os.path.join(LAB, "smb_logins.pcap")
PASSWORDS = {"rejected": "not-the-password", "accepted": "smb-Secret-4"}  # record_smb_logins.sh


def tshark_verdicts(frames):
    """tshark's status of the first SESSION_SETUP answer after each frame."""
    out = subprocess.run(["tshark", "-r", PCAP, "-Y", "(smb2.cmd==1 && smb2.flags.response==1)"
                          " || (smb.cmd==0x73 && smb.flags.response==1)", "-T", "fields", "-e",
                          "frame.number", "-e", "smb2.nt_status", "-e", "smb.nt_status"],
                         capture_output=True, text=True, check=True)
    answers = []
    for line in out.stdout.splitlines():
        num, s2, s1 = (line.split("\t") + ["", ""])[:3]
        answers.append((int(num), int(s2 or s1, 16)))
    verdict = {0: "accepted", 0xC000006D: "rejected"}
    return [next((verdict.get(st, hex(st)) for n, st in answers if n > f), None) for f in frames]


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "j1")
        keylog_case.analyze(PCAP, case, None, 1)
        creds = rows(case, "credentials")
        got = [(c.get("proto"), c.get("mechanism"), c.get("username"), c.get("domain"),
                c.get("outcome")) for c in creds]
        want = [("smb", "NetNTLMv2", "carol", "WORKGROUP", o)
                for o in ("rejected", "accepted", "rejected", "accepted")]
        check(got == want, f"four SMB logins with their verdicts: {got}")
        for c in creds:
            pw = PASSWORDS.get(c.get("outcome"))
            line = c.get("secret") or ""
            check(pw is not None and ntlm_lab.proves_only(line, pw, PASSWORDS.values()),
                  f"frame {c.get('frame')}: NTLMv2's proof confirms the password sent, "
                  f"and not the other")
        if shutil.which("tshark"):
            frames = [c.get("frame") for c in creds]
            check(tshark_verdicts(frames) == [c.get("outcome") for c in creds],
                  f"tshark's SESSION_SETUP answers after frames {frames} say the same")
        else:
            print("tshark not installed: its check is skipped")
        other = os.path.join(tmp, "j2")
        keylog_case.analyze(PCAP, other, None, 2)
        same_logs(case, other, "--jobs 2 (against --jobs 1)")
    return result("ok: SMB logins with the server's verdict")


if __name__ == "__main__":
    sys.exit(main())
