"""tshark_oracle.py — packet counts per transport conversation, from tshark.

An independent second opinion for the connection table: tshark dissects
every frame (innermost headers with -E occurrence=l, fragments reassembled)
and we count frames per unordered (address, port) pair and protocol.
"""
import collections
import subprocess

FIELDS = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "ip.proto", "ipv6.nxt", "icmp.type", "icmpv6.type"]


def conversations(pcap):
    """{(proto, frozenset{(addr, port), (addr, port)}): frames}"""
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=l"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    counts = collections.Counter()
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        src = v["ipv6.src"] or v["ip.src"]
        dst = v["ipv6.dst"] or v["ip.dst"]
        if not src or not dst or v["icmp.type"] or v["icmpv6.type"]:
            continue  # ICMP errors quote a UDP/TCP header; that is not the flow's packet
        if v["tcp.srcport"]:
            proto, sp, dp = "tcp", v["tcp.srcport"], v["tcp.dstport"]
        elif v["udp.srcport"]:
            proto, sp, dp = "udp", v["udp.srcport"], v["udp.dstport"]
        else:
            continue
        counts[(proto, frozenset([(src, int(sp)), (dst, int(dp))]))] += 1
    return counts


def ours(conn_rows):
    counts = collections.Counter()
    for r in conn_rows:
        if r["proto"] not in ("tcp", "udp"):
            continue
        k = (r["proto"], frozenset([(r["id.orig_h"], r["id.orig_p"]),
                                    (r["id.resp_h"], r["id.resp_p"])]))
        counts[k] += r["orig_pkts"] + r["resp_pkts"]
    return counts
