"""TCP per-connection numbers and charts.

`pcapcase trace --json` and the window/time-sequence charts share one
tracker (src/flow/tcpseries.c).  Its numbers are checked packet by packet
against tshark on real corpus traces: receive window after scaling
(tcp.window_size), bytes in flight (tcp.analysis.bytes_in_flight, SACK
taken into account) and retransmissions (tcp.analysis.retransmission, fast
and spurious ones included) and out-of-order segments.  Then the charts: the top connections by bytes
and any --uid get tcp_window_<uid> and tcp_sequence_<uid> as PNG and PDF."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

TRACES = ["smb/smb2.pcap", "tcp/ssh-dups.pcap", "http/206_example_b.pcap",
          "tcp/retransmit-fast009.pcap"]
# Every other trace in these folders is compared too, except for the fields
# docs/differences.md explains: Wireshark guesses the window scale when a
# SYN is missing (we show raw windows), and counts bytes in flight
# differently on a few malformed or reordered handshakes.
SWEEP = ["tcp", "http"]
KNOWN = {
    "tcp/ctu-64702-888.pcap": {"win"},
    "tcp/fin_retransmission.pcap": {"win"},
    "tcp/http-on-irc-port-missing-syn.pcapng": {"win"},
    "http/zeek-image-1080-80-x.pcapng": {"win"},
    "http/zeek-image-post-1080-8000-x.pcap": {"win"},
    "tcp/handshake-reorder.pcap": {"flight"},
    "tcp/qi_internet_SYNACK_curl_jsonip.pcap": {"flight"},
    "tcp/reassembly.pcap": {"flight"},
    "tcp/retransmit-timeout.pcapng": {"flight"},
    "http/vnd.ms-cab-compressed-multi-conn.pcap": {"flight"},
}


def tshark_packets(pcap):
    out = subprocess.run(
        ["tshark", "-r", pcap, "-Y", "tcp", "-T", "fields", "-e", "frame.number",
         "-e", "tcp.window_size", "-e", "tcp.analysis.bytes_in_flight",
         "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.fast_retransmission",
         "-e", "tcp.analysis.spurious_retransmission", "-e", "tcp.analysis.out_of_order"],
        capture_output=True, text=True, check=True).stdout
    pk = {}
    for line in out.splitlines():
        f = line.split("\t")
        pk[int(f[0])] = (int(f[1]) if f[1] else None, int(f[2]) if f[2] else None,
                         bool(f[3] or f[4] or f[5]), bool(f[6]))
    return pk


def compare_with_tshark(c, rel, pcap, conns, skip=()):
    """Packet-by-packet comparison; returns (packets compared, retransmissions)."""
    ts = tshark_packets(pcap)
    n = nrtx = 0
    diff = {"win": 0, "flight": 0, "retrans": 0, "out_of_order": 0}
    for conn in conns:
        r = subprocess.run([z.PCAPCASE, "trace", "--uid", conn["uid"], "--json", pcap],
                           capture_output=True, text=True)
        c.eq(r.returncode, 0, f"{rel} trace {conn['uid']} exit status")
        for line in r.stdout.splitlines():
            p = json.loads(line)
            t = ts.get(p["frame"])
            if t is None:
                continue
            n += 1
            diff["win"] += t[0] is not None and t[0] != p["win"]
            diff["flight"] += t[1] is not None and t[1] != p["in_flight"]
            diff["retrans"] += t[2] != p["retrans"]
            diff["out_of_order"] += t[3] != p["out_of_order"]
            nrtx += p["retrans"]
    for field, count in diff.items():
        if field not in skip:
            c.eq(count, 0, f"{rel}: packets whose {field} differs from tshark")
    return n, nrtx


def tcp_conns(case):
    return [r for r in z.read_ndjson(os.path.join(case, "logs", "conn.ndjson"))
            if r["proto"] == "tcp"]


def main():
    z.require_corpus("tcp_charts")
    c = z.Checker("tcp_charts")
    tmp = tempfile.mkdtemp(prefix="pcapcase-tcp-")
    swept = 0
    for folder in SWEEP:
        for name in sorted(os.listdir(os.path.join(z.CORPUS, "zeek-traces", folder))):
            rel = f"{folder}/{name}"
            if rel in TRACES or ".pcap" not in name and not name.endswith(".trace"):
                continue
            pcap = os.path.join(z.CORPUS, "zeek-traces", rel)
            case = os.path.join(tmp, "sweep")
            shutil.rmtree(case, ignore_errors=True)
            rc, err = z.analyze([pcap], case)
            if rc not in (0, 1):
                continue
            compare_with_tshark(c, rel, pcap, tcp_conns(case), KNOWN.get(rel, ()))
            swept += 1
    c.check(swept > 80, f"traces swept against tshark ({swept})")
    for rel in TRACES:
        pcap = os.path.join(z.CORPUS, "zeek-traces", rel)
        case = os.path.join(tmp, rel.replace("/", "_"))
        rc, err = z.analyze([pcap], case)
        c.eq(rc, 0, f"{rel}: analyze exit status ({err.strip()})")
        conns = tcp_conns(case)
        n, nrtx = compare_with_tshark(c, rel, pcap, conns)
        c.check(n > 30, f"{rel}: packets compared with tshark ({n})")
        ts = tshark_packets(pcap)
        if rel == "tcp/ssh-dups.pcap":
            want = sum(1 for v in ts.values() if v[2])
            c.check(want > 0, "ssh-dups has retransmissions")
            c.eq(nrtx, want, "ssh-dups: retransmissions found")
        # charts for the top connections by payload bytes
        top = sorted((cn for cn in conns if cn.get("orig_bytes", 0) + cn.get("resp_bytes", 0) > 0),
                     key=lambda cn: (-(cn["orig_bytes"] + cn["resp_bytes"]), cn["uid"]))[:3]
        charts = set(os.listdir(os.path.join(case, "charts")))
        tcp_charts = {f for f in charts if f.startswith("tcp_")}
        c.eq(len(tcp_charts), 4 * len(top), f"{rel}: TCP chart files")
        for cn in top:
            for kind in ("tcp_window", "tcp_sequence"):
                for ext in ("png", "pdf"):
                    f = f"{kind}_{cn['uid']}.{ext}"
                    c.check(f in charts, f"{rel}: {f} written")
            with open(os.path.join(case, "charts", f"tcp_window_{cn['uid']}.png"), "rb") as fh:
                c.eq(fh.read(8), b"\x89PNG\r\n\x1a\n", f"{rel}: window chart is a PNG")

    # --uid charts a connection outside the top ones; an unknown one is named
    pcap = os.path.join(z.CORPUS, "zeek-traces", "http", "206_example_b.pcap")
    case = os.path.join(tmp, "uid")
    rc, _ = z.analyze([pcap], case)
    conns = [r for r in z.read_ndjson(os.path.join(case, "logs", "conn.ndjson"))
             if r["proto"] == "tcp"]
    small = min(conns, key=lambda cn: (cn.get("orig_bytes", 0) + cn.get("resp_bytes", 0),
                                       cn["uid"]))
    case2 = os.path.join(tmp, "uid2")
    rc, err = z.analyze([pcap], case2, ["--uid", small["uid"], "--uid", "Cnosuchconnection"])
    c.eq(rc, 0, "analyze --uid exit status")
    charts = set(os.listdir(os.path.join(case2, "charts")))
    c.check(f"tcp_window_{small['uid']}.png" in charts, "--uid connection has a window chart")
    c.check(f"tcp_sequence_{small['uid']}.pdf" in charts, "--uid connection has a sequence chart")
    c.check("--uid Cnosuchconnection: no such connection in the case" in err,
            f"unknown --uid is reported ({err.strip()!r})")
    c.done()


if __name__ == "__main__":
    main()
