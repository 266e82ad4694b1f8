#!/usr/bin/env python3
"""Build truth.json for the HTTPS / HTTP/2 recordings (record_tls.sh).

  tls_truth.py WORKDIR OUTDIR MODE

Sources, nothing typed by hand: the served files in WORKDIR/docs (their
SHA-256, decoded and as sent), WORKDIR/sessions.jsonl (what each client run
asked for), the DoH backend's log, the SSLv2 client's record, and tshark
reading the captures (client random, negotiated version and cipher suite of
every TLS connection, in connection order) as an independent check that the
sessions are what the script asked for.  tshark must also decrypt every
session with the key log: the recording is refused otherwise.
"""
import hashlib
import json
import os
import re
import subprocess
import sys

WORK, OUT, MODE = sys.argv[1:4]
DOCS = os.path.join(WORK, "docs")
HEXLINE = re.compile(r"^([0-9a-f]{4,8})  [0-9a-f]{2}( |$)")
VERSIONS = {"0x0304": "TLSv13", "0x0303": "TLSv12", "0x0302": "TLSv11", "0x0301": "TLSv10"}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read(p):
    with open(p, "rb") as f:
        return f.read()


def jsonl(p):
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]


def files():
    """Every served path: the file's SHA-256, and what crossed the wire."""
    out = {}
    for d, _, names in os.walk(DOCS):
        for n in names:
            p = os.path.join(d, n)
            path = "/" + os.path.relpath(p, DOCS)
            data = read(p)
            e = {"size": len(data), "sha256": sha256(data)}
            if n.endswith(".br"):  # served with Content-Encoding: br
                plain = read(p[:-3])
                e = {"size": len(plain), "sha256": sha256(plain), "content_encoding": "br",
                     "wire_size": len(data), "wire_sha256": sha256(data)}
            out[path] = e
    return dict(sorted(out.items()))


def tshark(pcap, keys, fields, flt):
    cmd = ["tshark", "-r", pcap, "-Y", flt, "-T", "fields", "-E", "separator=|"]
    if keys:
        cmd += ["-o", "tls.keylog_file:" + keys]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return [l.split("|") for l in r.stdout.splitlines() if l]


def tls_connections(cap):
    """(tcp stream, client random, version, cipher) per connection, in order."""
    pcap = os.path.join(OUT, cap + ".pcap")
    hello = {int(s): r for s, r in tshark(pcap, None, ["tcp.stream", "tls.handshake.random"],
                                          "tls.handshake.type == 1")}
    conns = {}  # by stream: a HelloRetryRequest is a first ServerHello, the real one follows
    for s, cipher, sv, legacy in tshark(pcap, None, ["tcp.stream", "tls.handshake.ciphersuite",
                                                     "tls.handshake.extensions.supported_version",
                                                     "tls.handshake.version"],
                                        "tls.handshake.type == 2"):
        conns[int(s)] = {"tcp_stream": int(s), "client_random": hello[int(s)].split(",")[0]
                         .replace(":", ""), "version": VERSIONS.get(sv or legacy, sv or legacy),
                         "cipher_id": int(cipher, 16)}
    return [conns[s] for s in sorted(conns)]


def decrypted_streams(cap):
    """TCP streams in which tshark, given the key log, shows HTTP or HTTP/2."""
    pcap = os.path.join(OUT, cap + ".pcap")
    keys = os.path.join(OUT, cap + ".keys")
    rows = tshark(pcap, keys, ["tcp.stream"], "http.request or http2.type == 1")
    return {int(r[0]) for r in rows}


def server_ports(cap):
    """tcp stream -> the server's port (the side that sent the ServerHello)."""
    pcap = os.path.join(OUT, cap + ".pcap")
    return {int(s): int(p) for s, p in tshark(pcap, None, ["tcp.stream", "tcp.srcport"],
                                                "tls.handshake.type == 2")}


def tshark_plaintext(cap, conns):
    """Per TLS connection and direction: tshark's decrypted record plaintexts
    ("Decrypted TLS" blocks of tshark -x with the key log), concatenated in
    order: their count, size and SHA-256.  The decryption unit test compares
    its own output with these."""
    pcap = os.path.join(OUT, cap + ".pcap")
    keys = os.path.join(OUT, cap + ".keys")
    port_of = server_ports(cap)
    where = {int(f): (int(s), int(sp)) for f, s, sp in
             tshark(pcap, None, ["frame.number", "tcp.stream", "tcp.srcport"], "tcp")}
    # out-of-order reassembly on: on a busy machine tcpdump on lo can record
    # two segments in the other order, and tshark 4.0 by default then leaves
    # out the records that span them
    r = subprocess.run(["tshark", "-r", pcap, "-o", "tcp.reassemble_out_of_order:TRUE",
                        "-o", "tls.keylog_file:" + keys, "-P", "-x"],
                       check=True, capture_output=True, text=True)
    blocks = {}  # (stream, is_server) -> [bytes]
    frame, cur = None, None
    for line in r.stdout.splitlines():
        hexline = HEXLINE.match(line)  # offsets grow past 4 digits in blocks over 64 KB
        if hexline:
            if cur is not None:
                start = len(hexline.group(1)) + 2
                cur += bytes.fromhex(line[start:start + 48].replace(" ", ""))
            continue
        if line.startswith("Decrypted TLS ("):
            stream, sport = where[frame]
            cur = bytearray()
            blocks.setdefault((stream, sport == port_of[stream]), []).append(cur)
            continue
        cur = None
        head = line.split()
        if head and head[0].isdigit() and not line.endswith(":"):
            frame = int(head[0])
    out = {}
    for c in conns:
        e = {}
        for is_server, name in ((False, "client"), (True, "server")):
            recs = blocks.get((c["tcp_stream"], is_server), [])
            data = b"".join(bytes(b) for b in recs)
            e[name] = {"records": len(recs), "bytes": len(data), "sha256": sha256(data)}
        out[c["client_random"]] = e
    return out


PLAINTEXT = {}


def sessions():
    by_cap = {}
    for s in jsonl(os.path.join(WORK, "sessions.jsonl")):
        by_cap.setdefault(s["capture"], []).append(s)
    out = []
    for cap, ss in by_cap.items():
        if cap in ("tls13", "tls12", "tls12cbc", "tlsmore"):
            conns = tls_connections(cap)
            dec = decrypted_streams(cap)
            if len(conns) != len(ss):
                sys.exit(f"tls_truth.py: {cap}: {len(conns)} TLS connections, {len(ss)} sessions")
            PLAINTEXT[cap] = tshark_plaintext(cap, conns)
            for s, c in zip(ss, conns):
                if c["version"] != s["version"]:
                    sys.exit(f"tls_truth.py: {s['label']}: version {c['version']}")
                if c["tcp_stream"] not in dec:
                    sys.exit(f"tls_truth.py: {s['label']}: tshark cannot decrypt it")
                s.update(c)
        out += ss
    conns = tls_connections("doh")
    if not decrypted_streams("doh") >= {c["tcp_stream"] for c in conns}:
        sys.exit("tls_truth.py: doh: tshark cannot decrypt every session")
    PLAINTEXT["doh"] = tshark_plaintext("doh", conns)
    return out


def main():
    truth = {
        "mode": MODE,
        "files": files(),
        "sessions": sessions(),
        "doh": jsonl(os.path.join(WORK, "doh.jsonl")),
        "sslv2": json.load(open(os.path.join(WORK, "sslv2.json"))),
        "captures": {},
    }
    truth["tshark_plaintext"] = PLAINTEXT
    for cap in ("tls13", "tls12", "tls12cbc", "tlsmore", "h2c", "doh", "sslv2"):
        p = os.path.join(OUT, cap + ".pcap")
        k = os.path.join(OUT, cap + ".keys")
        truth["captures"][cap] = {"sha256": sha256(read(p)), "bytes": os.path.getsize(p),
                                  "keylog_sha256": sha256(read(k)) if os.path.exists(k) else None}
    with open(os.path.join(OUT, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
