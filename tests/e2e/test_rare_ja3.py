"""The rare-JA3 detector on captures built for it, with known answers.

Twelve clients talk TLS to one server.  With a norm (eleven share one
ClientHello) the twelfth, with its own cipher list, is the one finding; its
evidence points at its handshake.  Clients that only shuffle the order of
their extensions (as Chrome does) have eleven JA3s but one JA4: no finding.
Twelve clients each with their own fingerprint have no norm: no finding.
The thresholds are options: raising ja3_min_clients silences it, and
case.json records the value used."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

SRV = bytes([198, 51, 100, 10])
ORDER = (0, 10, 11, 13, 23, 35)


def client(i):
    return bytes([10, 1, 0, 10 + i])


def build(path, hellos):
    """hellos: one ClientHello per client; returns {client ip: first frame}."""
    frames, first = [], {}
    cert = pcapgen.der_certificate(b"shop.example", b"Example", [b"shop.example"])
    for i, hello in enumerate(hellos):
        first["10.1.0.%d" % (10 + i)] = len(frames) + 4  # the ClientHello's frame number
        frames += pcapgen.tcp_session(client(i), SRV, 50000 + i, 443, hello,
                                      pcapgen.tls_server_flight(cert), 1700000000.0 + 10 * i)
    pcapgen.write_pcap(path, frames)
    return first


def run(d, name, hellos, extra=()):
    p = os.path.join(d, name + ".pcap")
    first = build(p, hellos)
    out = os.path.join(d, name)
    rc, err = z.analyze([p], out, extra=("--no-carve",) + tuple(extra))
    findings = [f for f in z.read_ndjson(os.path.join(out, "logs", "findings.ndjson"))
                if f["type"] == "tls_rare_ja3"]
    return rc, err, out, first, findings


def main():
    c = z.Checker("rare_ja3")
    sni = b"shop.example"
    common = pcapgen.tls_client_hello(sni, (0xC02F, 0xC030), ORDER)
    odd = pcapgen.tls_client_hello(sni, (0x002F, 0x0035, 0x000A), ORDER)
    with tempfile.TemporaryDirectory() as d:
        rc, err, out, first, f = run(d, "norm", [common] * 11 + [odd])
        c.eq(rc, 0, f"exit status ({err.strip()})")
        ssl = z.read_ndjson(os.path.join(out, "logs", "ssl.ndjson"))
        c.eq(len(ssl), 12, "twelve handshakes logged")
        odd_ja3 = [s["ja3"] for s in ssl if s["id.orig_h"] == "10.1.0.21"]
        c.eq(len(f), 1, "one rare-JA3 finding")
        if f:
            x = f[0]
            c.eq(x["hosts"], ["10.1.0.21"], "the odd client is the host")
            c.eq(x["severity"], "low", "severity")
            c.eq(x["details"]["ja3"], odd_ja3[0] if odd_ja3 else None, "the odd JA3")
            c.eq(x["details"]["tls_clients_in_case"], 12, "population counted")
            c.eq(x["evidence"][0]["frames"], [first["10.1.0.21"]], "evidence: its ClientHello frame")
            c.check("none of the other 11 TLS clients" in x["summary"], x["summary"])
        case = json.load(open(os.path.join(out, "case.json")))
        c.eq(case["thresholds"]["ja3_min_clients"], 10, "default threshold recorded")

        rc, err, out, first, f = run(d, "raised", [common] * 11 + [odd],
                                     ("--threshold", "ja3_min_clients=20"))
        c.eq(len(f), 0, "ja3_min_clients=20: no finding for 12 clients")
        case = json.load(open(os.path.join(out, "case.json")))
        c.eq(case["thresholds"]["ja3_min_clients"], 20, "raised threshold recorded in case.json")

        # Chrome-like: the same hello with its extensions in another order per client
        shuffled = [pcapgen.tls_client_hello(sni, (0xC02F, 0xC030),
                                             ORDER[:1] + tuple(ORDER[1:][i % 5:] + ORDER[1:][:i % 5])
                                             if i % 2 else tuple(reversed(ORDER[1:])) + (0,))
                    for i in range(12)]
        rc, err, out, first, f = run(d, "shuffled", shuffled)
        ssl = z.read_ndjson(os.path.join(out, "logs", "ssl.ndjson"))
        c.check(len({s["ja3"] for s in ssl}) >= 5, "shuffled extensions give many JA3s")
        c.eq(len({s["ja4"] for s in ssl}), 1, "... and one JA4")
        c.eq(len(f), 0, "no finding for extension shuffling")

        each = [pcapgen.tls_client_hello(sni, (0xC02F, 0x1301 + i), ORDER) for i in range(12)]
        rc, err, out, first, f = run(d, "nonorm", each)
        c.eq(len(f), 0, "no norm (every client its own fingerprint): no finding")
    c.done()


if __name__ == "__main__":
    main()
