#!/usr/bin/env python3
"""Seeds for the TLS and HTTP/2 fuzz targets, written into SEEDDIR/<target>/.

  make_seeds.py REPO SEEDDIR

fuzz_keylog:      the key logs of tests/recordings/tls.
fuzz_http2:       each HTTP/2 connection of tests/recordings/tls/h2c.pcap as
                  [direction][length:2][bytes] chunks in capture order (the
                  client preface removed: the target sends it itself).
fuzz_tls_records: sealed-mode inputs for every session kind of the target
                  (a few plaintexts of each content type, both directions,
                  TLS 1.3 handshake then application keys, a KeyUpdate).
Standard library only; the pcap reader handles what tcpdump on lo writes
(classic pcap, Ethernet, IPv4, TCP).
"""
import os
import shutil
import struct
import sys

REPO, OUT = sys.argv[1], sys.argv[2]
REC = os.path.join(REPO, "tests", "recordings", "tls")
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def tcp_segments(path):
    """(client port, from_client, payload) in capture order, in-sequence only."""
    data = open(path, "rb").read()
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    off, conns, nxt = 24, {}, {}
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue
        ihl = (frame[14] & 15) * 4
        tcp = frame[14 + ihl:]
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        flags, doff = tcp[13], (tcp[12] >> 4) * 4
        payload = tcp[doff:struct.unpack(">H", frame[16:18])[0] - ihl]
        if flags & 2 and not flags & 16:
            conns[sport] = dport
        client = sport if sport in conns else dport
        if client not in conns:
            continue
        key = (client, sport == client)
        if flags & 2:
            nxt[key] = seq + 1
            continue
        if payload and nxt.get(key) == seq:
            nxt[key] = seq + len(payload)
            yield client, sport == client, payload


def http2_seeds(out):
    streams = {}
    for client, from_client, p in tcp_segments(os.path.join(REC, "h2c.pcap")):
        streams.setdefault(client, []).append((from_client, p))
    for i, (client, segs) in enumerate(sorted(streams.items())):
        first_client = next(p for c, p in segs if c)
        if not first_client.startswith(PREFACE[:16]):
            continue  # the Upgrade: h2c connection starts with HTTP/1.1
        seed, skip = bytearray([0]), len(PREFACE)
        for from_client, p in segs:
            if from_client and skip:
                cut = min(skip, len(p))
                p, skip = p[cut:], skip - cut
            for k in range(0, len(p), 65535):
                part = p[k:k + 65535]
                seed += bytes([1 if from_client else 0]) + struct.pack(">H", len(part)) + part
        open(os.path.join(out, f"h2c-{i}"), "wb").write(seed)


def tls_seeds(out):
    for session in range(16):
        for etm in (0, 0x10):
            tls13 = session >= 11
            seed = bytearray([0x20 | etm | session])
            chunks = []
            if tls13:  # handshake key: EncryptedExtensions + Finished, then app data, KeyUpdate
                ee = b"\x08\x00\x00\x02\x00\x00"
                fin = b"\x14\x00\x00\x20" + bytes(32)
                chunks += [(1, 0, 22, ee + fin), (0, 0, 22, fin),
                           (0, 1, 23, b"GET / HTTP/1.1\r\n\r\n"), (1, 1, 23, b"HTTP/1.1 200 OK\r\n"),
                           (0, 1, 22, b"\x18\x00\x00\x01\x01"), (0, 2, 23, b"after update"),
                           (1, 1, 21, b"\x01\x00")]
            else:
                chunks += [(0, 0, 22, b"\x14\x00\x00\x0c" + bytes(12)),
                           (1, 0, 22, b"\x14\x00\x00\x0c" + bytes(12)),
                           (0, 0, 23, b"GET / HTTP/1.1\r\n\r\n"), (1, 0, 23, b"x" * 300),
                           (1, 0, 21, b"\x01\x00")]
            for d, stage, ctype, p in chunks:
                ctl = d | stage << 1 | (ctype - 20) << 3
                seed += bytes([ctl]) + struct.pack(">H", len(p)) + p
            open(os.path.join(out, f"sealed-{session}-{etm}"), "wb").write(seed)


def main():
    for t in ("fuzz_keylog", "fuzz_http2", "fuzz_tls_records"):
        os.makedirs(os.path.join(OUT, t), exist_ok=True)
    for f in os.listdir(REC):
        if f.endswith(".keys"):
            shutil.copy(os.path.join(REC, f), os.path.join(OUT, "fuzz_keylog", f))
    http2_seeds(os.path.join(OUT, "fuzz_http2"))
    tls_seeds(os.path.join(OUT, "fuzz_tls_records"))


if __name__ == "__main__":
    main()
