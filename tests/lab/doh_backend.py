#!/usr/bin/env python3
"""A tiny DNS-over-HTTPS answerer behind nginx (which does TLS and HTTP/2).

  doh_backend.py PORT LOGFILE

GET /dns-query?dns=BASE64URL and POST /dns-query (application/dns-message,
RFC 8484).  Every A question is answered with ANSWER_A (127.0.0.1 for the lab
names, so curl --doh-url connects back to our nginx), AAAA with no answer.
Each exchange is logged as one JSON line (query name, type, transport), which
tls_truth.py turns into the DoH part of truth.json.
"""
import base64
import json
import struct
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

ANSWER_A = bytes([127, 0, 0, 1])
LOG = None


def qname(msg, off):
    labels = []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode())
        off += 1 + n
    return ".".join(labels), off + 1


def answer(query):
    qid, _flags, qd = struct.unpack("!HHH", query[:6])
    name, end = qname(query, 12)
    qtype = struct.unpack("!H", query[end:end + 2])[0]
    question = query[12:end + 4]
    answers = b""
    if qtype == 1:
        answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + ANSWER_A
    head = struct.pack("!HHHHHH", qid, 0x8180, 1, 1 if answers else 0, 0, 0)
    return name, qtype, head + question + answers


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, query, method):
        name, qtype, resp = answer(query)
        LOG.write(json.dumps({"method": method, "qname": name, "qtype": qtype,
                              "query_hex": query.hex(), "response_hex": resp.hex()}) + "\n")
        LOG.flush()
        self.send_response(200)
        self.send_header("Content-Type", "application/dns-message")
        self.send_header("Content-Length", str(len(resp)))
        self.end_headers()
        self.wfile.write(resp)

    def do_GET(self):
        q = parse_qs(urlparse(self.path).query).get("dns", [""])[0]
        self.reply(base64.urlsafe_b64decode(q + "=" * (-len(q) % 4)), "GET")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.reply(self.rfile.read(n), "POST")

    def log_message(self, *a):
        pass


def main():
    global LOG
    LOG = open(sys.argv[2], "a")
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()


if __name__ == "__main__":
    main()
