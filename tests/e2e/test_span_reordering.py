"""Replies captured before their requests (SPAN-port reordering), and streams
sent a byte at a time, change no evidence.

A capture point that merges both directions of a link (a switch's SPAN
port, a tap with two outputs, a multi-queue capture) can record a server's
reply a moment before the client's request it answers.  The reply then
acknowledges bytes the capture has not shown yet; Wireshark calls it "ACKed
unseen segment".  Fed in capture order, a request/reply analyser pairs
every later request with the reply before it: an HTTP body named after the
previous URL, an FTP EPSV answered by the PWD reply and the STOR's file
never tied to its data connection.

The dispatcher keeps such a segment back until the other direction has
been captured up to the acknowledged byte (src/analysis/dispatch.c,
docs/reassembly.md).  This test takes real recordings of the project —
the sample incident (HTTP), and the lab's FTP, SMTP, POP3, IMAP and SMB2
recordings — and swaps every two adjacent frames (timestamps stay in
order), which captures many replies before their requests and many
segments of one direction out of order.  For each recording:

  - the swapped capture gives the same evidence: the same files rows
    (SHA-256, file name, MIME type, protocol, bytes seen and missing) and
    the same protocol rows (HTTP method, URI, status and the SHA-256 of the
    body each response carried; FTP command, argument, reply and file;
    SMTP sender, recipients, subject and last reply; SMB file actions and
    names; credentials);
  - case.json counts anomaly.tcp_acked_unseen for the swapped capture, and
    not for the recording as made (nothing is held in an ordinary capture).

A capture that starts inside a connection may show the answer before
anything of the requester's direction: the SMB2 recording, started at the
CREATE of a file (the connection's earlier frames left out) and swapped,
must keep the file's name and the rows of the recording (the share's path
aside, which was in the tree connect); the answer is held until the
client's direction is first seen.

UDP has no acknowledgements to tell such a reply by.  A TFTP server's
first DATA block comes from a port of its own, so a capture that shows it
before the client's read request has a flow no analyser knows yet; the
flow's first datagrams are kept until the request announces it
(src/analysis/dispatch.c, keep_dgram()).  The lab's two TFTP recordings
with every two frames swapped (the read requests' first blocks come before
them) must give the same files; and a capture of only a read request and
its first block, in either order, the same partial file — there the block
is given to the transfer when its flow finishes, no later datagram came.
DNS over UDP is not part of this: a response captured before its query is
logged as Zeek logs it, on a row of its own (docs/differences.md).

Two reorderings in one direction at once: a segment sent back to back
with a later one, where the later one comes first and the hole between is
acknowledged before its bytes are captured (a sender whose large sends
leave out of order -- TSO on several queues -- seen from a capture point
that merges both directions).  Every such data segment of the same
recordings and the STARTTLS one is moved after the other direction's first
ACK of it, or after the first reply (an ACK with data) that acknowledges
it; the evidence must be the same.  Reassembly waits a few packets for
acknowledged bytes (REASM_ACK_PATIENCE) and the dispatcher holds the reply
while the request's stream has a hole before the acknowledged byte.
Before (15cd784), the sample incident, SMTP and SMB2 recordings lost files
either way, and the IMAP one a credential after the reply; with
reassembly's waiting alone, SMTP rows and the IMAP credential still changed
after the reply.

Then every TCP segment of the same recordings, and of the STARTTLS one
(SMTP, POP3 and IMAP switching to TLS), is re-sent as segments of one byte
each (same timestamps, FIN and PSH on the last): the first bytes of a
connection then come one at a time, fewer than any detector can tell a
protocol by, and so do the ClientHello's after STARTTLS.  The dispatcher
keeps a connection's first bytes until a detector takes them
(docs/design.md); the evidence, the ssl rows included, must be the same.
Before that, the HTTP and the STARTTLS recordings lost every row.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

from keylog_case import LAB, SOURCE, PCAPCASE, check, have_binary, result, rows

CAPTURES = [
    os.path.join(SOURCE, "sample_pcaps", "incident-1.pcap"),
    os.path.join(LAB, "files", "ftp.pcap"),
    os.path.join(LAB, "files", "smtp.pcap"),
    os.path.join(LAB, "files", "pop3.pcap"),
    os.path.join(LAB, "files", "imap.pcap"),
    os.path.join(LAB, "files", "smb2.pcap"),
]


def read_pcap(path):
    d = open(path, "rb").read()
    magic = d[:4]
    assert magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"), f"{path}: a little-endian pcap"
    off, frames = 24, []
    while off + 16 <= len(d):
        sec, frac, incl, orig = struct.unpack("<IIII", d[off:off + 16])
        frames.append((sec, frac, d[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return d[:24], frames


def write_in_order(dst, header, frames, order):
    """The frames written in the given order, each slot keeping its own
    timestamp (so the timestamps stay in order)."""
    with open(dst, "wb") as f:
        f.write(header)
        for slot, j in enumerate(order):
            sec, frac = frames[slot][:2]
            data, orig = frames[j][2], frames[j][3]
            f.write(struct.pack("<IIII", sec, frac, len(data), orig) + data)


def swapped(src, dst):
    """Every two adjacent frames swapped, the timestamps left in order."""
    header, frames = read_pcap(src)
    order = list(range(len(frames)))
    for i in range(0, len(order) - 1, 2):
        order[i], order[i + 1] = order[i + 1], order[i]
    write_in_order(dst, header, frames, order)


def udp_ports(b):
    """(source port, destination port, UDP payload) of an Ethernet/IPv4 or
    IPv6 UDP frame, or None."""
    etype = b[12:14]
    if etype == b"\x08\x00" and b[23] == 17:
        t0 = 14 + (b[14] & 15) * 4
    elif etype == b"\x86\xdd" and b[20] == 17:
        t0 = 54
    else:
        return None
    sp, dp = struct.unpack(">HH", b[t0:t0 + 4])
    return sp, dp, b[t0 + 8:]


def first_blocks_before_requests(pcap):
    """How many read requests the swapped capture shows after their first
    DATA block: the condition this part of the test is about."""
    _, frames = read_pcap(pcap)
    n = 0
    for i in range(len(frames) - 1):
        a, b = udp_ports(frames[i][2]), udp_ports(frames[i + 1][2])
        if a and b and a[2][:2] == b"\x00\x03" and a[2][2:4] == b"\x00\x01" \
                and b[1] == 69 and b[2][:2] == b"\x00\x01":
            n += 1
    return n


def request_and_first_block(order):
    """A rewrite keeping only the first read request and the frame after it
    (its first DATA block), in the given order ((0, 1) or (1, 0))."""
    def rewrite(src, dst):
        header, frames = read_pcap(src)
        i = next(k for k, f in enumerate(frames)
                 if (u := udp_ports(f[2])) and u[1] == 69 and u[2][:2] == b"\x00\x01")
        pair = [frames[i], frames[i + 1]]
        block = udp_ports(pair[1][2])
        check(block and block[2][:4] == b"\x00\x03\x00\x01",
              f"{src}: frame {i + 2} is the first DATA block of the request")
        with open(dst, "wb") as f:
            f.write(header)
            for slot, j in enumerate(order):
                sec, frac = pair[slot][:2]
                f.write(struct.pack("<IIII", sec, frac, len(pair[j][2]), pair[j][3]) + pair[j][2])
    return rewrite


def tcp_conn(b):
    """The connection (both ends' address and port, sorted) of an
    Ethernet/IPv4 or IPv6 TCP frame, or None."""
    etype = b[12:14]
    if etype == b"\x08\x00" and b[23] == 6:
        t0, addrs = 14 + (b[14] & 15) * 4, b[26:34]
    elif etype == b"\x86\xdd" and b[20] == 6:
        t0, addrs = 54, b[22:54]
    else:
        return None
    half = len(addrs) // 2
    return tuple(sorted([addrs[:half] + b[t0:t0 + 2], addrs[half:] + b[t0 + 2:t0 + 4]]))


def tcp_fields(b):
    """(sender: address and port, seq, ack, flags, payload length) of an
    Ethernet/IPv4 or IPv6 TCP frame, or None."""
    etype = b[12:14]
    if etype == b"\x08\x00" and b[23] == 6:
        t0, src = 14 + (b[14] & 15) * 4, b[26:30]
        end = 14 + struct.unpack(">H", b[16:18])[0]
    elif etype == b"\x86\xdd" and b[20] == 6:
        t0, src = 54, b[22:38]
        end = 54 + struct.unpack(">H", b[18:20])[0]
    else:
        return None
    seq, ack = struct.unpack(">II", b[t0 + 4:t0 + 12])
    flags = b[t0 + 13]
    return src + b[t0:t0 + 2], seq, ack, flags, end - t0 - (b[t0 + 12] >> 4) * 4


def late_segments(src, dst, reply):
    """Two reorderings in one direction: a data segment sent back to back
    with a later one (the later one captured before the other direction's
    ACK of it) is captured after that ACK, and so after the later segment
    too -- a capture point that merges both directions, with a sender whose
    large sends leave out of order.  With reply, the ACK it is captured
    after is the first that carries data (the reply to a request).  At most
    12 frames late; the timestamps stay in order.  Returns how many
    segments were moved."""
    header, frames = read_pcap(src)
    info = [(tcp_conn(f[2]), tcp_fields(f[2])) for f in frames]
    key = list(range(len(frames)))
    for i, (conn, t) in enumerate(info):
        if not conn or not t or not t[4] or t[3] & 0x07:  # data, no SYN, FIN or RST
            continue
        end = (t[1] + t[4]) & 0xFFFFFFFF
        acked = later = None
        for j in range(i + 1, min(i + 13, len(frames))):
            c, u = info[j]
            if c != conn or not u:
                continue
            if u[0] != t[0] and u[3] & 0x10 and acked is None and (u[4] or not reply) and \
                    0 <= (u[2] - end) & 0xFFFFFFFF < 1 << 30:
                acked = j
            if u[0] == t[0] and u[4] and later is None and \
                    0 < (u[1] - t[1]) & 0xFFFFFFFF < 1 << 30:
                later = j
        if acked is not None and later is not None and later < acked:
            key[i] = acked + 0.5
    order = sorted(range(len(frames)), key=lambda k: key[k])
    write_in_order(dst, header, frames, order)
    return sum(1 for k in key if k != int(k))


def started_at_open(src, dst, name):
    """The capture of an SMB2 recording started, on the connection that
    opens file `name`, at that CREATE request: the connection's earlier
    frames (its handshake included) are left out."""
    needle = name.encode("utf-16-le")
    header, frames = read_pcap(src)
    at = next(i for i, f in enumerate(frames) if needle in f[2] and b"\xfeSMB" in f[2])
    key = tcp_conn(frames[at][2])
    with open(dst, "wb") as f:
        f.write(header)
        for i, (sec, frac, data, orig) in enumerate(frames):
            if i >= at or tcp_conn(data) != key:
                f.write(struct.pack("<IIII", sec, frac, len(data), orig) + data)


def one_byte_segments(src, dst):
    """Every TCP segment with payload re-sent a byte at a time (IPv4 and
    IPv6 without extension headers; checksums are not recomputed, and
    pcapcase does not check them)."""
    header, frames = read_pcap(src)
    with open(dst, "wb") as f:
        f.write(header)
        for sec, frac, b, orig in frames:
            pieces = [b]
            etype = b[12:14]
            if len(b) == orig and etype in (b"\x08\x00", b"\x86\xdd"):
                v4 = etype == b"\x08\x00"
                ip_len = (b[14] & 15) * 4 if v4 else 40
                proto = b[23] if v4 else b[20]
                end = 14 + (struct.unpack(">H", b[16:18])[0] if v4
                            else 40 + struct.unpack(">H", b[18:20])[0])
                t0 = 14 + ip_len
                if proto == 6 and end <= len(b):
                    tcp_len = (b[t0 + 12] >> 4) * 4
                    payload = b[t0 + tcp_len:end]
                    seq = struct.unpack(">I", b[t0 + 4:t0 + 8])[0]
                    if len(payload) > 1:
                        pieces = []
                        for i in range(len(payload)):
                            tcp = bytearray(b[t0:t0 + tcp_len])
                            tcp[4:8] = struct.pack(">I", (seq + i) & 0xFFFFFFFF)
                            if i < len(payload) - 1:
                                tcp[13] &= ~0x09 & 0xFF  # FIN and PSH on the last byte only
                            ip = bytearray(b[14:t0])
                            if v4:
                                ip[2:4] = struct.pack(">H", ip_len + tcp_len + 1)
                            else:
                                ip[4:6] = struct.pack(">H", tcp_len + 1)
                            pieces.append(b[:14] + bytes(ip) + bytes(tcp) + payload[i:i + 1])
            for piece in pieces:
                f.write(struct.pack("<IIII", sec, frac, len(piece), len(piece)) + piece)


def analyze(pcap, case):
    r = subprocess.run([PCAPCASE, "analyze", "-q", "-o", case, pcap], capture_output=True,
                       text=True)
    check(r.returncode in (0, 1), f"{pcap}: analyze exit {r.returncode}: {r.stderr}")


def evidence(case):
    """What must not depend on the order the capture holds: sorted rows."""
    sha = {f["fuid"]: f.get("sha256") for f in rows(case, "files")}
    out = {"files": sorted(json.dumps([f.get(k) for k in (
        "sha256", "filename", "mime_type", "source", "seen_bytes", "missing_bytes",
        "total_bytes")]) for f in rows(case, "files"))}
    out["http"] = sorted(json.dumps([
        h.get("method"), h.get("host"), h.get("uri"), h.get("status_code"),
        h.get("request_body_len"), h.get("response_body_len"),
        [sha.get(x) for x in h.get("resp_fuids") or []]]) for h in rows(case, "http"))
    out["ftp"] = sorted(json.dumps([
        r.get("user"), r.get("command"), r.get("arg"), r.get("reply_code"), r.get("reply_msg"),
        sha.get(r.get("fuid"))]) for r in rows(case, "ftp"))
    out["smtp"] = sorted(json.dumps([
        r.get("mailfrom"), r.get("rcptto"), r.get("subject"), r.get("last_reply"),
        [sha.get(x) for x in r.get("fuids") or []]]) for r in rows(case, "smtp"))
    out["smb_files"] = sorted(json.dumps([
        r.get("action"), r.get("path"), r.get("name"), r.get("size"), sha.get(r.get("fuid"))])
        for r in rows(case, "smb_files"))
    out["credentials"] = sorted(json.dumps([
        r.get("proto"), r.get("mechanism"), r.get("username"), r.get("outcome")])
        for r in rows(case, "credentials"))
    out["ssl"] = sorted(json.dumps([
        r.get("server_name"), r.get("version"), r.get("ja3"), r.get("established")])
        for r in rows(case, "ssl"))
    return out


def holds(case):
    damaged = json.load(open(os.path.join(case, "case.json")))["evidence"][0].get("damaged", {})
    return damaged.get("anomaly.tcp_acked_unseen", 0)


def compare(tmp, pcap, rewrite, how):
    """Analyse pcap and pcap rewritten by rewrite(src, dst); every kind of
    evidence must be the same.  Returns both case folders and the
    recording's evidence."""
    name = os.path.basename(pcap)
    other = os.path.join(tmp, how + "-" + name)
    rewrite(pcap, other)
    a, b = os.path.join(tmp, name + ".as-made"), os.path.join(tmp, name + "." + how)
    if not os.path.exists(a):
        analyze(pcap, a)
    analyze(other, b)
    ea, eb = evidence(a), evidence(b)
    for log in ea:
        check(ea[log] == eb[log], f"{name}: {log} rows the same when {how}\n"
              f"  as made: {sorted(set(ea[log]) - set(eb[log]))}\n"
              f"  {how}: {sorted(set(eb[log]) - set(ea[log]))}")
    return a, b, ea


def main():
    if not have_binary():
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for pcap in CAPTURES:
            name = os.path.basename(pcap)
            a, b, ea = compare(tmp, pcap, swapped, "swapped")
            check(ea["files"], f"{name}: files carved from the recording")
            check(holds(a) == 0, f"{name}: nothing held in the recording as made ({holds(a)})")
            check(holds(b) > 0, f"{name}: the swapped capture's holds are counted")
            print(f"{name}: {len(ea['files'])} files, {len(ea['http'])} http, "
                  f"{len(ea['ftp'])} ftp, {len(ea['smtp'])} smtp, {len(ea['smb_files'])} smb "
                  f"rows; {holds(b)} connections held when swapped")
        # The capture starts inside the connection, at the CREATE of a
        # file; swapped, its answer comes before anything of the client's
        # direction and is held until that direction is seen.
        made = evidence(os.path.join(tmp, "smb2.pcap.as-made"))
        opened = json.loads(made["smb_files"][0])[2]
        started = os.path.join(tmp, "smb2-at-open.pcap")
        started_at_open(os.path.join(LAB, "files", "smb2.pcap"), started, opened)
        a, b, ea = compare(tmp, started, swapped, "swapped")
        def unpathed(r):  # the share's path was in the tree connect, not captured
            return [x for i, x in enumerate(json.loads(r)) if i != 1]
        check(ea["files"] == made["files"] and sorted(map(unpathed, ea["smb_files"])) ==
              sorted(map(unpathed, made["smb_files"])),
              f"smb2.pcap started at the CREATE of {opened}: the files and SMB rows of the "
              f"recording")
        check(holds(b) > 0, "smb2.pcap started at the CREATE, swapped: the hold is counted")
        print(f"smb2.pcap started at the CREATE of {opened}: the same {len(ea['smb_files'])} SMB "
              f"rows when swapped")
        for name in ("tftp.pcap", "tftp_more.pcap"):
            pcap = os.path.join(LAB, "files", name)
            a, b, ea = compare(tmp, pcap, swapped, "swapped")
            before = first_blocks_before_requests(os.path.join(tmp, "swapped-" + name))
            check(before > 0, f"{name}: swapped, a first block comes before its request")
            check(len(ea["files"]) >= 2, f"{name}: files carved from the recording")
            print(f"{name}: {len(ea['files'])} files the same with {before} first blocks "
                  f"captured before their requests")
        pcap = os.path.join(LAB, "files", "tftp.pcap")
        in_order = os.path.join(tmp, "request-then-block.pcap")
        request_and_first_block((0, 1))(pcap, in_order)
        _, _, ea = compare(tmp, in_order, request_and_first_block((1, 0)),
                           "block-then-request")
        seen = [json.loads(r)[4] for r in ea["files"]]
        check(seen == [512], f"block then request: the first block's 512 bytes seen ({seen})")
        for reply in (False, True):
            how = "late-after-the-reply" if reply else "late-after-the-ack"
            moved = {}
            for pcap in CAPTURES + [os.path.join(LAB, "files", "starttls.pcap")]:
                name = os.path.basename(pcap)
                compare(tmp, pcap,
                        lambda s, d: moved.__setitem__(name, late_segments(s, d, reply)), how)
            for name in ("incident-1.pcap", "smtp.pcap", "smb2.pcap"):
                check(moved.get(name, 0) > 0, f"{name}: {how}, segments were moved")
            print(f"{how}: the same evidence with segments moved: {moved}")
        for pcap in CAPTURES + [os.path.join(LAB, "files", "starttls.pcap")]:
            name = os.path.basename(pcap)
            a, b, ea = compare(tmp, pcap, one_byte_segments, "in-1-byte-segments")
            check(ea["files"] or ea["ssl"], f"{name}: files or TLS sessions in the recording")
            print(f"{name}: 1-byte segments compared ({len(ea['files'])} files, "
                  f"{len(ea['ssl'])} ssl rows)")
    return result()


if __name__ == "__main__":
    sys.exit(main())
