"""protoreplay.py — a capture's TCP conversations through build/proto_replay.

tshark's "follow,tcp,raw" reassembles each stream (retransmissions and
reordering handled by Wireshark, an independent implementation); we turn it
into proto_replay's input ("> HEX" from the client, "< HEX" from the server)
and return the JSON events the parser printed.  Used by the phase-1 tests of
the pure parsers (test_proto_replay.py) before they are wired into analyze.
"""
import json
import os
import re
import subprocess

BUILD = os.environ.get("BUILD_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "build")
REPLAY = os.path.join(BUILD, "proto_replay")
MISSING = re.compile(rb"^\[(\d+) bytes missing in capture file\]\x00?$")


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
            text = line.strip()
            hole = MISSING.match(bytes.fromhex(text)) if len(text) < 100 else None
            if hole:  # tshark marks a hole in the capture with this text, hex-encoded
                lines.append(("G> " if client else "G< ") + hole.group(1).decode())
            else:
                lines.append(("> " if client else "< ") + text)
    return {s: "\n".join(l) + "\n" for s, l in convs.items()}


def replay(proto, text):
    r = subprocess.run([REPLAY, proto], input=text, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"proto_replay {proto}: exit {r.returncode}: {r.stderr[:300]}")
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def tftp_transfers(pcap):
    """proto_replay tftp inputs, one per transfer: a transfer is what a
    client port exchanged after its RRQ/WRQ to port 69 (the server answers
    from a new port, the client keeps its own)."""
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-T", "fields", "-e", "udp.srcport",
                          "-e", "udp.dstport", "-e", "udp.payload", "-Y", "udp"],
                         capture_output=True, text=True, timeout=300).stdout
    rows = [l.split("\t") for l in out.splitlines() if l.count("\t") == 2]
    clients = [int(sp) for sp, dp, _ in rows if int(dp) == 69]
    groups = {c: [] for c in clients}
    for sp, dp, pl in rows:
        for c in (int(sp), int(dp)):
            if c in groups and pl:
                groups[c].append("> " + pl.replace(":", "") + "\n")
                break
    return ["".join(g) for c, g in sorted(groups.items())]


def ftp_data_sha256(pcap, port, passive, download):
    """SHA-256 of the file carried by the FTP data connection on port (as
    announced by PORT/EPRT/PASV/EPSV): from the FTP server's side for a
    download (RETR), from the client's for an upload (STOR/APPE).  tshark's
    follow calls the connecting side node 0: the client in passive mode,
    the server in active mode."""
    import binascii
    import hashlib
    ss = streams(pcap, {port})
    if not ss:
        return None
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-q", "-z",
                          f"follow,tcp,raw,{sorted(ss)[0]}"],
                         capture_output=True, text=True, timeout=300).stdout
    data = {True: b"", False: b""}
    for line in out.splitlines():
        if line and not line.startswith(("=", "Follow:", "Filter:", "Node ")):
            data[line.startswith("\t")] += binascii.unhexlify(line.strip())
    server_is_node1 = passive
    sender_is_node1 = server_is_node1 == download
    return hashlib.sha256(data[sender_is_node1]).hexdigest()


def krb5_messages(pcap):
    """proto_replay krb5 input: every AS-REQ of a capture (UDP datagrams and
    TCP records as tshark reassembles them), with tshark's own reading of
    each: [(input line, (cname, realm, etype, cipher hex))]."""
    fields = ["udp.payload", "tcp.reassembled.data", "tcp.payload", "kerberos.CNameString",
              "kerberos.realm", "kerberos.etype", "kerberos.cipher", "kerberos.padata_type"]
    cmd = ["tshark", "-n", "-r", pcap, "-Y", "kerberos.msg_type == 10", "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=;"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    msgs = []
    for line in out.splitlines():
        v = dict(zip(fields, line.split("\t")))
        raw = v["udp.payload"] or v["tcp.reassembled.data"] or v["tcp.payload"]
        if "2" not in v["kerberos.padata_type"].split(";"):
            continue
        etypes = v["kerberos.etype"].split(";")
        msgs.append(("> " + raw.replace(":", "") + "\n",
                     (v["kerberos.CNameString"].split(";")[0], v["kerberos.realm"].split(";")[0],
                      int(etypes[0]), v["kerberos.cipher"].split(";")[0])))
    return msgs
