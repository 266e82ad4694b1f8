"""pcapcase compare: self-comparison, a known clock shift, known deletions,
and a NAT between the points.

Built from a corpus trace with editcap at test time: B = A shifted by +2.5 s
(editcap -t) with two frames removed (editcap FILE OUT 5 9).  The project's
NAT: B is A with the client's address and port rewritten (as a NAT router
between the points would, checksums recomputed); without --nat nothing
matches, with --nat every packet does.  The project's
own two-vantage recordings (sample_pcaps/compare-*) are checked against the
router's drop counters in test_sample_truth.py.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

TRACE = os.path.join(z.CORPUS, "zeek-traces", "http", "get.pcap")


def compare(a, b, out, extra=()):
    r = subprocess.run([z.PCAPCASE, "compare", "-q", "-o", out, *extra, a, b],
                       capture_output=True, text=True, timeout=300)
    return r.returncode, json.load(open(os.path.join(out, "compare.json")))


def nat_rewrite(src, dst, inside, outside, port_map):
    """Copy an Ethernet/IPv4 pcap, replacing address inside by outside and the
    inside host's TCP ports per port_map, with IP and TCP checksums redone."""
    raw = open(src, "rb").read()
    out = [raw[:24]]
    off = 24
    while off + 16 <= len(raw):
        caplen = struct.unpack("<I", raw[off + 8:off + 12])[0]
        rec, frame = raw[off:off + 16], bytearray(raw[off + 16:off + 16 + caplen])
        off += 16 + caplen
        if len(frame) >= 34 and frame[12:14] == b"\x08\x00" and frame[14] >> 4 == 4:
            ihl = (frame[14] & 15) * 4
            ip = 14
            total = struct.unpack("!H", frame[ip + 2:ip + 4])[0]
            for a in (12, 16):
                if frame[ip + a:ip + a + 4] == inside:
                    frame[ip + a:ip + a + 4] = outside
                    if frame[ip + 9] == 6:
                        p = ip + ihl + (0 if a == 12 else 2)
                        port = struct.unpack("!H", frame[p:p + 2])[0]
                        frame[p:p + 2] = struct.pack("!H", port_map.get(port, port))
            frame[ip + 10:ip + 12] = b"\0\0"
            frame[ip + 10:ip + 12] = struct.pack("!H", pcapgen.csum(bytes(frame[ip:ip + ihl])))
            if frame[ip + 9] == 6 and len(frame) >= ip + total:
                t = ip + ihl
                seg = frame[t:ip + total]
                seg[16:18] = b"\0\0"
                pseudo = bytes(frame[ip + 12:ip + 20]) + struct.pack("!BBH", 0, 6, len(seg))
                seg[16:18] = struct.pack("!H", pcapgen.csum(pseudo + bytes(seg)))
                frame[t:ip + total] = seg
        out.append(rec + bytes(frame))
    open(dst, "wb").write(b"".join(out))


def main():
    z.require_corpus("compare")
    c = z.Checker("compare")
    with tempfile.TemporaryDirectory() as d:
        rc, s = compare(TRACE, TRACE, os.path.join(d, "self"))
        c.eq(rc, 0, "self: exit status")
        c.eq(s["clock_offset_b_minus_a"]["seconds"], 0.0, "self: offset")
        for k in ("a_to_b", "b_to_a"):
            c.eq(s[k]["lost_between_points"], 0, f"self {k}: lost")
            c.eq(s[k]["only_at_far_point"], 0, f"self {k}: only at far point")
            c.eq(s[k]["one_way_delay"]["max"], 0.0, f"self {k}: max delay")
        c.eq(s["a_to_b"]["matched"] + s["b_to_a"]["matched"], 14, "self: all 14 packets matched")

        shifted = os.path.join(d, "shift.pcap")
        cut = os.path.join(d, "shift-cut.pcap")
        subprocess.run(["editcap", "-t", "2.5", TRACE, shifted], check=True)
        subprocess.run(["editcap", shifted, cut, "5", "9"], check=True)
        rc, s = compare(TRACE, cut, os.path.join(d, "cut"))
        c.eq(rc, 0, "cut: exit status")
        off = s["clock_offset_b_minus_a"]
        c.check(abs(off["seconds"] - 2.5) < 1e-3, f"cut: offset {off['seconds']} != 2.5 s")
        # frames 5 and 9 are server -> client (B -> A): present at A only
        c.eq(s["b_to_a"]["only_at_far_point"], 2, "cut: server packets seen only at A")
        c.eq(s["a_to_b"]["lost_between_points"], 0, "cut: client packets lost")
        with open(os.path.join(d, "cut", "logs", "unmatched.ndjson")) as f:
            rows = [json.loads(line) for line in f]
        c.eq(sorted(r["frame"] for r in rows), [5, 9], "cut: unmatched frames")
        c.eq({r["point"] for r in rows}, {"A"}, "cut: unmatched seen at A")
        with open(os.path.join(d, "cut", "logs", "flows.ndjson")) as f:
            flows = [json.loads(line) for line in f]
        c.eq(len(flows), 1, "cut: one flow")
        c.eq(flows[0]["a_host"], "141.142.228.5", "cut: client on A's side")
        import test_report  # the workbook reader
        sheet = test_report.sheet_rows(os.path.join(d, "cut", "report.xlsx"))["Flows"]
        col = {name: i for i, name in enumerate(sheet[0])}
        c.eq(sheet[1][col["b_to_a.only_at_far_point"]], float(flows[0]["b_to_a"]["only_at_far_point"]),
             "cut: workbook flow row has the per-direction figures as numbers")
        w = s["window_at_both_points"]
        c.check(w is not None and w["flow"].startswith("141.142.228.5:59856 - 192.150.187.43:80"),
                f"cut: window chart follows the one TCP flow ({w and w['flow']})")
        if w:
            c.eq(w["first_sender_at_b"], w["first_sender_at_a"], "cut: client's windows alike at A and B")
            c.eq(w["other_at_b"]["segments"], w["other_at_a"]["segments"] - 2,
                 "cut: the server's two removed segments missing at B")
            c.eq(w["other_at_b"]["min_window"], w["other_at_a"]["min_window"],
                 "cut: server's smallest window alike")
        for f in ("report.html", "report.xlsx", "charts/one_way_delay.png",
                  "charts/window_both_points.png", "charts/window_both_points.pdf",
                  "charts/one_way_delay.pdf", "charts/losses.png"):
            c.check(os.path.getsize(os.path.join(d, "cut", f)) > 0, f"cut: {f} written")
        page = open(os.path.join(d, "cut", "report.html"), encoding="utf-8").read()
        c.check("data:image/png;base64," in page and 'id="data-unmatched"' in page,
                "comparison report embeds the charts and the unmatched packets")

        natted = os.path.join(d, "nat.pcap")
        nat_rewrite(TRACE, os.path.join(d, "nat0.pcap"), bytes([141, 142, 228, 5]),
                    bytes([203, 0, 113, 77]), {59856: 61000})
        subprocess.run(["editcap", "-t", "2.5", os.path.join(d, "nat0.pcap"), natted], check=True)
        tz = subprocess.run(["tshark", "-r", natted, "-T", "fields", "-e", "ip.src",
                             "-e", "tcp.srcport", "-e", "tcp.checksum.status",
                             "-o", "tcp.check_checksum:TRUE"],
                            capture_output=True, text=True).stdout.split("\n")[0].split("\t")
        # tcp.checksum.status 1 = good (0 bad, 2 unverified)
        c.eq(tz, ["203.0.113.77", "61000", "1"],
             "NAT copy: tshark sees the new address, port and a good TCP checksum")
        rc, s = compare(TRACE, natted, os.path.join(d, "nonat"))
        c.eq(s["a_to_b"]["matched"] + s["b_to_a"]["matched"], 0,
             "NAT without --nat: nothing matches on addresses")
        rc, s = compare(TRACE, natted, os.path.join(d, "nat"), ("--nat",))
        c.eq(rc, 0, "--nat: exit status")
        c.eq(s["a_to_b"]["matched"] + s["b_to_a"]["matched"], 14, "--nat: all 14 packets matched")
        for k in ("a_to_b", "b_to_a"):
            c.eq(s[k]["lost_between_points"], 0, f"--nat {k}: lost")
            c.eq(s[k]["only_at_far_point"], 0, f"--nat {k}: only at far point")
        c.check(abs(s["clock_offset_b_minus_a"]["seconds"] - 2.5) < 1e-3, "--nat: offset 2.5 s")
    c.done()


if __name__ == "__main__":
    main()
