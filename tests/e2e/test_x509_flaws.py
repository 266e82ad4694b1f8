"""Certificates with a field empty, absent or malformed, as they turn up on
the wire: every one gets an x509.ndjson row with what could be read, a
"note" naming what could not, and its DER under certs/ (issue 23.3: a
certificate with an empty issuer once passed NULL to xstrndup).  The
certificates are built here (pcapgen) and served in TLS handshakes."""
import hashlib
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

T0 = 1700000000.0  # 2023-11-14
CLI = bytes([10, 9, 0, 5])
SRV = bytes([198, 51, 100, 40])
D = pcapgen._der


def cert(cn, **parts):
    return pcapgen.der_certificate(cn, b"Flawed", [cn], **parts)


# name -> (DER, expected members (None: absent), expected note)
CERTS = {
    "empty_issuer": (cert(b"a.example", issuer=D(0x30, b"")),
                     {"certificate.issuer": "", "certificate.subject": "CN=a.example,O=Flawed",
                      "certificate.serial": "1234", "self_signed": False},
                     "issuer empty"),
    "empty_subject": (cert(b"b.example", subject=D(0x30, b"")),
                      {"certificate.subject": "", "certificate.cn": None,
                       "certificate.issuer": "CN=b.example,O=Flawed"},
                      "subject empty"),
    "bad_times": (cert(b"c.example", validity=D(0x30, D(0x17, b"2301zz000000Z") + D(0x17, b"nonsense"))),
                  {"certificate.not_valid_before": None, "certificate.not_valid_after": None,
                   "expired_at_capture": False, "certificate.subject": "CN=c.example,O=Flawed"},
                  "not_valid_before unreadable; not_valid_after unreadable"),
    "far_future": (cert(b"d.example", validity=pcapgen.der_validity(b"230101000000Z",
                                                                     b"99991231235959Z")),
                   {"certificate.not_valid_before": 1672531200.0,
                    "certificate.not_valid_after": 253402300799.0, "expired_at_capture": False},
                   None),
    "negative_serial": (cert(b"e.example", serial_der=D(0x02, b"\xff\x01")),
                        {"certificate.serial": "-FF"}, "serial negative"),
    "no_san": (cert(b"f.example", extensions=[]),
               {"san.dns": None, "certificate.cn": "f.example"}, None),
    "bad_san": (cert(b"g.example", extensions=[pcapgen.der_extension("2.5.29.17", b"\x30\x05junk")]),
                {"san.dns": None, "certificate.cn": "g.example"}, "subjectAltName unreadable"),
    "bad_san_ip": (cert(b"h.example", extensions=[pcapgen.der_san([b"h.example"],
                                                                  [bytes([192, 0, 2, 7]), b"\x01\x02\x03\x04\x05"])]),
                   {"san.dns": ["h.example"], "san.ip": ["192.0.2.7"]}, "san.ip entry malformed"),
    "unknown_key": (cert(b"i.example", spki=D(0x30, D(0x30, pcapgen._oid("1.2.3.4")) + D(0x03, b"\x00\x01\x02"))),
                    {"certificate.key_alg": "1.2.3.4", "certificate.key_type": None,
                     "certificate.sig_alg": "ED25519"},
                    "public key not decoded"),
    "unreadable": (cert(b"j.example", validity=D(0x30, b"")),
                   {"certificate.version": None, "certificate.subject": None, "self_signed": None},
                   "not a certificate OpenSSL can read"),
}


def build(path):
    frames = []
    names = list(CERTS)
    # three chains: a server sends its leaf and the flawed ones after it
    for i in range(0, len(names), 4):
        chain = [CERTS[n][0] for n in names[i:i + 4]]
        frames += pcapgen.tcp_session(CLI, SRV, 43000 + i, 443, pcapgen.tls_client_hello(b"a.example"),
                                      pcapgen.tls_server_flight(chain), T0 + i)
    pcapgen.write_pcap(path, frames)


def main():
    c = z.Checker("x509_flaws")
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "flawed-certs.pcap")
        build(p)
        out = os.path.join(d, "case")
        rc, err = z.analyze([p], out)
        # the unreadable certificate is damage (exit 1, named in stderr), nothing else is
        c.eq(rc, 1, f"exit status ({err.strip()})")
        c.check("x509.not_a_certificate" in err, "stderr names the unreadable certificate")
        rows = {r["fingerprint"]: r for r in z.read_ndjson(os.path.join(out, "logs", "x509.ndjson"))}
        c.eq(len(rows), len(CERTS), "one x509 row per certificate")
        for name, (der, want, note) in CERTS.items():
            fp = hashlib.sha256(der).hexdigest()
            r = rows.get(fp)
            c.check(r is not None, f"{name}: a row for {fp}")
            if r is None:
                continue
            c.eq(r.get("fingerprint_sha1"), hashlib.sha1(der).hexdigest(), f"{name}: sha1")
            c.eq(r.get("note"), note, f"{name}: note")
            for k, v in want.items():
                c.eq(r.get(k), v, f"{name}: {k}")
            c.check(os.path.exists(os.path.join(out, "certs", fp + ".der")), f"{name}: DER kept")
        ssl = z.read_ndjson(os.path.join(out, "logs", "ssl.ndjson"))
        fps = [fp for s in ssl for fp in s.get("cert_chain_fps", [])]
        c.eq(len(fps), len(CERTS), "every certificate is in a chain")
        with open(os.path.join(out, "case.json")) as f:
            case = json.load(f)
        c.check("x509.not_a_certificate" in json.dumps(case), "case.json counts the unreadable one")
    c.done()


if __name__ == "__main__":
    main()
