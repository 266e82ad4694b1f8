"""DNS messages tshark and Zeek log that pcapcase once dropped or emptied
(issue 23.4), built here: an inverse query (opcode 1, RFC 3425 obsolete), an
unassigned opcode (9), a question name whose compression pointer points
forward (legal; only loops are not), a response cut short after its question
(over TCP, where the length prefix promised more, and over UDP cut by the
snap length), and an EDNS BADVERS answer (extended RCODE 16).  Each gives a
dns.ndjson row with what could be read, and a weird or damaged note."""
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

T0 = 1700000000.0
CLI = bytes([10, 9, 0, 5])
SRV = bytes([10, 9, 0, 53])


def hdr(qid, flags, qd, an, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def name(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def question(n, qtype=1):
    return n + struct.pack("!HH", qtype, 1)


def rr(owner, rtype, data, ttl=300):
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(data)) + data


def udp_pairs():
    """(query, response) payloads, one UDP exchange each."""
    inverse = (hdr(0x87EE, 0x0900, 0, 1) + rr(b"\0", 1, bytes([4, 3, 2, 1]), 31337),
               hdr(0x87EE, 0x8980, 1, 1) + question(name(b"host-4-3-2-1")) +
               rr(b"\0", 1, bytes([4, 3, 2, 1]), 31337))
    opcode9 = (hdr(0x0909, (9 << 11) | 0x0100, 1, 0) + question(name(b"odd", b"example")),
               hdr(0x0909, 0x8000 | (9 << 11) | 0x0100 | 4, 1, 0) + question(name(b"odd", b"example")))
    # the question is a pointer to offset 18, where an additional record's owner holds the name
    forward = (hdr(0x0F0F, 0x0100, 1, 0, 0, 1) + b"\xc0\x12" + struct.pack("!HH", 1, 1) +
               rr(name(b"fwd", b"example"), 16, b"\x02hi"),
               hdr(0x0F0F, 0x8180, 1, 1) + question(name(b"fwd", b"example")) +
               rr(b"\xc0\x0c", 1, bytes([192, 0, 2, 9])))
    opt = lambda ttl: b"\0" + struct.pack("!HHIH", 41, 1232, ttl, 0)
    badvers = (hdr(0x0E0E, 0x0100, 1, 0, 0, 1) + question(name(b"edns", b"example")) + opt(0),
               hdr(0x0E0E, 0x8100, 1, 0, 0, 1) + question(name(b"edns", b"example")) + opt(1 << 24))
    return [inverse, opcode9, forward, badvers]


CUT_QUERY = hdr(0x0C0C, 0x0100, 1, 0) + question(name(b"cut", b"example"))
CUT_FULL = (hdr(0x0C0C, 0x8180, 1, 2) + question(name(b"cut", b"example")) +
            rr(b"\xc0\x0c", 1, bytes([192, 0, 2, 1])) + rr(b"\xc0\x0c", 1, bytes([192, 0, 2, 2])))
CUT_AT = 12 + len(question(name(b"cut", b"example")))  # header and question only


def build(path):
    frames = []
    for i, (q, r) in enumerate(udp_pairs()):
        frames.append((T0 + i, pcapgen.udp_frame(CLI, SRV, 40000 + i, 53, q)))
        frames.append((T0 + i + .01, pcapgen.udp_frame(SRV, CLI, 53, 40000 + i, r)))
    # over TCP: the response's length prefix promises the whole message, the connection ends
    # after its question; the query went unanswered on no other connection
    frames += pcapgen.tcp_session(CLI, SRV, 40100, 53, struct.pack("!H", len(CUT_QUERY)) + CUT_QUERY,
                                  struct.pack("!H", len(CUT_FULL)) + CUT_FULL[:CUT_AT], T0 + 10)
    # a response with no query, cut the same way (the capture began after the query)
    frames += pcapgen.tcp_session(CLI, SRV, 40101, 53, b"",
                                  struct.pack("!H", len(CUT_FULL)) + CUT_FULL[:CUT_AT], T0 + 11)
    frames.append((T0 + 12, pcapgen.udp_frame(CLI, SRV, 40102, 53, CUT_QUERY)))
    snapped = pcapgen.udp_frame(SRV, CLI, 53, 40102, CUT_FULL)
    frames.append((T0 + 12.01, snapped))
    snap_at = len(frames) - 1
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (ts, data) in enumerate(frames):
            cap = data[:14 + 20 + 8 + CUT_AT] if i == snap_at else data
            f.write(struct.pack("<IIII", int(ts), int(round((ts - int(ts)) * 1e6)), len(cap), len(data)))
            f.write(cap)


def main():
    c = z.Checker("dns_oddities")
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "dns-oddities.pcap")
        build(p)
        out = os.path.join(d, "case")
        rc, err = z.analyze([p], out)
        c.eq(rc, 1, f"exit status: the cut messages are damage ({err.strip()})")
        rows = z.read_ndjson(os.path.join(out, "logs", "dns.ndjson"))
        by = {}
        for r in rows:
            by.setdefault((r["trans_id"], r["id.orig_p"]), []).append(r)
        c.eq(len(rows), 7, "one row per exchange")

        inv = by.get((0x87EE, 40000), [{}])
        c.eq(len(inv), 1, "inverse query: query and response in one row")
        inv = inv[0]
        c.eq(inv.get("opcode"), 1, "inverse query: opcode")
        c.eq(inv.get("weird"), "obsolete_inverse_query", "inverse query: weird")
        c.eq(inv.get("query"), "host-4-3-2-1", "inverse query: the name the response gives")
        c.eq(inv.get("answers"), ["4.3.2.1"], "inverse query: answer")
        c.eq(inv.get("TTLs"), [31337.0], "inverse query: TTL")
        c.eq(inv.get("response_frame"), 2, "inverse query: answered")

        op9 = by.get((0x0909, 40001), [{}])[0]
        c.eq(op9.get("opcode"), 9, "opcode 9: logged")
        c.eq(op9.get("weird"), "unassigned_opcode", "opcode 9: weird")
        c.eq(op9.get("query"), "odd.example", "opcode 9: query")
        c.eq(op9.get("rcode_name"), "NOTIMP", "opcode 9: the server's answer")

        fwd = by.get((0x0F0F, 40002), [{}])[0]
        c.eq(fwd.get("query"), "fwd.example", "forward pointer: the query name is read")
        c.eq(fwd.get("weird"), "forward_compression_pointer", "forward pointer: weird")
        c.check("damaged" not in fwd, "forward pointer: not damage")
        c.eq(fwd.get("answers"), ["192.0.2.9"], "forward pointer: answer")

        ev = by.get((0x0E0E, 40003), [{}])[0]
        c.eq((ev.get("rcode"), ev.get("rcode_name")), (16, "BADVERS"), "EDNS extended RCODE")

        tcp = by.get((0x0C0C, 40100), [{}])[0]
        c.eq(tcp.get("proto"), "tcp", "TCP cut: proto")
        c.eq(tcp.get("query"), "cut.example", "TCP cut: query")
        c.eq(tcp.get("rcode_name"), "NOERROR", "TCP cut: the response's header was read")
        c.eq(tcp.get("response_frame"), 13, "TCP cut: paired with its response")
        c.eq(tcp.get("damaged"), "dns.truncated_name", "TCP cut: damaged")
        alone = by.get((0x0C0C, 40101), [{}])[0]
        c.eq((alone.get("query"), alone.get("rcode")), ("cut.example", 0), "TCP cut, no query: a row")
        udp = by.get((0x0C0C, 40102), [{}])[0]
        c.eq((udp.get("query"), udp.get("rcode"), udp.get("damaged")),
             ("cut.example", 0, "dns.truncated_name"), "UDP cut by snap length: a row")
        case = open(os.path.join(out, "case.json")).read()
        c.check('"dns.tcp_message_cut_short": 2' in case, "case.json counts the two cut TCP messages")
    c.done()


if __name__ == "__main__":
    main()
