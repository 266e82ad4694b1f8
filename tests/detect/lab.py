#!/usr/bin/env python3
"""lab.py — servers and clients for tests/detect/record.sh, run inside its namespaces.

  lab.py dns IP                      DNS on IP:53: A for the lab's names, TXT / CNAME / MX /
                                     NULL data answers for anything under a tunnel domain
  lab.py http                        HTTP/1.1 on 0.0.0.0:80: any Host, GET, POST and PUT
                                     (Content-Length or chunked)
  lab.py beacon URL HOSTIP PERIOD JITTER COUNT STYLE
                                     curl polls URL every PERIOD s; STYLE "down" draws each
                                     interval in [P(1-J), P], "both" in [P(1-J), P(1+J)]
  lab.py browse HOSTIP HOSTS... -- SECONDS
                                     curl fetches random Hosts at random times (exponential)
  lab.py tunnel DNSIP DOMAIN STYLE COUNT RATE
                                     STYLE iodine (base32 labels, TXT) or dnscat2 (hex labels,
                                     CNAME / MX / TXT by turns), RATE queries a second
  lab.py scan IP FIRST LAST          TCP connect scan of ports FIRST..LAST
  lab.py udpscan IP FIRST LAST       one empty UDP datagram to each port
  lab.py pingsweep PREFIX FIRST LAST ICMP echo to PREFIX.FIRST .. PREFIX.LAST (raw socket)

Every random draw comes from random.Random(SEED env, default 1), so a re-recording makes the
same schedule; the network's own timing differs from run to run.  The client's source
address is SRC (env): curl --interface, sockets bound to it.
"""
import http.server
import os
import random
import socket
import socketserver
import struct
import subprocess
import sys
import time

RNG = random.Random(int(os.environ.get("SEED", "1")))
SRC = os.environ.get("SRC")
B32 = "abcdefghijklmnopqrstuvwxyz234567"
HEX = "0123456789abcdef"


def qname_of(msg):
    labels, off = [], 12
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels), off + 1


def dns_server(ip):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 53))
    while True:
        msg, peer = s.recvfrom(4096)
        if len(msg) < 17:
            continue
        name, off = qname_of(msg)
        qtype = struct.unpack(">H", msg[off:off + 2])[0]
        question = msg[12:off + 4]
        data = "".join(RNG.choice(B32) for _ in range(40)).encode()
        if qtype == 16:
            rd = bytes([len(data)]) + data
        elif qtype in (5, 15):
            rd = (b"\x00\x0a" if qtype == 15 else b"") + bytes([40]) + data + b"\xc0\x0c"
        elif qtype == 10:
            rd = data
        else:
            qtype, rd = 1, bytes([203, 0, 113, 53])
        ans = struct.pack(">HHHIH", 0xC00C, qtype, 1, 0, len(rd)) + rd
        hdr = struct.pack(">HHHHHH", struct.unpack(">H", msg[:2])[0], 0x8580, 1, 1, 0, 0)
        s.sendto(hdr + question + ans, peer)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def body(self):
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            n = 0
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return n
                n += len(self.rfile.read(size))
                self.rfile.readline()
        left = int(self.headers.get("Content-Length") or 0)
        while left:
            left -= len(self.rfile.read(min(65536, left)))
        return int(self.headers.get("Content-Length") or 0)

    def reply(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        size = 60 if self.path.startswith("/poll") else RNG.randint(1000, 8000)
        self.reply(os.urandom(size))

    def do_POST(self):
        self.reply(b'{"stored":%d}\n' % self.body())

    do_PUT = do_POST


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def curl(url, host_ip, *extra):
    host = url.split("/")[2]
    src = ["--interface", SRC] if SRC else []
    subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "5", *src, "--resolve",
                    f"{host}:80:{host_ip}", *extra, url], check=False)


def sock(kind, proto=0):
    s = socket.socket(socket.AF_INET, kind, proto)
    if SRC:
        s.bind((SRC, 0))
    return s


def beacon(url, host_ip, period, jitter, count, style):
    period, jitter = float(period), float(jitter)
    for _ in range(int(count)):
        curl(url, host_ip)
        lo = period * (1 - jitter)
        hi = period if style == "down" else period * (1 + jitter)
        time.sleep(RNG.uniform(lo, hi))


def browse(host_ip, hosts, seconds):
    end = time.time() + float(seconds)
    while time.time() < end:
        curl(f"http://{RNG.choice(hosts)}/page{RNG.randint(1, 999)}.html", host_ip)
        time.sleep(RNG.expovariate(1 / 2.5))


def dns_query(sock, server, name, qtype):
    q = struct.pack(">HHHHHH", RNG.randint(0, 65535), 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00"
    q += struct.pack(">HH", qtype, 1)
    sock.sendto(q, (server, 53))
    try:
        sock.recvfrom(4096)
    except socket.timeout:
        pass


def tunnel(server, domain, style, count, rate):
    for i in range(int(count)):
        s = sock(socket.SOCK_DGRAM)  # a fresh port per query
        s.settimeout(1)
        if style == "iodine":
            data = "".join(RNG.choice(B32) for _ in range(RNG.randint(60, 110)))
            name = ".".join(data[j:j + 57] for j in range(0, len(data), 57)) + "." + domain
            qtype = 16
        else:
            data = "".join(RNG.choice(HEX) for _ in range(RNG.choice((18, 22, 26, 80))))
            name = ".".join(data[j:j + 60] for j in range(0, len(data), 60)) + "." + domain
            qtype = (5, 15, 16)[i % 3]
        dns_query(s, server, name, qtype)
        s.close()
        time.sleep(RNG.expovariate(float(rate)))


def scan(ip, first, last):
    ports = list(range(int(first), int(last) + 1))
    RNG.shuffle(ports)
    for p in ports:
        s = sock(socket.SOCK_STREAM)
        s.settimeout(0.5)
        try:
            s.connect((ip, p))
        except OSError:
            pass
        s.close()
        time.sleep(0.01)


def udpscan(ip, first, last):
    for p in range(int(first), int(last) + 1):
        s = sock(socket.SOCK_DGRAM)
        s.sendto(b"", (ip, p))
        s.close()
        time.sleep(0.02)


def pingsweep(prefix, first, last):
    s = sock(socket.SOCK_RAW, socket.IPPROTO_ICMP)
    for i, host in enumerate(range(int(first), int(last) + 1)):
        payload = bytes(RNG.randint(0, 255) for _ in range(32))
        hdr = struct.pack(">BBHHH", 8, 0, 0, 0x4d2, i + 1)
        total = sum(struct.unpack(">%dH" % ((len(hdr) + len(payload)) // 2), hdr + payload))
        total = (total >> 16) + (total & 0xFFFF)
        total += total >> 16
        hdr = struct.pack(">BBHHH", 8, 0, ~total & 0xFFFF, 0x4d2, i + 1)
        s.sendto(hdr + payload, (f"{prefix}.{host}", 0))
        time.sleep(0.05)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "dns":
        dns_server(args[0])
    elif cmd == "http":
        Server(("0.0.0.0", 80), Handler).serve_forever()
    elif cmd == "beacon":
        beacon(*args)
    elif cmd == "browse":
        sep = args.index("--")
        browse(args[0], args[1:sep], args[sep + 1])
    elif cmd == "tunnel":
        tunnel(*args)
    elif cmd == "scan":
        scan(*args)
    elif cmd == "udpscan":
        udpscan(*args)
    elif cmd == "pingsweep":
        pingsweep(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
