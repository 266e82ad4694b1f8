#!/usr/bin/env python3
"""files_seeds.py DIR — seeds for fuzz_files from our own recordings
(tests/lab/files/*.pcap): each conversation's bytes with the selector byte
of its parser in front, plus the lab messages for the MIME parser.

The SMB recordings in TURNED are also written as whole conversations in the
fuzzer's own framing (fuzz_files.c session(): turns of a fixed size,
client and server in turn), so that requests meet their answers and the
fuzzer starts from inputs that reach the commands' answers (SMB1 deletes
and renames by path, TRANS2 SET_*_INFORMATION)."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "lab", "files")
SELECT = {"ftp": (0, 21), "smtp": (1, 25), "pop3": (2, 110), "imap": (3, 143), "smb2": (4, 445),
          "smb1": (4, 445), "imap_parts": (3, 143),  # imap_parts: sections, BODYSTRUCTURE, literal8
          "smtp_chunking": (1, 25),  # BDAT chunks and pipelining (Exim)
          # SASL NTLM and OAuth in each mail protocol: one seed a protocol
          "ntlm_mail@smtp": (1, 25), "ntlm_mail@pop3": (2, 110), "ntlm_mail@imap": (3, 143),
          "oauth_mail@smtp": (1, 25), "oauth_mail@pop3": (2, 110), "oauth_mail@imap": (3, 143)}


TURNED = {"smb1_more": 4, "smb_core": 4, "smb_raw": 4}  # recording -> selector
SMB_TURN_STEP = 15          # fuzz_files: SMB turns are 16 * (1 + step % 97) bytes
NBSS_KEEPALIVE = b"\x85\x00\x00\x00"  # skipped by the framing: fills a turn


def smb_messages(pcap):
    """Per TCP stream, the NetBIOS messages in the order they completed:
    {stream: [(is_client, message bytes)]}."""
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "tcp.stream",
                        "-e", "tcp.dstport", "-e", "tcp.payload", "-Y", "tcp.len>0"],
                       capture_output=True, text=True)
    pending, out = {}, {}
    for line in r.stdout.splitlines():
        stream, dport, hexdata = line.split("\t")
        key = (stream, dport == "445")
        buf = pending.get(key, b"") + bytes.fromhex(hexdata.replace(":", ""))
        while len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[1:4], "big"):
            n = 4 + int.from_bytes(buf[1:4], "big")
            out.setdefault(stream, []).append((key[1], buf[:n]))
            buf = buf[n:]
        pending[key] = buf
    return out


def turned(messages, turn):
    """The messages laid out in turns of `turn` bytes, client first: each
    message padded to a multiple of 4 (its NetBIOS length grown: SMB reads
    by offsets and ignores trailing bytes), the rest of a turn and the other
    side's turns in between filled with keepalives."""
    turns = [bytearray()]
    for is_client, m in messages:
        pad = -len(m) % 4
        m = bytes([m[0]]) + (len(m) - 4 + pad).to_bytes(3, "big") + m[4:] + bytes(pad)
        while m:
            cur = turns[-1]
            if ((len(turns) - 1) % 2 == 0) != is_client or len(cur) == turn:
                cur += NBSS_KEEPALIVE * ((turn - len(cur)) // 4)
                turns.append(bytearray())
                continue
            k = min(turn - len(cur), len(m))
            cur += m[:k]
            m = m[k:]
    return b"".join(turns)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, (sel, port) in SELECT.items():
        pcap = os.path.join(LAB, name.split("@")[0] + ".pcap")
        r = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "tcp.payload",
                            "-Y", f"tcp.port=={port} && tcp.len>0"],
                           capture_output=True, text=True)
        data = b"".join(bytes.fromhex(l.replace(":", "")) for l in r.stdout.split())
        for step in (7, 40):
            with open(os.path.join(out, f"{name}-{step}"), "wb") as f:
                f.write(bytes([sel, step]) + data[:60000])
            if name.startswith("smtp"):  # the message alone, for the MIME parser
                imf = "imf" if name == "smtp" else f"imf-{name}"
                with open(os.path.join(out, f"{imf}-{step}"), "wb") as f:
                    f.write(bytes([6, step]) + data[data.find(b"From:"):][:30000])
    for name, sel in TURNED.items():
        convs = smb_messages(os.path.join(LAB, name + ".pcap"))
        for stream, messages in sorted(convs.items()):
            with open(os.path.join(out, f"{name}-turned-{stream}"), "wb") as f:
                f.write(bytes([sel, SMB_TURN_STEP]) + turned(messages, 16 * (1 + SMB_TURN_STEP)))


if __name__ == "__main__":
    main()
