"""pcapgen.py — tiny pcap writer for adversarial test captures.

Only for inputs no real traffic would produce (floods, lying length fields);
everything else in the tests comes from real recordings."""
import struct


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_checksum(h):
    return csum(h)


def tcp_frame(src, dst, sport, dport, seq, flags, payload=b"", ack=0, ttl=64, ipid=0):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid, 0, ttl, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
    return eth + ip + tcp


def write_pcap(path, frames):
    """frames: iterable of (ts_seconds_float, bytes)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, data in frames:
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            f.write(data)


def udp_frame(src, dst, sport, dport, payload, ttl=64, ipid=0):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ipid, 0, ttl, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
    return eth + ip + udp


def dns_query(qid, name_labels, qtype=1):
    q = b"".join(bytes([len(l)]) + l for l in name_labels) + b"\x00"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", qtype, 1)


def tcp_session(cli, srv, cport, sport, request, response, t0, mss=None):
    """A complete TCP exchange (handshake, one request, one response, close).
    With mss, the response goes in segments of at most mss bytes (1 ms apart)."""
    c, s = 1000, 5000
    f = [(t0, tcp_frame(cli, srv, cport, sport, c, 0x02)),
         (t0 + .001, tcp_frame(srv, cli, sport, cport, s, 0x12, ack=c + 1)),
         (t0 + .002, tcp_frame(cli, srv, cport, sport, c + 1, 0x10, ack=s + 1)),
         (t0 + .003, tcp_frame(cli, srv, cport, sport, c + 1, 0x18, request, ack=s + 1))]
    step = mss or max(len(response), 1)
    parts = [response[i:i + step] for i in range(0, len(response), step)] or [b""]
    t = t0 + .004
    for i, part in enumerate(parts):
        f.append((t, tcp_frame(srv, cli, sport, cport, s + 1 + i * step, 0x18, part,
                               ack=c + 1 + len(request))))
        t += .001
    f += [(t, tcp_frame(cli, srv, cport, sport, c + 1 + len(request), 0x11,
                        ack=s + 1 + len(response))),
          (t + .001, tcp_frame(srv, cli, sport, cport, s + 1 + len(response), 0x11,
                               ack=c + 2 + len(request))),
          (t + .002, tcp_frame(cli, srv, cport, sport, c + 2 + len(request), 0x10,
                               ack=s + 2 + len(response)))]
    return f


def _der(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body


def _oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(enc)
    return _der(0x06, out)


def der_name(cn, org):
    """An X.509 Name (O, CN) with UTF8String values; b"" for an empty Name."""
    rdn = lambda oid, s: _der(0x31, _der(0x30, _oid(oid) + _der(0x0C, s)))
    return _der(0x30, rdn("2.5.4.10", org) + rdn("2.5.4.3", cn))


def der_validity(not_before=b"230101000000Z", not_after=b"340101000000Z"):
    """Validity with UTCTime bounds (13 bytes) or GeneralizedTime (15)."""
    t = lambda v: _der(0x17 if len(v) == 13 else 0x18, v)
    return _der(0x30, t(not_before) + t(not_after))


def der_extension(oid, value):
    return _der(0x30, _oid(oid) + _der(0x04, value))


def der_san(dns=(), ips=()):
    """A subjectAltName extension: dNSName and iPAddress entries (raw bytes)."""
    names = b"".join(_der(0x82, d) for d in dns) + b"".join(_der(0x87, a) for a in ips)
    return der_extension("2.5.29.17", _der(0x30, names))


def der_certificate(subject_cn, org, san_dns, serial=0x1234, **parts):
    """A structurally valid X.509 v3 certificate (Ed25519 key, a signature
    that does not verify): enough for a parser to read every field, for
    inputs no CA would sign (markup in the subject).  parts replace one DER
    element each, for certificates with a field empty, absent or malformed:
    serial_der, issuer, subject, validity, spki, extensions (a list of
    der_extension()s; [] for none)."""
    alg = _der(0x30, _oid("1.3.101.112"))
    name = der_name(subject_cn, org)
    serial_der = parts.get("serial_der", _der(0x02, serial.to_bytes(2, "big")))
    exts = parts.get("extensions", [der_san(san_dns)])
    ext = _der(0xA3, _der(0x30, b"".join(exts))) if exts else b""
    tbs = _der(0x30, _der(0xA0, _der(0x02, b"\x02")) + serial_der + alg +
               parts.get("issuer", name) + parts.get("validity", der_validity()) +
               parts.get("subject", name) +
               parts.get("spki", _der(0x30, alg + _der(0x03, b"\x00" + bytes(range(32))))) + ext)
    return _der(0x30, tbs + alg + _der(0x03, b"\x00" + bytes(64)))


def _hs(kind, body):
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def _record(body):
    return b"\x16\x03\x03" + struct.pack("!H", len(body)) + body


def tls_client_hello(sni, ciphers=(0xC02F,), ext_order=None):
    """A TLS 1.2 ClientHello.  ext_order: extension types in the order sent
    (from 0 SNI, 10 groups, 11 point formats, 13 signature algorithms, 23
    extended master secret, 35 session ticket); default just SNI."""
    name = struct.pack("!BH", 0, len(sni)) + sni
    bodies = {0: struct.pack("!H", len(name)) + name,
              10: b"\x00\x04\x00\x1d\x00\x17", 11: b"\x01\x00",
              13: b"\x00\x04\x04\x03\x08\x04", 23: b"", 35: b""}
    exts = b"".join(struct.pack("!HH", t, len(bodies[t])) + bodies[t]
                    for t in (ext_order or (0,)))
    cs = b"".join(struct.pack("!H", c) for c in ciphers)
    body = (b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", len(cs)) + cs + b"\x01\x00" +
            struct.pack("!H", len(exts)) + exts)
    return _record(_hs(1, body))


def tls_server_flight(cert_der):
    """ServerHello, Certificate (cert_der: one DER, or a list for a chain),
    ServerHelloDone in one record."""
    hello = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\xc0\x2f" + b"\x00" + b"\x00\x00"
    chain = [cert_der] if isinstance(cert_der, bytes) else cert_der
    one = b"".join(len(d).to_bytes(3, "big") + d for d in chain)
    certs = len(one).to_bytes(3, "big") + one
    return _record(_hs(2, hello) + _hs(11, certs) + _hs(14, b""))
