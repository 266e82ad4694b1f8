"""conn.ndjson agrees with Zeek's conn.log baselines and with tshark.

Zeek: every baseline in zeek-expected/ that has a conn.log.  Full logs are
matched by 5-tuple on conn_state, history, byte and packet counts; zeek-cut
baselines (uid/history/service only) on the multiset of histories.
Deliberate differences (docs/differences.md) are stripped before comparing:
Zeek's 'X' history letter (an analyser violation; we log analyser problems
in case.json instead).

tshark: packets per transport conversation on traces that exercise the
decoder: VLAN, QinQ, MPLS, PPPoE, SLL2, pcapng with several interfaces,
gzip, IPv4/IPv6 fragments, ERSPAN/GRE/IP-in-IP tunnels.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import tshark_oracle as ts  # noqa: E402
import zeekcmp as z  # noqa: E402

FIELDS = ["conn_state", "history", "orig_bytes", "resp_bytes", "orig_pkts", "resp_pkts",
          "orig_ip_bytes", "resp_ip_bytes", "missed_bytes"]

# Baselines whose Zeek run used scripts that change what conn.log holds
# (a test that stops analysis early, or filters the log) — see docs.
SKIP = {
    "scripts.base.protocols.ftp.gridftp",  # Zeek test script ends the data connection early
    "scripts.base.files.mime.mime-content-hash",  # baseline filtered to SMTP connections
    "scripts.base.files.mime.mime-content-hash-2",
    "scripts.base.files.mime.mime-content-hash-3",
    "scripts.base.files.zip.a.zip",
}

# Not yet right, and tracked: Zeek flips a UDP connection whose first packet
# is a DNS response ('^' after 'D'), and reports content gaps (history 'G',
# missed_bytes) from TCP reassembly.  Remove entries as they are fixed.
PENDING = {
    "__none__",
}

TSHARK_TRACES = [
    "http-vlan-0.pcap", "http-qinq-0.pcap", "vlan-qinqinq.pcap", "mpls-in-vlan.pcap",
    "mixed-vlan-mpls.pcap", "pppoe.pcap", "pppoe-over-qinq.pcap", "pcapng-multi-interface.pcapng",
    "irc-dcc-send.pcapng", "echo-connections.pcap.gz", "ipv6-fragmented-dns.pcap",
    "ipv6-http-atomic-frag.pcap", "ipv4/fragmented-1.pcap", "erspan.pcap",
    "tunnels/gre-sample.pcap", "tunnels/4in4.pcap", "tunnels/6in4.pcap", "tunnels/6in6.pcap",
    "dns53.pcap", "http/get.pcap",
]


def strip_x(h):
    return (h or "").replace("X", "")


def zeek_baselines(c):
    compared = 0
    for d, traces in sorted(z.baseline_traces().items()):
        path = os.path.join(z.CORPUS, "zeek-expected", d, "conn.log")
        if d in SKIP or d in PENDING or not os.path.exists(path):
            continue
        zrows = z.read_zeek_log(path)
        with tempfile.TemporaryDirectory() as out:
            rc, err = z.analyze(traces, out)
            c.check(rc in (0, 1), f"{d}: exit {rc}: {err}")
            ours = z.read_ndjson(os.path.join(out, "logs", "conn.ndjson"))
        compared += 1
        if zrows and "id.orig_h" not in zrows[0]:
            c.eq(sorted(strip_x(r.get("history")) for r in zrows),
                 sorted(r.get("history", "") for r in ours), f"{d} histories")
            continue
        key = lambda r: (r["id.orig_h"], int(r["id.orig_p"]), r["id.resp_h"],  # noqa: E731
                         int(r["id.resp_p"]), r["proto"])
        by_key = {key(r): r for r in ours}
        c.eq(len(ours), len(zrows), f"{d}: number of connections")
        for zr in zrows:
            o = by_key.get(key(zr))
            c.check(o is not None, f"{d}: connection {key(zr)} missing")
            if not o:
                continue
            for f in FIELDS:
                want = zr.get(f)
                if f == "history":
                    want = strip_x(want)
                if want is None:
                    continue
                c.eq(str(o.get(f)), want, f"{d} {key(zr)} {f}")
    c.check(compared >= 25, f"compared {compared} Zeek baselines, expected >= 25")


def tshark_conversations(c):
    for t in TSHARK_TRACES:
        path = os.path.join(z.CORPUS, "zeek-traces", t)
        with tempfile.TemporaryDirectory() as out:
            rc, err = z.analyze([path], out)
            c.check(rc in (0, 1), f"{t}: exit {rc}: {err}")
            ours = ts.ours(z.read_ndjson(os.path.join(out, "logs", "conn.ndjson")))
        theirs = ts.conversations(path)
        c.check(len(theirs) > 0 or t.startswith("ipv4/"), f"{t}: tshark found no conversations")
        c.eq(dict(ours), dict(theirs), f"{t}: packets per conversation")


def main():
    z.require_corpus("conn_baselines")
    c = z.Checker("conn_baselines")
    zeek_baselines(c)
    tshark_conversations(c)
    c.done()


if __name__ == "__main__":
    main()
