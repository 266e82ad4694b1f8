#!/usr/bin/env python3
"""files_oracle.py — what tshark exports as files over the corpus, for the
files-beyond-HTTP oracle (tests/e2e/test_files_beyond_http.py).

Runs `tshark -r TRACE -q --export-objects KIND,DIR` for ftp-data, imf, smb and
tftp over every capture under the given corpus folders and writes one TSV row
per exported object: trace (relative to the corpus), kind, size, sha256, the
file name tshark chose.  The table is committed (tests/e2e/files_oracle.tsv) so
the test does not depend on the installed tshark's version; regenerate it with

    tests/tools/files_oracle.py ../shared/corpus > tests/e2e/files_oracle.tsv

and review the diff.  Only hashes and tshark's names are recorded, never the
objects themselves.
"""
import hashlib
import os
import subprocess
import sys
import tempfile

KINDS = ("ftp-data", "imf", "smb", "tftp")
FOLDERS = ("zeek-traces", "tcpdump-tests")
CAPTURE_ENDINGS = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".trace", ".dump")


def captures(corpus):
    for folder in FOLDERS:
        root = os.path.join(corpus, folder)
        for dirpath, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                if f.startswith(("LICENSE", "README")) or f.endswith((".keytab", ".txt", ".log")):
                    continue
                yield os.path.relpath(os.path.join(dirpath, f), corpus)


def export(path):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["tshark", "-n", "-r", path, "-q"]
        for k in KINDS:
            cmd += ["--export-objects", f"{k},{os.path.join(tmp, k)}"]
        try:
            subprocess.run(cmd, capture_output=True, timeout=600)
        except subprocess.TimeoutExpired:
            print(f"files_oracle: {path}: tshark timed out", file=sys.stderr)
            return rows
        for k in KINDS:
            d = os.path.join(tmp, k)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                data = open(os.path.join(d, name), "rb").read()
                rows.append((k, len(data), hashlib.sha256(data).hexdigest(), name))
    return rows


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "corpus")
    print("# trace\tkind\tsize\tsha256\ttshark_name")
    for rel in captures(corpus):
        for k, size, sha, name in export(os.path.join(corpus, rel)):
            name = name.replace("\t", " ").replace("\n", " ")
            print(f"{rel}\t{k}\t{size}\t{sha}\t{name}", flush=True)


if __name__ == "__main__":
    main()
