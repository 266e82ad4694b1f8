"""dot_lab.py — a DNS-over-TLS (RFC 7858) server and client for the lab
recording (record.sh): no DNS library, messages built by hand.

    dot_lab.py server CERT KEY PORT          answer ZONE on 127.0.0.1:PORT
    dot_lab.py client PORT TRUTH.json         ask QUERIES, write the truth

The client's TLS keys go to SSLKEYLOGFILE (Python's ssl writes them there
when the variable is set).  Two sessions: TLS 1.3 with three queries on one
connection (two names in ZONE, one that does not exist), then TLS 1.2 with
one.  The truth is what the client sent and got, checked against ZONE.
"""
import json
import socket
import ssl
import struct
import sys

ZONE = {"www.lab.example": "203.0.113.8", "exfil-c2.lab.example": "203.0.113.66"}
SESSIONS = [
    ("TLSv1.3", [("www.lab.example", 1), ("exfil-c2.lab.example", 1), ("nothing.lab.example", 1)]),
    ("TLSv1.2", [("www.lab.example", 1)]),
]
TTL = 300


def name_bytes(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def query(txid, name, qtype):
    return struct.pack("!HHHHHH", txid, 0x0100, 1, 0, 0, 0) + name_bytes(name) + struct.pack("!HH", qtype, 1)


def parse_question(msg):
    txid, = struct.unpack("!H", msg[:2])
    off, labels = 12, []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode())
        off += 1 + n
    qtype, = struct.unpack("!H", msg[off + 1:off + 3])
    return txid, ".".join(labels), qtype, msg[12:off + 5]


def answer(msg):
    txid, name, qtype, question = parse_question(msg)
    addr = ZONE.get(name) if qtype == 1 else None
    rcode = 0 if name in ZONE else 3
    head = struct.pack("!HHHHHH", txid, 0x8180 | rcode, 1, 1 if addr else 0, 0, 0)
    rr = b""
    if addr:
        rr = struct.pack("!HHHIH", 0xC00C, 1, 1, TTL, 4) + socket.inet_aton(addr)
    return head + question + rr


def read_exact(s, n):
    b = b""
    while len(b) < n:
        got = s.recv(n - len(b))
        if not got:
            return None
        b += got
    return b


def server(cert, key, port):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(port)))
    ls.listen(4)
    while True:
        c, _ = ls.accept()
        try:
            with ctx.wrap_socket(c, server_side=True) as t:
                while True:
                    h = read_exact(t, 2)
                    if not h:
                        break
                    msg = read_exact(t, struct.unpack("!H", h)[0])
                    r = answer(msg)
                    t.sendall(struct.pack("!H", len(r)) + r)
        except (ssl.SSLError, OSError):
            pass


def client(port, truth_path):
    truth = {"port": int(port), "zone": ZONE, "sessions": []}
    txid = 0x4d00
    for version, queries in SESSIONS:
        ctx = ssl.create_default_context()  # honours SSLKEYLOGFILE
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if version == "TLSv1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        got = []
        with socket.create_connection(("127.0.0.1", int(port))) as raw, \
                ctx.wrap_socket(raw, server_hostname="dot.lab.example") as t:
            assert t.version() == version, t.version()
            for name, qtype in queries:
                txid += 1
                q = query(txid, name, qtype)
                t.sendall(struct.pack("!H", len(q)) + q)
                r = read_exact(t, struct.unpack("!H", read_exact(t, 2))[0])
                rid, = struct.unpack("!H", r[:2])
                rcode = struct.unpack("!H", r[2:4])[0] & 0xF
                ancount = struct.unpack("!H", r[6:8])[0]
                addr = socket.inet_ntoa(r[-4:]) if ancount else None
                assert rid == txid and addr == ZONE.get(name) and rcode == (0 if name in ZONE else 3)
                got.append({"trans_id": txid, "query": name, "qtype": qtype,
                            "rcode": rcode, "answers": [addr] if addr else []})
        truth["sessions"].append({"tls": version, "queries": got})
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(*sys.argv[2:5])
    else:
        client(*sys.argv[2:4])
