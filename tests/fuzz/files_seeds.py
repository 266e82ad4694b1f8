#!/usr/bin/env python3
"""files_seeds.py DIR — seeds for fuzz_files from our own recordings
(tests/lab/files/*.pcap): each conversation's bytes with the selector byte
of its parser in front, plus the lab messages for the MIME parser."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "lab", "files")
SELECT = {"ftp": (0, 21), "smtp": (1, 25), "pop3": (2, 110), "imap": (3, 143), "smb2": (4, 445),
          "smb1": (4, 445), "imap_parts": (3, 143)}  # imap_parts: sections, BODYSTRUCTURE, literal8


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, (sel, port) in SELECT.items():
        pcap = os.path.join(LAB, name + ".pcap")
        r = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "tcp.payload",
                            "-Y", f"tcp.port=={port} && tcp.len>0"],
                           capture_output=True, text=True)
        data = b"".join(bytes.fromhex(l.replace(":", "")) for l in r.stdout.split())
        for step in (7, 40):
            with open(os.path.join(out, f"{name}-{step}"), "wb") as f:
                f.write(bytes([sel, step]) + data[:60000])
            if name.startswith("smtp"):  # the message alone, for the MIME parser
                with open(os.path.join(out, f"imf-{step}"), "wb") as f:
                    f.write(bytes([6, step]) + data[data.find(b"From:"):][:30000])


if __name__ == "__main__":
    main()
