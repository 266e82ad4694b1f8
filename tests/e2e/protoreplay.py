"""protoreplay.py — a capture's TCP conversations through build/proto_replay.

tshark's "follow,tcp,raw" reassembles each stream (retransmissions and
reordering handled by Wireshark, an independent implementation); we turn it
into proto_replay's input ("> HEX" from the client, "< HEX" from the server)
and return the JSON events the parser printed.  Used by the phase-1 tests of
the pure parsers (test_proto_replay.py) before they are wired into analyze.
"""
import json
import os
import subprocess

BUILD = os.environ.get("BUILD_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "build")
REPLAY = os.path.join(BUILD, "proto_replay")


def streams(pcap, ports):
    """TCP stream numbers whose server port is in ports: {stream: server_port}."""
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "tcp.stream",
                          "-e", "tcp.srcport", "-e", "tcp.dstport", "-Y", "tcp"],
                         capture_output=True, text=True, timeout=600).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0]:
            continue
        s, sp, dp = int(parts[0]), int(parts[1]), int(parts[2])
        if s not in found:
            if dp in ports:
                found[s] = dp
            elif sp in ports:
                found[s] = sp
    return found


def conversations(pcap, ports, limit=200):
    """{stream: conversation text} for the streams on the given server ports."""
    ss = streams(pcap, ports)
    wanted = sorted(ss)[:limit]
    if not wanted:
        return {}
    cmd = ["tshark", "-n", "-r", pcap, "-q"]
    for s in wanted:
        cmd += ["-z", f"follow,tcp,raw,{s}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900).stdout
    convs, cur, lines, nodes = {}, None, [], {}
    for line in out.splitlines():
        if line.startswith("Filter: tcp.stream eq "):
            cur = int(line.split()[-1])
            lines, nodes = [], {}
            convs[cur] = lines
        elif line.startswith("Node 0: ") or line.startswith("Node 1: "):
            nodes[line[5]] = int(line.rsplit(":", 1)[1])
        elif cur is not None and line and not line.startswith("=") and \
                not line.startswith("Follow:"):
            server_first = nodes.get("0") == ss.get(cur)
            from_node1 = line.startswith("\t")
            client = from_node1 if server_first else not from_node1
            lines.append(("> " if client else "< ") + line.strip())
    return {s: "\n".join(l) + "\n" for s, l in convs.items()}


def replay(proto, text):
    r = subprocess.run([REPLAY, proto], input=text, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"proto_replay {proto}: exit {r.returncode}: {r.stderr[:300]}")
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def udp_datagrams(pcap, port):
    """proto_replay tftp input: every UDP payload of a capture in order (the
    capture holds one transfer)."""
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "udp.payload",
                          "-Y", "udp"], capture_output=True, text=True, timeout=300).stdout
    return "".join("> " + l.strip().replace(":", "") + "\n" for l in out.splitlines() if l.strip())
