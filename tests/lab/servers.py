#!/usr/bin/env python3
"""Lab servers, run inside the server namespace by record.sh.

  servers.py dns  LOGFILE            UDP DNS on 198.51.100.53:53
  servers.py http LOGFILE            HTTP/1.1 on 0.0.0.0:80 (virtual hosts from content.site())
  servers.py banner IP PORT TEXT     TCP listener that sends TEXT and closes (an "SSH" port)

Every server appends one JSON line per transaction to LOGFILE describing what it
actually sent (sizes and hashes of the bytes that went on the wire); truth.py
builds the truth file from these logs.
"""
import base64
import hashlib
import http.server
import json
import socket
import socketserver
import struct
import sys
import threading
import time

import content

LOCK = threading.Lock()


def log(path, rec):
    rec["t"] = time.time()
    with LOCK, open(path, "a") as f:
        f.write(json.dumps(rec, sort_keys=True) + "\n")


def hashes(b):
    return {"size": len(b), "sha256": hashlib.sha256(b).hexdigest(),
            "sha1": hashlib.sha1(b).hexdigest(), "md5": hashlib.md5(b).hexdigest()}


# ---------------------------------------------------------------- DNS
def parse_qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            break
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    return ".".join(labels), off


def dns_server(logfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((content.DNS_IP, 53))
    tunnel_n = 0
    while True:
        msg, peer = s.recvfrom(4096)
        if len(msg) < 12:
            continue
        qid, flags, qd = struct.unpack(">HHH", msg[:6])
        name, off = parse_qname(msg, 12)
        qtype, qclass = struct.unpack(">HH", msg[off:off + 4])
        question = msg[12:off + 4]
        lname = name.lower()
        answers = []
        rcode = 0
        if qtype == 1 and lname in content.ZONE_A:
            ip = content.ZONE_A[lname]
            answers.append(("A", ip, struct.pack(">HHHIH", 0xC00C, 1, 1, 300, 4) + socket.inet_aton(ip)))
        elif qtype == 16 and lname.endswith("." + content.TUNNEL_DOMAIN):
            tunnel_n += 1
            txt = f"ack{tunnel_n:03d}".encode()
            rdata = bytes([len(txt)]) + txt
            answers.append(("TXT", txt.decode(), struct.pack(">HHHIH", 0xC00C, 16, 1, 0, len(rdata)) + rdata))
        elif lname in content.ZONE_A:
            pass  # NOERROR, no data
        else:
            rcode = 3
        rflags = 0x8000 | (flags & 0x0100) | 0x0080 | 0x0400 | rcode  # QR RD RA AA
        resp = struct.pack(">HHHHHH", qid, rflags, 1, len(answers), 0, 0) + question
        resp += b"".join(a[2] for a in answers)
        s.sendto(resp, peer)
        log(logfile, {"kind": "dns", "client": peer[0], "server": content.DNS_IP, "qname": lname,
                      "qtype": {1: "A", 16: "TXT", 28: "AAAA"}.get(qtype, str(qtype)),
                      "rcode": "NXDOMAIN" if rcode == 3 else "NOERROR",
                      "answers": [[a[0], a[1]] for a in answers]})


# ---------------------------------------------------------------- HTTP
NAME_BY_IP = {v: k for k, v in content.ZONE_A.items()}
SITE = content.site()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.22.1"
    sys_version = ""
    logfile = None

    def log_message(self, fmt, *args):
        pass

    def host(self):
        h = (self.headers.get("Host") or "").split(":")[0].lower()
        return h or NAME_BY_IP.get(self.connection.getsockname()[0], "")

    def base(self):
        return {"client": self.client_address[0], "client_port": self.client_address[1],
                "server": self.connection.getsockname()[0], "server_port": self.connection.getsockname()[1],
                "host": self.host(), "path": self.path, "method": self.command}

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        h = hashlib.sha256()
        left = n
        while left:
            b = self.rfile.read(min(65536, left))
            if not b:
                break
            h.update(b)
            left -= len(b)
        body = b'{"status":"ok"}\n'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        rec = self.base()
        rec.update({"kind": "http_upload", "status": 200, "upload_size": n - left,
                    "upload_sha256": h.hexdigest(),
                    "request_content_type": self.headers.get("Content-Type")})
        log(self.logfile, rec)

    def do_GET(self):
        rec = self.base()
        entry = SITE.get((rec["host"], self.path))
        if entry is None:
            body = b"<html><body>404 Not Found</body></html>\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            rec.update({"kind": "http", "status": 404})
            log(self.logfile, rec)
            return
        if entry.get("auth"):
            auth = self.headers.get("Authorization") or ""
            user = pw = None
            if auth.startswith("Basic "):
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            rec["auth_user"] = user
            if (user, pw) != (content.BASIC_USER, content.BASIC_PASSWORD):
                body = b"<html><body>401 Unauthorized</body></html>\n"
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="shop admin"')
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                rec.update({"kind": "http", "status": 401, "auth_ok": False})
                log(self.logfile, rec)
                return
            rec["auth_ok"] = True
        body = entry["body"]
        wire = content.gz(body) if entry.get("encoding") == "gzip" else body
        self.send_response(200)
        self.send_header("Content-Type", entry["ctype"])
        if entry.get("encoding"):
            self.send_header("Content-Encoding", entry["encoding"])
        if entry.get("disposition"):
            self.send_header("Content-Disposition", entry["disposition"])
        if entry.get("chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(wire), 8192):
                part = wire[i:i + 8192]
                self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(wire)))
            self.end_headers()
            self.wfile.write(wire)
        rec.update({"kind": "http", "status": 200, "content_type": entry["ctype"],
                    "content_encoding": entry.get("encoding"), "chunked": bool(entry.get("chunked")),
                    "content_disposition": entry.get("disposition"),
                    "decoded": hashes(body), "encoded": hashes(wire),
                    "connection_id": id(self.connection)})
        log(self.logfile, rec)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def http_server(logfile, port=80):
    Handler.logfile = logfile
    Server(("0.0.0.0", port), Handler).serve_forever()


def banner_server(ip, port, text):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, int(port)))
    s.listen(16)
    while True:
        c, _ = s.accept()
        try:
            c.sendall(text.encode() + b"\r\n")
        except OSError:
            pass
        c.close()


def main():
    mode = sys.argv[1]
    if mode == "dns":
        dns_server(sys.argv[2])
    elif mode == "http":
        http_server(sys.argv[2])
    elif mode == "banner":
        banner_server(sys.argv[2], sys.argv[3], sys.argv[4])


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C on record.sh reaches the servers too
        sys.exit(130)
