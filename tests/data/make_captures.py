#!/usr/bin/env python3
"""make_captures.py — write the generated captures of tests/data/.

Every capture here is built by tests/e2e/pcapgen.py from this script alone, so
running it again gives the same bytes (no clock, no randomness): after a
change to this script, run it, then `tests/data/run.py --update CASE` for the
cases whose capture changed, review the diff, check the new values against
tshark (tests/data/README.md says how) and commit both.

    tests/data/make_captures.py            # (re)write every generated capture
    tests/data/make_captures.py --check    # exit 1 if a capture differs from its script

Captures recorded from real traffic (see each case's test.json "origin") are
not written here."""
import gzip
import hashlib
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import pcapgen as g  # noqa: E402

T0 = 1767225600.0  # 2026-01-01 00:00:00 UTC: the generated captures' first second

CLIENT = g.Host(bytes([10, 20, 0, 5]), bytes.fromhex("020000000005"))
RESOLVER = g.Host(bytes([10, 20, 0, 53]), bytes.fromhex("020000000035"))
WEB = g.Host(bytes([198, 51, 100, 80]), bytes.fromhex("0200000000fe"))  # behind the router
TLS_SERVER = g.Host(bytes([203, 0, 113, 43]), bytes.fromhex("0200000000fe"))
CLIENT6 = g.Host(bytes.fromhex("20010db8000100000000000000000005"), CLIENT.mac)
RESOLVER6 = g.Host(bytes.fromhex("20010db8000100000000000000000053"), RESOLVER.mac)
WEB6 = g.Host(bytes.fromhex("20010db8006400000000000000000080"), WEB.mac)

A, AAAA, CNAME, TXT = 1, 28, 5, 16


def filler(n, seed=b"pcapcase"):
    """n bytes that look random (a SHA-256 chain): deterministic, incompressible."""
    out, h = bytearray(), seed
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return bytes(out[:n])


def http_response(status, headers, body):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode() + body


def http_request(method, uri, host, headers=(), body=b""):
    head = f"{method} {uri} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: pcapcase-tests/1.0\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode() + body


def dns_exchange(client, resolver, sport, qid, name, qtype, answers=(), rcode=0, t=T0,
                 vlans=()):
    q = g.dns_message(qid, name, qtype)
    r = g.dns_message(qid, name, qtype, answers, rcode, response=True)
    return [(t, g.udp_frame_between(client, resolver, sport, 53, q, vlans)),
            (round(t + 0.0123, 6), g.udp_frame_between(resolver, client, 53, sport, r, vlans))]


def http_get(client, server, cport, t, uri, host, response, vlans=()):
    c = g.TcpConversation(client, server, cport, 80, t, vlans=vlans).handshake()
    c.send(True, http_request("GET", uri, host))
    c.send(False, response)
    return c.close().frames


# ---- the cases -------------------------------------------------------------

PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" +
       filler(5800, b"report.pdf") + b"\n%%EOF\n")
HTML = (b"<!DOCTYPE html>\n<html><head><title>Quarterly numbers</title></head><body>\n" +
        b"".join(b"<p>row %d: %s</p>\n" % (i, filler(24, b"%d" % i).hex().encode())
                 for i in range(60)) + b"</body></html>\n")
TEXT = b"".join(b"line %04d of the server log: GET /status 200\n" % i for i in range(200))


def dns():
    f = dns_exchange(CLIENT, RESOLVER, 53001, 0x1a2b, "www.example.test", A,
                     [(CNAME, 300, g.dns_name("web.example.test")),
                      (A, 60, bytes([198, 51, 100, 80])), (A, 60, bytes([198, 51, 100, 81]))])
    f += dns_exchange(CLIENT, RESOLVER, 53002, 0x1a2c, "missing.example.test", AAAA, rcode=3,
                      t=T0 + 1)
    f += dns_exchange(CLIENT, RESOLVER, 53003, 0x1a2d, "example.test", TXT,
                      [(TXT, 3600, b"\x0fv=spf1 -all ok!")], t=T0 + 2)
    return {"dns.pcap": ("pcap", f)}


def http_get_pdf():
    resp = http_response("200 OK", [("Content-Type", "application/pdf"),
                                    ("Content-Length", len(PDF))], PDF)
    return {"http-get.pcap": ("pcap", http_get(CLIENT, WEB, 41001, T0, "/files/report.pdf",
                                               "www.example.test", resp))}


def chunked(body, sizes):
    out, i = b"", 0
    for n in sizes:
        out += b"%x\r\n" % n + body[i:i + n] + b"\r\n"
        i += n
    assert i == len(body)
    return out + b"0\r\n\r\n"


def http_chunked():
    body = chunked(HTML, [1000, 2500, len(HTML) - 3500])
    resp = http_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                    ("Transfer-Encoding", "chunked")], body)
    return {"http-chunked.pcap": ("pcap", http_get(CLIENT, WEB, 41002, T0, "/numbers.html",
                                                   "www.example.test", resp))}


def http_gzip():
    body = gzip.compress(TEXT, mtime=0)
    resp = http_response("200 OK", [("Content-Type", "text/plain"), ("Content-Encoding", "gzip"),
                                    ("Content-Length", len(body))], body)
    return {"http-gzip.pcap": ("pcap", http_get(CLIENT, WEB, 41003, T0, "/server.log",
                                                "logs.example.test", resp))}


def http_post_keepalive():
    upload = filler(3000, b"upload")
    c = g.TcpConversation(CLIENT, WEB, 41004, 80, T0).handshake()
    c.send(True, http_request("POST", "/upload?id=7", "drop.example.test",
                              [("Content-Type", "application/octet-stream"),
                               ("Content-Length", len(upload))], upload))
    c.send(False, http_response("201 Created", [("Content-Length", 0)], b""))
    c.send(True, http_request("GET", "/status", "drop.example.test"))
    c.send(False, http_response("200 OK", [("Content-Type", "text/plain"),
                                           ("Content-Length", 3)], b"ok\n"))
    return {"http-post.pcap": ("pcap", c.close().frames)}


def tls_sni():
    cert = g.der_certificate(b"secure.example.test", b"Example Test Org",
                             [b"secure.example.test", b"www.secure.example.test"], serial=0x2026)
    hello = g.tls_client_hello(b"secure.example.test", ciphers=(0xC02F, 0xC030, 0x009C),
                               ext_order=(0, 10, 11, 13, 23))
    c = g.TcpConversation(CLIENT, TLS_SERVER, 41005, 443, T0).handshake()
    c.send(True, hello)
    c.send(False, g.tls_server_flight(cert))
    return {"tls.pcap": ("pcap", c.close().frames)}


def truncated():
    frames = http_get_pdf()["http-get.pcap"][1]
    return {"truncated.pcap": ("pcap-cut", frames)}


def ipv6():
    f = dns_exchange(CLIENT6, RESOLVER6, 53010, 0x6666, "v6.example.test", AAAA,
                     [(AAAA, 120, WEB6.addr)])
    resp = http_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", 16)],
                         b"hello over IPv6\n")
    f += http_get(CLIENT6, WEB6, 41010, T0 + 1, "/hello.txt", "v6.example.test", resp)
    return {"ipv6.pcap": ("pcap", f)}


def vlan():
    f = dns_exchange(CLIENT, RESOLVER, 53020, 0x0100, "www.example.test", A,
                     [(A, 60, WEB.addr)], vlans=(100,))
    resp = http_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", 13)],
                         b"tagged frame\n")
    f += http_get(CLIENT, WEB, 41020, T0 + 1, "/vlan.txt", "www.example.test", resp,
                  vlans=(100,))
    return {"vlan.pcap": ("pcap", f)}


def pcapng_two_interfaces():
    f = [(t, d, 0) for t, d in dns_exchange(CLIENT, RESOLVER, 53030, 0x2222, "www.example.test",
                                            A, [(A, 60, WEB.addr)])]
    resp = http_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", 11)],
                         b"via eth1 !\n")
    f += [(t, d, 1) for t, d in http_get(CLIENT, WEB, 41030, T0 + 1, "/eth1.txt",
                                         "www.example.test", resp)]
    return {"two-interfaces.pcapng": ("pcapng", f)}


def gzip_capture():
    f = dns_exchange(CLIENT, RESOLVER, 53040, 0x4444, "gz.example.test", A, [(A, 60, WEB.addr)])
    resp = http_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", 12)],
                         b"from a .gz!\n")
    f += http_get(CLIENT, WEB, 41040, T0 + 1, "/gz.txt", "gz.example.test", resp)
    return {"dns-http.pcap.gz": ("pcap.gz", f)}


def bpf_raw_ip():
    f = dns_exchange(CLIENT, RESOLVER, 53050, 0x5555, "raw.example.test", A, [(A, 60, WEB.addr)])
    resp = http_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", 8)],
                         b"raw IP!\n")
    f += http_get(CLIENT, WEB, 41050, T0 + 1, "/raw.txt", "raw.example.test", resp)
    return {"raw-ip.pcap": ("pcap-raw", f)}


CASES = {
    "dns-answers": dns,
    "http-get-pdf": http_get_pdf,
    "http-chunked": http_chunked,
    "http-gzip-body": http_gzip,
    "http-post-keepalive": http_post_keepalive,
    "tls-sni-certificate": tls_sni,
    "truncated-capture": truncated,
    "ipv6-dns-http": ipv6,
    "vlan-dns-http": vlan,
    "pcapng-two-interfaces": pcapng_two_interfaces,
    "gzip-compressed-capture": gzip_capture,
    "bpf-raw-ip": bpf_raw_ip,
}


def capture_bytes(kind, frames):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "x")
        if kind == "pcapng":
            g.write_pcapng(p, frames, interfaces=(("eth0", 1), ("eth1", 1)))
        elif kind == "pcap-raw":  # LINKTYPE_RAW: the IP packets without Ethernet
            g.write_pcap(p, [(t, d[14:]) for t, d in frames], linktype=101)
        else:
            g.write_pcap(p, frames)
        data = open(p, "rb").read()
    if kind == "pcap.gz":
        return gzip.compress(data, mtime=0)
    if kind == "pcap-cut":  # cut in the middle of the response's second segment
        off = 24
        for _ in range(6):
            off += 16 + struct.unpack_from("<I", data, off + 8)[0]
        return data[:off + 700]
    return data


def main():
    check = "--check" in sys.argv[1:]
    differs = 0
    for case, make in CASES.items():
        for name, (kind, frames) in make().items():
            path = os.path.join(HERE, case, name)
            data = capture_bytes(kind, frames)
            old = open(path, "rb").read() if os.path.exists(path) else None
            if old == data:
                continue
            differs += 1
            if check:
                print(f"{case}/{name}: differs from what make_captures.py writes")
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            print(f"wrote {case}/{name} ({len(data)} bytes)")
    if check:
        print(f"make_captures --check: {differs} captures differ")
    sys.exit(1 if check and differs else 0)


if __name__ == "__main__":
    main()
