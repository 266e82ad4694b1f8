"""compare: TSO and GRO between the two points, matched by byte range.

A is captured on the client, B on the server, one router between them (TTL
64 -> 63).  The server's TCP segmentation offload hands 4380-byte segments
to its NIC: B (on the server) sees them whole, A sees each as three 1460-byte
segments.  The server's GRO merges the client's upload: A sees 3 x 1000
bytes, B one 3000-byte segment.  Every packet must be matched (none lost,
none only at the far point), the byte-range matches counted, and the
one-way delay be the router's 0.5 ms.  One big segment whose third piece was
dropped on the way stays unmatched: exactly one loss, and its two delivered
pieces only at the far point (they are not passed off as the whole)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402
from test_compare import compare  # noqa: E402

CLI, SRV = bytes([10, 5, 0, 2]), bytes([198, 51, 100, 80])
DELAY = 0.0005


def build(d, drop_piece=False):
    a, b = [], []
    t = 1700000000.0
    cs, ss = 1000, 90000

    def c2s(seq, ack, flags, pl, ipid, merged=None):
        """client -> server: A sees what the client sent; B the (maybe merged) arrival"""
        nonlocal t
        a.append((t, pcapgen.tcp_frame(CLI, SRV, 40000, 8080, seq, flags, pl, ack=ack, ttl=64,
                                       ipid=ipid)))
        if merged is None:
            b.append((t + DELAY, pcapgen.tcp_frame(CLI, SRV, 40000, 8080, seq, flags, pl,
                                                   ack=ack, ttl=63, ipid=ipid)))
        t += 0.001

    def s2c(seq, ack, flags, pl, ipid, pieces=1, drop=None):
        """server -> client: B sees the segment the server sent (one TSO
        segment); A sees the NIC's pieces, maybe one missing"""
        nonlocal t
        b.append((t, pcapgen.tcp_frame(SRV, CLI, 8080, 40000, seq, flags, pl, ack=ack, ttl=64,
                                       ipid=ipid)))
        step = len(pl) // pieces if pieces > 1 else len(pl)
        for k in range(pieces):
            part = pl[k * step:(k + 1) * step]
            if k != drop:
                a.append((t + DELAY + k * 1e-5,
                          pcapgen.tcp_frame(SRV, CLI, 8080, 40000, seq + k * step, flags, part,
                                            ack=ack, ttl=63, ipid=ipid + k)))
        t += 0.001

    c2s(cs, 0, 0x02, b"", 1)
    s2c(ss, cs + 1, 0x12, b"", 500)
    c2s(cs + 1, ss + 1, 0x10, b"", 2)
    cs += 1
    ss += 1
    # upload: 3 x 1000 bytes from the client, merged by the server's GRO at B
    for k in range(3):
        c2s(cs + 1000 * k, ss, 0x18, bytes([65 + k]) * 1000, 3 + k, merged=True)
    merged = b"".join(bytes([65 + k]) * 1000 for k in range(3))
    b.append((t + DELAY, pcapgen.tcp_frame(CLI, SRV, 40000, 8080, cs, 0x18, merged, ack=ss,
                                           ttl=63, ipid=3)))
    cs += 3000
    t += 0.001
    # download: 4 TSO segments of 4380 bytes, each three 1460-byte pieces at A
    for n in range(4):
        drop = 2 if (drop_piece and n == 1) else None
        s2c(ss, cs, 0x18, bytes([97 + n]) * 4380, 600 + 3 * n, pieces=3, drop=drop)
        ss += 4380
    c2s(cs, ss, 0x11, b"", 10)
    s2c(ss, cs + 1, 0x11, b"", 700)
    c2s(cs + 1, ss + 1, 0x10, b"", 11)
    pa, pb = os.path.join(d, "a.pcap"), os.path.join(d, "b.pcap")
    pcapgen.write_pcap(pa, sorted(a, key=lambda f: f[0]))
    pcapgen.write_pcap(pb, sorted(b, key=lambda f: f[0]))
    return pa, pb


def main():
    c = z.Checker("compare_tso")
    with tempfile.TemporaryDirectory() as d:
        pa, pb = build(d)
        rc, s = compare(pa, pb, os.path.join(d, "out"))
        c.eq(rc, 0, "exit status")
        ab, ba = s["a_to_b"], s["b_to_a"]
        # A->B: SYN, ACK, 3 upload pieces, FIN, last ACK at A = 7 sent, all matched
        c.eq((ab["sent_past_first_point"], ab["matched"], ab["lost_between_points"],
              ab["only_at_far_point"]), (7, 7, 0, 0), "client to server: all matched")
        c.eq(ab["matched_by_byte_range"], 3, "the three upload pieces matched to one GRO segment")
        # B->A: SYN-ACK, 4 TSO segments, FIN = 6 sent at B, all matched
        c.eq((ba["sent_past_first_point"], ba["matched"], ba["lost_between_points"],
              ba["only_at_far_point"]), (6, 6, 0, 0), "server to client: all matched")
        c.eq(ba["matched_by_byte_range"], 4, "four TSO segments matched to their pieces")
        c.check(abs(ab["one_way_delay"]["min"] - DELAY) < 1e-4,
                f"one-way delay {ab['one_way_delay']['min']} is the router's {DELAY}")

        d2 = os.path.join(d, "drop")
        os.mkdir(d2)
        pa, pb = build(d2, drop_piece=True)
        rc, s = compare(pa, pb, os.path.join(d2, "out"))
        ba = s["b_to_a"]
        c.eq((ba["matched"], ba["lost_between_points"]), (5, 1),
             "a TSO segment with a piece missing is not matched")
        c.eq(ba["only_at_far_point"], 2, "its two delivered pieces: only at the far point")
        c.eq(s["a_to_b"]["only_at_far_point"], 0, "client side unaffected")
        rows = z.read_ndjson(os.path.join(d2, "out", "logs", "unmatched.ndjson"))
        c.eq(sorted(r["point"] for r in rows), ["A", "A", "B"],
             "unmatched: the big segment at B, its two delivered pieces at A")
    c.done()


if __name__ == "__main__":
    main()
