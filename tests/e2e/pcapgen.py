"""pcapgen.py — tiny pcap writer for adversarial test captures.

Only for inputs no real traffic would produce (floods, lying length fields);
everything else in the tests comes from real recordings."""
import struct


def ip_checksum(h):
    s = sum(struct.unpack("!10H", h))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def tcp_frame(src, dst, sport, dport, seq, flags, payload=b"", ack=0):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, src, dst)
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


def udp_frame(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
    return eth + ip + udp


def dns_query(qid, name_labels, qtype=1):
    q = b"".join(bytes([len(l)]) + l for l in name_labels) + b"\x00"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", qtype, 1)


def tcp_session(cli, srv, cport, sport, request, response, t0):
    """A complete TCP exchange (handshake, one request, one response, close)."""
    c, s = 1000, 5000
    f = [(t0, tcp_frame(cli, srv, cport, sport, c, 0x02)),
         (t0 + .001, tcp_frame(srv, cli, sport, cport, s, 0x12, ack=c + 1)),
         (t0 + .002, tcp_frame(cli, srv, cport, sport, c + 1, 0x10, ack=s + 1)),
         (t0 + .003, tcp_frame(cli, srv, cport, sport, c + 1, 0x18, request, ack=s + 1)),
         (t0 + .004, tcp_frame(srv, cli, sport, cport, s + 1, 0x18, response,
                               ack=c + 1 + len(request))),
         (t0 + .005, tcp_frame(cli, srv, cport, sport, c + 1 + len(request), 0x11,
                               ack=s + 1 + len(response))),
         (t0 + .006, tcp_frame(srv, cli, sport, cport, s + 1 + len(response), 0x11,
                               ack=c + 2 + len(request))),
         (t0 + .007, tcp_frame(cli, srv, cport, sport, c + 2 + len(request), 0x10,
                               ack=s + 2 + len(response)))]
    return f
