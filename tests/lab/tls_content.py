#!/usr/bin/env python3
"""The files the HTTPS / HTTP/2 recordings serve, generated from fixed seeds.

  tls_content.py DOCROOT small|full

Writes the document root for nginx and nghttpd.  Everything is derived from
SEED so a re-recording serves the same bytes; truth.json is computed from the
files written here (tls_truth.py), never typed by hand.

small: what the committed recordings serve (a few KB per file, so a capture
       stays at tens of KB).
full:  adds a 1 MiB binary and larger concurrent files (recorded at test time,
       never committed).
"""
import hashlib
import os
import subprocess
import sys

SEED = b"pcapcase-tls-20240801"


def stream(label, n):
    """n pseudo-random bytes: SHA-256 in counter mode over SEED and label."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(SEED + label.encode() + i.to_bytes(8, "big")).digest()
        i += 1
    return bytes(out[:n])


def text(label, n):
    """n bytes of compressible text (words picked by the seeded stream)."""
    words = ["packet", "stream", "record", "cipher", "header", "frame", "window",
             "server", "client", "session", "evidence", "carve", "digest", "case"]
    r = stream(label, n)
    out = []
    size = 0
    for i, b in enumerate(r):
        w = words[b % len(words)] + ("\n" if i % 12 == 11 else " ")
        out.append(w)
        size += len(w)
        if size >= n:
            break
    return "".join(out).encode()[:n]


def files(mode):
    """name -> bytes, for the given mode."""
    f = {
        "hello.txt": b"hello over TLS from pcapcase\n" + text("hello", 1500),
        "page.html": b"<!doctype html><title>pcapcase</title><pre>\n" + text("page", 6000) +
                     b"</pre>\n",
        "blob.bin": stream("blob", 8192),
        "notes.txt": text("notes", 3000),
    }
    per = 4096 if mode == "small" else 300 * 1024
    for k in "abcd":
        f[f"multi/{k}.bin"] = stream("multi-" + k, per + ord(k))
    if mode == "full":
        f["big.bin"] = stream("big", 1 << 20)
    return f


def main():
    root, mode = sys.argv[1], sys.argv[2]
    for name, data in files(mode).items():
        p = os.path.join(root, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as fh:
            fh.write(data)
    # brotli: nginx-light has no brotli module; serve a pre-compressed copy
    # with Content-Encoding: br (the .br file is what crosses the wire).
    subprocess.run(["brotli", "-f", "-q", "11", "-o", os.path.join(root, "notes.txt.br"),
                    os.path.join(root, "notes.txt")], check=True)


if __name__ == "__main__":
    main()
