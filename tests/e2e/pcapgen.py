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


def write_pcap(path, frames, linktype=1):
    """frames: iterable of (ts_seconds_float, bytes); linktype 1 is Ethernet."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
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


def http_get_capture(path, t0=1700000000.0):
    """A small valid capture for tests that need one: one TCP session (8
    frames) with an HTTP GET and a 200 response carrying a 1000-byte body."""
    body = bytes(range(256)) * 3 + b"x" * 232
    req = b"GET /index.html HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: pcapgen\r\n\r\n"
    resp = (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body
    write_pcap(path, tcp_session(b"\x0a\x00\x00\x05", b"\xc0\x00\x02\x50", 40123, 80, req, resp,
                                 t0))
    return path


# ---- frames with every layer right (tests/data/make_captures.py) -----------
# The functions above build just enough for hostile inputs; these build frames
# that tshark dissects without a complaint: correct TCP/UDP checksums (IPv4
# and IPv6 pseudo headers), 802.1Q tags, MSS-sized segments, and pcapng.

ETH_IPV4, ETH_IPV6, ETH_VLAN = 0x0800, 0x86DD, 0x8100
IPPROTO_TCP, IPPROTO_UDP = 6, 17
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def ether(payload, ethertype, src_mac, dst_mac, vlans=()):
    """An Ethernet II frame; vlans: 802.1Q VLAN ids, outermost first."""
    tags = b"".join(struct.pack("!HH", ETH_VLAN, v) for v in vlans)
    return dst_mac + src_mac + tags + struct.pack("!H", ethertype) + payload


def ip_packet(src, dst, proto, l4, ttl=64, ipid=0):
    """An IPv4 (4-byte addresses) or IPv6 (16-byte) packet; returns (ethertype, bytes)."""
    if len(src) == 16:
        return ETH_IPV6, struct.pack("!IHBB16s16s", 6 << 28, len(l4), proto, ttl, src, dst) + l4
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ipid, 0, ttl, proto, 0, src, dst)
    return ETH_IPV4, h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def _l4_checksum(src, dst, proto, seg, at):
    """seg with its checksum (at byte `at`) set over the IPv4/IPv6 pseudo header."""
    if len(src) == 16:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), proto)
    else:
        pseudo = src + dst + struct.pack("!xBH", proto, len(seg))
    c = csum(pseudo + seg) or (0xFFFF if proto == IPPROTO_UDP else 0)
    return seg[:at] + struct.pack("!H", c) + seg[at + 2:]


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload=b"", window=64240,
                options=b""):
    hl = (20 + len(options)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, hl << 4,
                      flags, window, 0, 0) + options + payload
    return _l4_checksum(src, dst, IPPROTO_TCP, seg, 16)


def udp_datagram(src, dst, sport, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return _l4_checksum(src, dst, IPPROTO_UDP, seg, 6)


class Host:
    """An endpoint: address (4 or 16 bytes) and MAC."""

    def __init__(self, addr, mac):
        self.addr, self.mac = addr, mac


def frame(src, dst, proto, l4, vlans=(), ttl=64, ipid=0):
    """One Ethernet frame from Host src to Host dst carrying l4."""
    et, pkt = ip_packet(src.addr, dst.addr, proto, l4, ttl, ipid)
    return ether(pkt, et, src.mac, dst.mac, vlans)


def udp_frame_between(src, dst, sport, dport, payload, vlans=(), ipid=0):
    return frame(src, dst, IPPROTO_UDP, udp_datagram(src.addr, dst.addr, sport, dport, payload),
                 vlans, ipid=ipid)


class TcpConversation:
    """A TCP connection written frame by frame: handshake (with MSS option),
    data in MSS-sized segments, each flight acknowledged by the other side,
    and an orderly close.  Times advance by `rtt` per exchange."""

    def __init__(self, client, server, cport, sport, t0, mss=1460, rtt=0.010, vlans=(),
                 isn=(1000, 5000)):
        self.cli, self.srv, self.cport, self.sport = client, server, cport, sport
        self.t, self.mss, self.rtt, self.vlans = t0, mss, rtt, vlans
        self.seq = {True: isn[0], False: isn[1]}  # next sequence number, by from_client
        self.frames = []

    def _emit(self, from_client, flags, payload=b"", options=b""):
        a, b = (self.cli, self.srv) if from_client else (self.srv, self.cli)
        ap, bp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        ack = self.seq[not from_client] if flags & TCP_ACK else 0
        seg = tcp_segment(a.addr, b.addr, ap, bp, self.seq[from_client], ack, flags, payload,
                          options=options)
        self.frames.append((round(self.t, 6), frame(a, b, IPPROTO_TCP, seg, self.vlans)))
        self.seq[from_client] += len(payload) + (1 if flags & (TCP_SYN | TCP_FIN) else 0)
        self.t += self.rtt / 10

    def handshake(self):
        mss = struct.pack("!BBH", 2, 4, self.mss)
        self._emit(True, TCP_SYN, options=mss)
        self.t += self.rtt / 2
        self._emit(False, TCP_SYN | TCP_ACK, options=mss)
        self.t += self.rtt / 2
        self._emit(True, TCP_ACK)
        return self

    def send(self, from_client, data):
        """data in MSS-sized segments (PSH on the last), then the peer's ACK."""
        for i in range(0, len(data), self.mss):
            last = i + self.mss >= len(data)
            self._emit(from_client, TCP_ACK | (TCP_PSH if last else 0), data[i:i + self.mss])
        self.t += self.rtt / 2
        self._emit(not from_client, TCP_ACK)
        return self

    def close(self):
        """Client FIN, server FIN, client's last ACK."""
        self._emit(True, TCP_FIN | TCP_ACK)
        self._emit(False, TCP_FIN | TCP_ACK)
        self._emit(True, TCP_ACK)
        return self


def dns_name(name):
    return b"".join(bytes([len(l)]) + l for l in name.encode().split(b".") if l) + b"\0"


def dns_message(qid, name, qtype, answers=(), rcode=0, response=False):
    """A DNS query, or with response=True its answer: answers are (type,
    ttl, rdata) records for the question's name (compressed as a pointer)."""
    flags = (0x8180 | rcode) if response else 0x0100
    msg = struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0)
    msg += dns_name(name) + struct.pack("!HH", qtype, 1)
    for rtype, ttl, rdata in answers:
        msg += struct.pack("!HHHIH", 0xC00C, rtype, 1, ttl, len(rdata)) + rdata
    return msg


def write_pcapng(path, frames, interfaces=(("eth0", 1),)):
    """frames: (ts, data) or (ts, data, interface index); interfaces: (name,
    link type).  Section header, one interface description block per
    interface (with if_name and microsecond resolution) and enhanced packet
    blocks, little-endian."""
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", kind, n) + body + struct.pack("<I", n)

    def option(code, value):
        return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(0, b""))
    for name, lt in interfaces:
        out += block(1, struct.pack("<HHI", lt, 0, 65535) + option(2, name.encode()) +
                     option(9, b"\x06") + option(0, b""))
    for f in frames:
        ts, data, iface = f if len(f) == 3 else (f[0], f[1], 0)
        us = int(round(ts * 1e6))
        out += block(6, struct.pack("<IIIII", iface, us >> 32, us & 0xFFFFFFFF, len(data),
                                    len(data)) + data)
    with open(path, "wb") as fh:
        fh.write(out)
