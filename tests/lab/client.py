#!/usr/bin/env python3
"""Lab client, run inside the client namespace by record.sh.

  client.py LOGFILE STEP      STEP in: web scan tunnel upload beacon large large_upload

Appends one JSON line per action to LOGFILE (what was really done and seen).
"""
import base64
import hashlib
import http.client
import json
import random
import socket
import struct
import sys
import time

import content

LOGFILE = sys.argv[1]
RND = random.Random(content.SEED + 10)


def log(rec):
    rec["t"] = time.time()
    with open(LOGFILE, "a") as f:
        f.write(json.dumps(rec, sort_keys=True) + "\n")


def dns_query(name, qtype=1):
    qid = RND.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00"
    q += struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, (content.DNS_IP, 53))
    r, _ = s.recvfrom(4096)
    s.close()
    rid, flags, qd, an = struct.unpack(">HHHH", r[:8])
    assert rid == qid
    rcode = flags & 0xF
    off = len(q)
    answers = []
    for _ in range(an):
        off += 2  # compressed name pointer
        t, c, ttl, rdlen = struct.unpack(">HHIH", r[off:off + 10])
        off += 10
        rd = r[off:off + rdlen]
        off += rdlen
        if t == 1:
            answers.append(socket.inet_ntoa(rd))
        elif t == 16:
            answers.append(rd[1:1 + rd[0]].decode())
    log({"kind": "dns", "qname": name, "qtype": qtype, "rcode": rcode, "answers": answers})
    return answers[0] if answers else None


def get(conn, host, path, extra=None):
    h = {"Host": host, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) lab-client/1.0",
         "Accept": "*/*"}
    h.update(extra or {})
    conn.request("GET", path, headers=h)
    r = conn.getresponse()
    body = r.read()
    log({"kind": "http_get", "host": host, "path": path, "status": r.status,
         "local_port": conn.sock.getsockname()[1] if conn.sock else None,
         "received_size": len(body), "received_sha256": hashlib.sha256(body).hexdigest()})
    return r, body


def web():
    for n in content.NXDOMAIN_NAMES[:3]:
        dns_query(n)
    name = "www.example-shop.test"
    ip = dns_query(name)
    # several requests on one keep-alive connection
    c = http.client.HTTPConnection(ip, 80, timeout=10)
    get(c, name, "/index.html")
    get(c, name, "/static/app.js", {"Accept-Encoding": "gzip"})
    get(c, name, "/images/logo.png")
    get(c, name, "/docs/invoice.pdf")
    log({"kind": "keepalive", "host": name, "local_port": c.sock.getsockname()[1], "requests": 4})
    c.close()
    time.sleep(0.3)
    # basic auth: first without, then with credentials
    c = http.client.HTTPConnection(ip, 80, timeout=10)
    get(c, name, "/admin/")
    cred = base64.b64encode(f"{content.BASIC_USER}:{content.BASIC_PASSWORD}".encode()).decode()
    get(c, name, "/admin/", {"Authorization": "Basic " + cred})
    c.close()
    time.sleep(0.3)
    for n in content.NXDOMAIN_NAMES[3:]:
        dns_query(n)
    name = "cdn.files.test"
    ip = dns_query(name)
    c = http.client.HTTPConnection(ip, 80, timeout=10)
    get(c, name, "/files/bundle.zip")
    c.close()
    c = http.client.HTTPConnection(ip, 80, timeout=10)
    get(c, name, "/download/passwd")
    c.close()


def scan():
    target = dns_query("update.bad-domain.test")
    start = time.time()
    open_ports = []
    for p in content.SCAN_PORTS:
        s = socket.socket()
        s.settimeout(0.5)
        try:
            s.connect((target, p))
            open_ports.append(p)
        except OSError:
            pass
        s.close()
        time.sleep(0.002)
    log({"kind": "scan", "start": start, "target": target, "ports": len(content.SCAN_PORTS),
         "first": content.SCAN_PORTS[0], "last": content.SCAN_PORTS[-1], "open": open_ports})


def tunnel():
    for lab in content.tunnel_labels():
        dns_query(f"{lab}.{content.TUNNEL_DOMAIN}", qtype=16)
        time.sleep(0.03)


def upload():
    name = "cdn.files.test"
    ip = dns_query(name)
    body = content.upload_body()
    c = http.client.HTTPConnection(ip, 80, timeout=60)
    start = time.time()
    c.request("POST", "/upload", body=body,
              headers={"Host": name, "Content-Type": "application/octet-stream",
                       "User-Agent": "curl/7.88.1"})
    r = c.getresponse()
    r.read()
    log({"kind": "upload", "start": start, "host": name, "server": ip, "status": r.status,
         "local_port": c.sock.getsockname()[1], "size": len(body),
         "sha256": hashlib.sha256(body).hexdigest()})
    c.close()


def beacon():
    name = "c2.bad-domain.test"
    ip = dns_query(name)
    sched = content.beacon_schedule()
    t0 = time.time()
    due = t0
    for i in range(content.BEACON_COUNT):
        now = time.time()
        if due > now:
            time.sleep(due - now)
        start = time.time()
        c = http.client.HTTPConnection(ip, 80, timeout=5)
        r, body = get(c, name, "/beacon", {"Connection": "close", "User-Agent": "Mozilla/4.0 (compatible; MSIE 8.0)"})
        log({"kind": "beacon", "n": i, "start": start, "server": ip})
        c.close()
        if i < len(sched):
            due = start + sched[i]


def large():
    c = http.client.HTTPConnection("203.0.113.30", 80, timeout=60)
    get(c, "cdn.files.test", "/files/large.bin")
    c.close()


def large_upload():
    body = content.compare_upload_body()
    c = http.client.HTTPConnection("203.0.113.30", 80, timeout=60)
    c.request("POST", "/sync", body=body,
              headers={"Host": "cdn.files.test", "Content-Type": "application/octet-stream",
                       "User-Agent": "lab-client/1.0"})
    r = c.getresponse()
    r.read()
    log({"kind": "compare_upload", "host": "cdn.files.test", "status": r.status,
         "local_port": c.sock.getsockname()[1], "size": len(body),
         "sha256": hashlib.sha256(body).hexdigest()})
    c.close()


if __name__ == "__main__":
    {"web": web, "scan": scan, "tunnel": tunnel, "upload": upload,
     "beacon": beacon, "large": large, "large_upload": large_upload}[sys.argv[2]]()
