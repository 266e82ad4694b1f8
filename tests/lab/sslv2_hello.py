#!/usr/bin/env python3
"""Send an SSLv2-compatible ClientHello (RFC 5246 appendix E.2) and read the answer.

  sslv2_hello.py PORT OUT_JSON

openssl s_client can no longer send this format, but OpenSSL servers still
accept it for TLS 1.0-1.2 and some malware still sends it.  We send the
2-byte-header SSLv2 CLIENT-HELLO offering TLS 1.2, read the server's records
until ServerHelloDone (or 5 s), and close: the capture then holds an SSLv2
hello followed by a TLS ServerHello, Certificate and ServerHelloDone.  The
challenge (which becomes the client random) and the server's first record
header go to OUT_JSON for the truth file.
"""
import hashlib
import json
import socket
import sys
import time

# TLS cipher suites written as SSLv2 3-byte cipher specs (first byte 0).
CIPHERS = [0xC02F, 0xC030, 0xC013, 0xC014, 0x009C, 0x002F, 0x0035, 0x00FF]


def hello():
    challenge = hashlib.sha256(b"pcapcase-sslv2-challenge").digest()  # 32 bytes
    specs = b"".join(c.to_bytes(3, "big") for c in CIPHERS)
    body = (bytes([1]) + b"\x03\x03" + len(specs).to_bytes(2, "big") + b"\x00\x00" +
            len(challenge).to_bytes(2, "big") + specs + challenge)
    return (0x8000 | len(body)).to_bytes(2, "big") + body, challenge


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    msg, challenge = hello()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(msg)
    got = b""
    deadline = time.time() + 5
    # ServerHelloDone is handshake type 14 with an empty body: 0e 00 00 00
    while b"\x0e\x00\x00\x00" not in got and time.time() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    s.close()
    with open(out, "w") as f:
        json.dump({"client_random": challenge.hex(), "server_bytes": len(got),
                   "server_first_record": got[:5].hex(),
                   "server_hello_done": b"\x0e\x00\x00\x00" in got}, f)
    if b"\x0e\x00\x00\x00" not in got:
        sys.exit("sslv2_hello.py: no ServerHelloDone from the server")


if __name__ == "__main__":
    main()
