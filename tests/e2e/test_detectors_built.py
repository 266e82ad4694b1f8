"""Detectors on captures built for them, with known answers (the ones the
project's recordings do not plant; those are in test_sample_truth.py):
a host sweep (one port on 60 hosts, most refused), an NXDOMAIN burst (15
names that do not exist), an expired certificate, a certificate that does
not cover the SNI, an executable served as an image and a ZIP served as a PNG.
Each finding must name the right hosts and point at the right frames."""
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

T0 = 1700000000.0  # 2023-11-14
CLI = bytes([10, 9, 0, 5])
DNS = bytes([10, 9, 0, 53])


def nx_response(qid, labels):
    q = b"".join(bytes([len(l)]) + l for l in labels) + b"\x00" + struct.pack("!HH", 1, 1)
    return struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + q


def http_pair(cli, srv, cport, ctype, body, t0):
    req = b"GET /img/logo HTTP/1.1\r\nHost: cdn.example\r\n\r\n"
    resp = (b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)
    return pcapgen.tcp_session(cli, srv, cport, 80, req, resp, t0)


def build(path):
    frames = []
    # host sweep: SYN to port 445 on 60 hosts; 55 answer RST, 5 SYN-ACK
    for i in range(60):
        dst = bytes([10, 9, 1, 10 + i])
        t = T0 + i * 0.01
        frames.append((t, pcapgen.tcp_frame(CLI, dst, 41000 + i, 445, 7000, 0x02)))
        flags = 0x12 if i % 12 == 0 else 0x14
        frames.append((t + 0.001, pcapgen.tcp_frame(dst, CLI, 445, 41000 + i, 9000, flags,
                                                    ack=7001)))
    nx_first = len(frames) + 1
    for i in range(15):
        labels = [b"nosuch%d" % i, b"example", b"test"]
        t = T0 + 10 + i * 0.1
        frames.append((t, pcapgen.udp_frame(CLI, DNS, 50000 + i, 53, pcapgen.dns_query(100 + i, labels))))
        frames.append((t + 0.01, pcapgen.udp_frame(DNS, CLI, 53, 50000 + i, nx_response(100 + i, labels))))
    # an expired certificate (2020-2021), and one for other.example asked for bank.example
    old = pcapgen.der_certificate(b"old.example", b"Old", [b"old.example"])
    old = old.replace(b"230101000000Z", b"200101000000Z").replace(b"340101000000Z", b"210101000000Z")
    frames += pcapgen.tcp_session(CLI, bytes([198, 51, 100, 20]), 42001, 443,
                                  pcapgen.tls_client_hello(b"old.example"),
                                  pcapgen.tls_server_flight(old), T0 + 20)
    other = pcapgen.der_certificate(b"other.example", b"Other", [b"other.example"], serial=0x4321)
    frames += pcapgen.tcp_session(CLI, bytes([198, 51, 100, 21]), 42002, 443,
                                  pcapgen.tls_client_hello(b"bank.example"),
                                  pcapgen.tls_server_flight(other), T0 + 21)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
    frames += http_pair(CLI, bytes([198, 51, 100, 30]), 42003, b"image/gif", exe, T0 + 30)
    zipf = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100)
    frames += http_pair(CLI, bytes([198, 51, 100, 31]), 42004, b"image/png", zipf, T0 + 31)
    frames.sort(key=lambda f: f[0])
    pcapgen.write_pcap(path, frames)
    return nx_first


def main():
    c = z.Checker("detectors_built")
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "planted.pcap")
        build(p)
        out = os.path.join(d, "case")
        rc, err = z.analyze([p], out)
        c.eq(rc, 0, f"exit status ({err.strip()})")
        fs = z.read_ndjson(os.path.join(out, "logs", "findings.ndjson"))
        by = {}
        for f in fs:
            by.setdefault(f["type"], []).append(f)
        print("findings:", {k: len(v) for k, v in by.items()})

        sw = by.get("host_sweep", [])
        c.eq(len(sw), 1, "one host sweep")
        if sw:
            c.check("10.9.0.5" in sw[0]["hosts"], "the sweeping host is named")
            c.check("60" in sw[0]["summary"] and "445" in sw[0]["summary"], sw[0]["summary"])
        c.eq(len(by.get("port_scan", [])), 0, "a sweep is not a vertical scan")

        nx = by.get("nxdomain_burst", [])
        c.eq(len(nx), 1, "one NXDOMAIN burst")
        if nx:
            c.eq(nx[0]["hosts"], ["10.9.0.5"], "NXDOMAIN: the client")
            c.check(nx[0]["summary"].startswith("10.9.0.5 received 15 NXDOMAIN"), nx[0]["summary"])
            frames = nx[0]["evidence"][0]["frames"]
            c.eq(len(frames), 15, "NXDOMAIN: one frame per answer")

        ex = by.get("tls_expired", [])
        c.eq(len(ex), 1, "one expired certificate")
        if ex:
            c.check("198.51.100.20:443" in ex[0]["summary"] and "CN=old.example" in ex[0]["summary"],
                    ex[0]["summary"])
        mm = by.get("tls_sni_mismatch", [])
        c.eq(len(mm), 1, "one SNI mismatch")
        if mm:
            c.check("(SNI bank.example)" in mm[0]["summary"] and "CN=other.example" in mm[0]["summary"],
                    mm[0]["summary"])
        c.eq(len(by.get("tls_self_signed", [])), 0, "signatures that do not verify: not self-signed")

        ft = sorted(by.get("file_type_mismatch", []), key=lambda f: f["summary"])
        c.eq(len(ft), 2, "two file type mismatches")
        if len(ft) == 2:
            c.check("served as image/gif but its content is application/x-dosexec" in ft[0]["summary"],
                    ft[0]["summary"])
            c.check("served as image/png but its content is application/zip" in ft[1]["summary"],
                    ft[1]["summary"])
        files = {f["sha256"]: f for f in z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))}
        for f in ft:
            c.check(f["details"]["sha256"] in files, "mismatch points at a carved file")
    c.done()


if __name__ == "__main__":
    main()
