"""compare: traffic that cannot cross a router is local to its point, not loss.

1. tests/recordings/router-local/ (tests/lab/record_router.sh): the same
   traffic on both sides of a Linux router whose tbf queues dropped packets,
   with ARP, IPv6 link-local traffic (DAD from ::, MLD, neighbour discovery),
   broadcasts, 169.254/16 and TTL-1 datagrams mixed in.  Lost between the
   points must equal the router's qdisc drop counters exactly, nothing may be
   "only at the far point", and the packets local to each point must be the
   ones tshark's display filter in truth.json selects, frame by frame.
2. The same capture as both points (one segment): everything matches,
   nothing is local.
3. Built here, every reason once: the same frames seen on one segment (all
   matched) and across a router (each local to its point, for its reason;
   a directed broadcast sent from the other subnet is recognised from the
   broadcast the far segment carried)."""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402
from test_compare import compare  # noqa: E402
from test_report import sheet_rows  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REC = os.path.join(ROOT, "tests", "recordings", "router-local")

c = z.Checker("compare_local")
check, eq = c.check, c.eq


def rows(out, name):
    with open(os.path.join(out, "logs", name)) as f:
        return [json.loads(line) for line in f]


def tshark_frames(path, flt):
    """Frame numbers tshark selects with a display filter, or None without tshark."""
    try:
        r = subprocess.run(["tshark", "-r", path, "-Y", flt, "-T", "fields", "-e", "frame.number"],
                           capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        return None
    return {int(x) for x in r.stdout.split()} if r.returncode == 0 else None


def recording(d):
    truth = json.load(open(os.path.join(REC, "truth.json")))
    a, b = os.path.join(REC, "a.pcap"), os.path.join(REC, "b.pcap")
    out = os.path.join(d, "router")
    rc, s = compare(a, b, out)
    eq(rc, 0, "router: exit status")
    for k in ("a_to_b", "b_to_a"):
        eq(s[k]["lost_between_points"], truth["router_dropped"][k],
           f"router {k}: lost between the points = the router's tbf drops")
        eq(s[k]["only_at_far_point"], 0, f"router {k}: nothing only at the far point")
        eq(s[k]["tcp_retransmissions"], truth["router_dropped"][k],
           f"router {k}: every drop was a TCP segment, retransmitted")
    loc = s.get("local_to_points") or {"a": {}, "b": {}}
    for p in ("a", "b"):
        eq(loc[p].get("packets"), truth[p]["local"], f"router: local to {p} (tshark's count)")
        eq(loc[p].get("not_ip"), truth[p]["non_ip"], f"router: ARP local to {p}")
        eq(s[p].get("non_ip_packets"), truth[p]["non_ip"], f"router: non-IP frames at {p}")
        eq(sum(v for k, v in loc[p].items() if k != "packets"), loc[p].get("packets"),
           f"router: local to {p}, the reasons add up")
    eq(loc["a"].get("ttl_expires"), 2, "router: the TTL-1 and hop-limit-1 datagrams at A")
    eq(loc.get("subnet_broadcasts"), ["10.77.0.255", "203.0.113.255"], "router: subnet broadcasts")
    eq(s["hosts"], {"a_side": ["10.77.0.10", "2001:db8:77::10"],
                    "b_side": ["203.0.113.10", "2001:db8:113::10"]},
       "router: hosts on each side (none from local traffic)")
    eq(s["flows"]["seen_only_at_a"] + s["flows"]["seen_only_at_b"], 0,
       "router: no connection seen at one point only but local ones")
    um = rows(out, "unmatched.ndjson")
    local = [r for r in um if r["kind"] == "local_to_point"]
    for p, name in (("a", "a.pcap"), ("b", "b.pcap")):
        got = {r["frame"] for r in local if r["file"] == name}
        want = tshark_frames(os.path.join(REC, name), truth["local_filter"])
        if want is not None:
            eq(sorted(got), sorted(want), f"router: the frames local to {p} are tshark's")
        eq(len(got), truth[p]["local"], f"router: unmatched.ndjson rows local to {p}")
    check(all("local" in r and "direction" not in r for r in local),
          "router: local rows carry their reason and no direction")
    check(all("src" not in r for r in local if r["local"] == "not_ip"),
          "router: non-IP rows have no addresses")
    first = [r for r in local if r["file"] == "a.pcap" and r["frame"] == 1]
    eq([(r["local"], r["src"], r["dst"]) for r in first],
       [("link_local_address", "::", "ff02::16")], "router: A's frame 1 (MLD report from ::)")
    remote = [r for r in local if r["file"] == "a.pcap" and r.get("dst") == "203.0.113.255"]
    eq([r["local"] for r in remote], ["broadcast"],
       "router: the client's broadcast to the server's subnet is local to A")
    fl = rows(out, "flows.ndjson")
    eq(sum(f.get("local_to_a", 0) for f in fl) + loc["a"].get("not_ip", 0), loc["a"].get("packets"),
       "router: flows.ndjson local_to_a adds up")
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    check(f"{loc['a'].get('packets')} packets local to A" in html, "router: report says local to A")
    labels = [r[0] for r in sheet_rows(os.path.join(out, "report.xlsx"))["Summary"] if r]
    check("local to A" in labels and "link_local_address" in labels,
          "router: the workbook's summary has the local lines")

    out = os.path.join(d, "self")
    rc, s = compare(a, a, out)
    eq(rc, 0, "one segment: exit status")
    loc = s.get("local_to_points") or {"a": {}, "b": {}}
    eq(loc["a"].get("packets", -1) + loc["b"].get("packets", -1), 0, "one segment: nothing local")
    eq(s["a_to_b"]["matched"] + s["b_to_a"]["matched"], s["a"]["ip_packets"],
       "one segment: every IP packet matched, link-local ones too")
    eq(s["a_to_b"]["lost_between_points"] + s["b_to_a"]["lost_between_points"], 0,
       "one segment: nothing lost")


# ---- built: every reason once ----

MAC_CLI, MAC_RA = b"\x02\x00\x00\x00\x00\x0a", b"\x02\x00\x00\x00\x00\x01"
MAC_RB, MAC_SRV = b"\x02\x00\x00\x00\x00\x02", b"\x02\x00\x00\x00\x00\x0b"
BCAST = b"\xff" * 6
CLI, SRV = bytes([10, 9, 0, 2]), bytes([198, 51, 100, 9])


def eth(dst, src, etype, body):
    return dst + src + struct.pack("!H", etype) + body


def ipv4_udp(src, dst, payload, ttl=64, ipid=1):
    return pcapgen.udp_frame(src, dst, 5000, 9999, payload, ttl=ttl, ipid=ipid)[14:]


def ipv6_icmp(src, dst, icmp, hops=255):
    return struct.pack("!IHBB16s16s", 6 << 28, len(icmp), 58, hops, src, dst) + icmp


def arp(sender_mac, sender_ip, target_ip):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, sender_mac, sender_ip,
                       b"\0" * 6, target_ip)


V6_UNSPEC = b"\0" * 16
V6_SOLICITED = bytes.fromhex("ff0200000000000000000001ff000001")
V6_CLI, V6_RTR = bytes.fromhex("20010db8000000770000000000000010"), \
    bytes.fromhex("20010db8000000770000000000000001")
NS = struct.pack("!BBHI", 135, 0, 0, 0) + bytes.fromhex("20010db8000000770000000000000001")
NA = struct.pack("!BBHI", 136, 0, 0, 0x60000000) + bytes.fromhex("20010db8000000770000000000000001")


def segment_frames(t0):
    """(time, frame, reason) on A's segment: the client's local traffic (the
    reason it cannot cross a router), then a routed datagram."""
    return [
        (t0 + 0.00, eth(BCAST, MAC_CLI, 0x0806, arp(MAC_CLI, CLI, bytes([10, 9, 0, 1]))), "not_ip"),
        (t0 + 0.01, eth(b"\x33\x33\xff\x00\x00\x01", MAC_CLI, 0x86DD,
                        ipv6_icmp(V6_UNSPEC, V6_SOLICITED, NS)), "link_local_address"),
        (t0 + 0.02, eth(b"\x01\x00\x5e\x00\x00\xfb", MAC_CLI, 0x0800,
                        ipv4_udp(CLI, bytes([224, 0, 0, 251]), b"mdns", ttl=255, ipid=2)),
         "link_scope_multicast"),
        (t0 + 0.03, eth(MAC_RA, MAC_CLI, 0x86DD, ipv6_icmp(V6_CLI, V6_RTR, NA)),
         "neighbor_discovery"),
        (t0 + 0.04, eth(BCAST, MAC_CLI, 0x0800,
                        ipv4_udp(CLI, bytes([255, 255, 255, 255]), b"limited", ipid=3)), "broadcast"),
        (t0 + 0.05, eth(BCAST, MAC_CLI, 0x0800,
                        ipv4_udp(CLI, bytes([10, 9, 0, 255]), b"subnet", ipid=4)), "broadcast"),
        (t0 + 0.06, eth(MAC_RA, MAC_CLI, 0x0800,
                        ipv4_udp(CLI, bytes([198, 51, 100, 255]), b"remote", ipid=5)), "broadcast"),
        (t0 + 0.07, eth(MAC_RA, MAC_CLI, 0x0800, ipv4_udp(CLI, SRV, b"ttl 1", ttl=1, ipid=6)),
         "ttl_expires"),
        (t0 + 0.08, eth(MAC_RA, MAC_CLI, 0x0800,
                        ipv4_udp(bytes([169, 254, 1, 2]), bytes([169, 254, 1, 1]), b"ll", ipid=7)),
         "link_local_address"),
        (t0 + 0.10, eth(MAC_RA, MAC_CLI, 0x0800, ipv4_udp(CLI, SRV, b"routed", ipid=8)), None),
    ]


def built(d):
    t0 = 1700000000.0
    a = segment_frames(t0)
    one_a, one_b = os.path.join(d, "one-a.pcap"), os.path.join(d, "one-b.pcap")
    pcapgen.write_pcap(one_a, [(t, f) for t, f, _ in a])
    pcapgen.write_pcap(one_b, [(t + 0.00005, f) for t, f, _ in a])
    rc, s = compare(one_a, one_b, os.path.join(d, "one"))
    eq(rc, 0, "built one segment: exit status")
    loc = s.get("local_to_points") or {"a": {}, "b": {}}
    eq(loc["a"].get("packets", -1) + loc["b"].get("packets", -1), 0,
       "built one segment: nothing local")
    eq(s["a_to_b"]["matched"] + s["b_to_a"]["matched"], 9,
       "built one segment: the 9 IP packets matched (the ARP frame too, uncounted)")
    eq(s["a_to_b"]["lost_between_points"], 0, "built one segment: nothing lost")

    # across a router: B's segment has its own local traffic (the server's
    # broadcast to its subnet, sent to the Ethernet broadcast address), and
    # sees the routed datagram with TTL 63 from the router's MAC
    b = [(t0 + 0.005, eth(BCAST, MAC_SRV, 0x0800,
                          ipv4_udp(SRV, bytes([198, 51, 100, 255]), b"b subnet", ipid=20))),
         (t0 + 0.10005, eth(MAC_SRV, MAC_RB, 0x0800, ipv4_udp(CLI, SRV, b"routed", ttl=63, ipid=8)))]
    r_a, r_b = os.path.join(d, "router-a.pcap"), os.path.join(d, "router-b.pcap")
    pcapgen.write_pcap(r_a, [(t, f) for t, f, _ in a])
    pcapgen.write_pcap(r_b, b)
    out = os.path.join(d, "router-built")
    rc, s = compare(r_a, r_b, out)
    eq(rc, 0, "built router: exit status")
    want = {}
    for _, _, why in a:
        if why:
            want[why] = want.get(why, 0) + 1
    loc = s.get("local_to_points") or {"a": {}, "b": {}}
    eq({k: v for k, v in loc["a"].items() if k != "packets" and v}, want,
       "built router: each of A's local packets for its reason")
    eq(loc["a"].get("packets"), 9, "built router: 9 packets local to A")
    eq(loc["b"].get("packets"), 1, "built router: the server's subnet broadcast local to B")
    eq(loc.get("subnet_broadcasts"), ["198.51.100.255", "10.9.0.255"],
       "built router: subnet broadcasts, as first seen")
    for k in ("a_to_b", "b_to_a"):
        eq(s[k]["lost_between_points"], 0, f"built router {k}: nothing lost")
        eq(s[k]["only_at_far_point"], 0, f"built router {k}: nothing only at the far point")
    eq(s["a_to_b"]["matched"], 1, "built router: the routed datagram matched")
    got = {r["frame"]: r.get("local") for r in rows(out, "unmatched.ndjson")
           if r["file"] == "router-a.pcap"}
    eq(got, {i + 1: why for i, (_, _, why) in enumerate(a) if why},
       "built router: unmatched.ndjson gives each frame its reason")


def main():
    with tempfile.TemporaryDirectory() as d:
        recording(d)
        built(d)
    c.done()


if __name__ == "__main__":
    main()
