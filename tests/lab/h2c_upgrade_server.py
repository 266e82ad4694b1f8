#!/usr/bin/env python3
"""A minimal HTTP/1.1 -> HTTP/2 "Upgrade: h2c" server (RFC 7540 section 3.2).

  h2c_upgrade_server.py PORT DOCROOT

nghttpd answers only with the connection preface (prior knowledge) and nginx
does not implement Upgrade: h2c, so this serves the upgraded request itself:
it reads the HTTP/1.1 request, answers 101 Switching Protocols, sends its
SETTINGS, and answers the request on stream 1 (HEADERS with HPACK literals,
no Huffman, then DATA frames of at most 16 KB within the initial 64 KB flow
control window), then GOAWAY.  Frames the client sends (preface, SETTINGS,
WINDOW_UPDATE) are read and, for SETTINGS, acknowledged; other requests on
the connection are not served (the recording makes one).  Python standard
library only.
"""
import os
import socket
import struct
import sys
import threading

MAX_FRAME = 16384
WINDOW = 65535


def frame(ftype, flags, stream, payload):
    return struct.pack("!I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack("!I", stream) + payload


def literal(name, value):
    """HPACK literal header field without indexing, new name, no Huffman."""
    def string(s):
        b = s.encode()
        assert len(b) < 127
        return bytes([len(b)]) + b
    return b"\x00" + string(name) + string(value)


def read_frames(conn):
    """Read the client's preface and frames; acknowledge its SETTINGS."""
    buf = b""
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            if buf.startswith(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"):
                buf = buf[24:]
            while len(buf) >= 9:
                n = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + n:
                    break
                ftype, flags = buf[3], buf[4]
                if ftype == 4 and not flags & 1:
                    conn.sendall(frame(4, 1, 0, b""))
                buf = buf[9 + n:]
    except OSError:
        return


def serve(conn, root):
    req = b""
    while b"\r\n\r\n" not in req:
        chunk = conn.recv(4096)
        if not chunk:
            return
        req += chunk
    line = req.split(b"\r\n", 1)[0].decode()
    path = line.split(" ")[1]
    if b"upgrade: h2c" not in req.lower():
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        return
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
    conn.sendall(frame(4, 0, 0, b""))  # our SETTINGS: all defaults
    reader = threading.Thread(target=read_frames, args=(conn,), daemon=True)
    reader.start()
    full = os.path.normpath(os.path.join(root, path.lstrip("/")))
    body = open(full, "rb").read()[:WINDOW]
    block = literal(":status", "200") + literal("content-type", "text/plain") + \
        literal("content-length", str(len(body)))
    conn.sendall(frame(1, 4, 1, block))  # HEADERS, END_HEADERS
    for off in range(0, len(body), MAX_FRAME):
        part = body[off:off + MAX_FRAME]
        last = off + MAX_FRAME >= len(body)
        conn.sendall(frame(0, 1 if last else 0, 1, part))
    conn.sendall(frame(7, 0, 0, struct.pack("!II", 1, 0)))  # GOAWAY, last stream 1
    reader.join(timeout=2)


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4)
    while True:
        conn, _ = srv.accept()
        try:
            serve(conn, root)
        finally:
            conn.close()


if __name__ == "__main__":
    main()
