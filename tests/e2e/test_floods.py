"""Floods of the analysers of files beyond HTTP: hostile captures (built
here with pcapgen) whose cost once grew with what they named, not with
their size.  Each runs under a hang guard (120 s, as in the corpus sweep)
and checks the logs it must still give; memory is checked as the run's
peak resident size, the measure of the fault, far above what it needs now.

smb_sparse: 24 files opened on one SMB2 connection, each written one byte
60 MiB into it, closed at the end.  Each file's bytes were kept in a buffer
zero-filled to the furthest byte written (1.5 GB for this 30 KB capture,
60 MiB a file; 40 files 2.4 GB, 16 s); the pieces are kept as they came
now (20 MB).  Two more files on the connection are carved whole from their
pieces: one written tail first, one with bytes written twice (the last
write wins).

tftp_skip: 100 read requests, each answered by one DATA block numbered
32767.  The blocks before it were never sent, so the file cannot be whole,
yet its bytes were kept in a buffer zero-filled to the block's offset
(16 MiB a transfer: 1.65 GB, 6 s); they are not kept once a block was
skipped now (20 MB).

tftp_hold: 300 read requests for 16 KiB blocks (blksize, RFC 2348), each
answered by blocks 2 to 64 while block 1 never comes.  Blocks ahead of a
missing one are held for it (the windowsize option's loss and resend,
RFC 7440): up to 1 MiB a transfer, 64 MiB for all of a worker's
transfers (peak RSS 85 MB; 323 MB without that bound).  Each file is incomplete, block 1 missing,
the 63 others counted.

ftp_probes: one FTP session announces 60,000 passive channels to one port
(never used), then another host sends a segment to that port from 200,000
ports (of 4 hosts).  Each such connection was matched against every channel of the
port's bucket (more than 120 s; 16,000 of each took 3.3 s, 32,000 13.3
s); the buckets are by port and the control connection's pair of hosts
now (2.2 s for this one).

smtp_rcpt: one transaction with 300 recipients.  The first 256 are kept
(SMTP_MAX_RCPT); the others were counted in the parser and reported
nowhere (dropped silently); they are counted in the damage table now
(limit.smtp_rcpt).

mime_parts: one message of 1,030 MIME parts.  The first 1,024 are carved
(IMF_MAX_PARTS), the message whole; the others were counted in the
parser and reported nowhere; they are in the damage table now
(limit.mime_parts).

smtp_bdat_lost: a BDAT whose size is no number ("BDAT many LAST").  The
client's framing is lost: the rest of its bytes are not followed.  That
was reported nowhere; the damage table says so now (smtp.bdat_size, at
the BDAT's frame).

smb_sessions: 12,000 SMB2 connections between two hosts, all open at once,
each carrying 64 sessions (and a 65th, one too many).  The sessions of a
pair of hosts were a list searched from the start for each new one (and
for each one at a connection's end): more than 120 s (4,000 connections
took 18.3 s); a hash table now (1.4 s).

smb_pending: 20,000 SMB2 connections open at once, each with one request
(a CREATE, refused).  Each connection's table of requests waiting for
their answers was made for 1,024 at its first request (128 bytes each):
2.75 GB and 16 s; it grows as requests wait now (216 MB, 1.6 s).

smb_large: files too big for memory (80 and 70 MiB, read and written out of
order, part written again): bytes past 64 MiB were not kept, and neither
file was whole; they are put together in a scratch file now."""
import hashlib
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen as g  # noqa: E402
import test_smb_multichannel as m  # noqa: E402
import zeekcmp as z  # noqa: E402

HANG_GUARD = 120


def run(c, name, frames, out):
    """analyze a capture of frames into out/case; the peak resident size of
    the run (MB), or None when it hung or failed."""
    pcap = os.path.join(out, name + ".pcap")
    g.write_pcap(pcap, frames)
    with open(os.path.join(out, "stderr"), "w+") as err:
        p = subprocess.Popen([z.PCAPCASE, "analyze", "--quiet", "--jobs", "1", "-o",
                              os.path.join(out, "case"), pcap],
                             stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + HANG_GUARD
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                p.wait()
                c.check(False, f"{name}: analyze still running after {HANG_GUARD} s")
                return None
            time.sleep(0.05)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        ok = p.returncode in (0, 1)
        c.check(ok, f"{name}: exit {p.returncode} ({err.read()[:200]})")
    return usage.ru_maxrss / 1024 if ok else None


def logs(out, name):
    return z.read_ndjson(os.path.join(out, "case", "logs", name))


def damage(out):
    ev = json.load(open(os.path.join(out, "case", "case.json")))["evidence"][0]
    return ev.get("damaged", {}), ev.get("damaged_first_frames", {})


def smb_batch(cv, reqs, resps, per=64):
    for i in range(0, len(reqs), per):
        cv.send(True, b"".join(m.nbss(r) for r in reqs[i:i + per]))
        cv.send(False, b"".join(m.nbss(r) for r in resps[i:i + per]))


def smb_sparse(c):
    n, off = 24, 60 << 20
    tail_first = m.content(b"tail-first", 100000)
    twice = m.content(b"twice", 20000)
    twice_final = twice[:5000] + b"B" * 10000 + twice[15000:]
    cv = g.TcpConversation(m.CLIENT, m.SERVER, 50001, 445, 1700000000.0, mss=65000)
    cv.handshake()
    smb_batch(cv, [m.session_setup_req(0, False), m.tree_connect_req(1, m.SHARE)],
              [m.session_setup_resp(0), m.tree_connect_resp(1)])
    mid, rq, rs = 2, [], []

    def ex(req, resp):
        nonlocal mid
        rq.append(req(mid))
        rs.append(resp(mid))
        mid += 1

    def flush():
        smb_batch(cv, rq, rs)
        del rq[:], rs[:]

    # the opens answered (their file ids known) before the writes: a batch each
    a, b = m.fid(n), m.fid(n + 1)
    for i in range(n):
        ex(lambda x: m.create_req(x, "sparse%d" % i), lambda x: m.create_resp(x, m.fid(i), off + 1))
    ex(lambda x: m.create_req(x, "tail-first.bin"), lambda x: m.create_resp(x, a, len(tail_first)))
    ex(lambda x: m.create_req(x, "twice.bin"), lambda x: m.create_resp(x, b, len(twice)))
    flush()
    for i in range(n):
        ex(lambda x: m.write_req(x, m.fid(i), off, b"x"), lambda x: m.write_resp(x, 1))
    ex(lambda x: m.write_req(x, a, 60000, tail_first[60000:]), lambda x: m.write_resp(x, 40000))
    ex(lambda x: m.write_req(x, a, 0, tail_first[:60000]), lambda x: m.write_resp(x, 60000))
    ex(lambda x: m.write_req(x, b, 0, twice), lambda x: m.write_resp(x, len(twice)))
    ex(lambda x: m.write_req(x, b, 5000, b"B" * 10000), lambda x: m.write_resp(x, 10000))
    flush()
    for i in range(n + 2):
        ex(lambda x: m.close_req(x, m.fid(i)), m.close_resp)
    flush()
    cv.close()
    with tempfile.TemporaryDirectory() as out:
        rss = run(c, "smb_sparse", cv.frames, out)
        if rss is None:
            return
        c.check(rss < 400, f"smb_sparse: peak resident size {rss:.0f} MB (a zero-filled buffer "
                           f"per file would be 60 MiB each)")
        rows = {r["name"]: r for r in logs(out, "smb_files.ndjson")}
        sparse = [rows.get("sparse%d" % i, {}) for i in range(n)]
        c.eq(sum(1 for r in sparse if r.get("action") == "SMB::FILE_WRITE"), n,
             "smb_sparse: a write row per sparse file")
        c.eq({(r.get("seen_bytes"), r.get("missing_bytes"), r.get("complete")) for r in sparse},
             {(1, off, False)}, "smb_sparse: one byte seen, the rest missing, not complete")
        files = {r.get("filename"): r for r in logs(out, "files.ndjson")}
        for name, data in (("tail-first.bin", tail_first), ("twice.bin", twice_final)):
            f = files.get(name, {})
            c.eq(f.get("sha256"), hashlib.sha256(data).hexdigest(), f"smb_sparse: {name} carved")
            c.eq(rows.get(name, {}).get("complete"), True, f"smb_sparse: {name} complete")
        c.eq(sum(1 for r in logs(out, "files.ndjson")
                 if (r.get("filename") or "").startswith("sparse") and r.get("seen_bytes") == 1
                 and r.get("missing_bytes") == off and not r.get("sha256")), n,
             "smb_sparse: a files row per sparse file: 1 byte seen, no hash")
        counts, _ = damage(out)
        c.eq({k: v for k, v in counts.items() if "smb" in k}, {},
             "smb_sparse: no SMB damage (no limit hit)")


def smb_large(c):
    """Files too big to hold in memory while they are open, as a copied disk
    image or archive is: on one SMB2 connection, an 80 MiB file read in
    1 MiB READs answered two at a time in reverse order, and a 70 MiB file
    written in 1 MiB WRITEs sent the same way, 4 KiB of it written again
    once the rest was (the last write wins).  Each whole, by SHA-256, and
    kept.  Until 2026-12-01 bytes past 64 MiB were not kept: both rows were
    `incomplete` with no hash, and nothing kept.  A file written one byte
    100 MiB in (its size is what the write says) still is: no scratch file
    for it."""
    rnd = random.Random(1764547200)
    image, upload = rnd.randbytes((80 << 20) + 12345), rnd.randbytes(70 << 20)
    patch = rnd.randbytes(4096)
    upload_final = upload[:5000] + patch + upload[5000 + len(patch):]
    chunk, img, up, sparse = 1 << 20, m.fid(1), m.fid(2), m.fid(3)
    cv = g.TcpConversation(m.CLIENT, m.SERVER, 50002, 445, 1700000000.0, mss=65000)
    cv.handshake()
    smb_batch(cv, [m.session_setup_req(0, False), m.tree_connect_req(1, m.SHARE)],
              [m.session_setup_resp(0), m.tree_connect_resp(1)])
    mid = [2]

    def nxt():
        mid[0] += 1
        return mid[0] - 1

    def pairs(reqs, resps):
        """requests two by two, their answers in reverse order"""
        for i in range(0, len(reqs), 2):
            cv.send(True, b"".join(m.nbss(r) for r in reqs[i:i + 2]))
            cv.send(False, b"".join(m.nbss(r) for r in reversed(resps[i:i + 2])))

    for f, name, size in ((img, "image.iso", len(image)), (up, "upload.bin", 0),
                          (sparse, "sparse.bin", 0)):
        k = nxt()
        smb_batch(cv, [m.create_req(k, name)], [m.create_resp(k, f, size)])
    rq, rs = [], []
    for off in range(0, len(image), chunk):
        k = nxt()
        rq.append(m.read_req(k, img, off, chunk))
        rs.append(m.read_resp(k, image[off:off + chunk]))
    pairs(rq, rs)
    rq, rs = [], []
    for off in range(0, len(upload), chunk):
        k = nxt()
        rq.append(m.write_req(k, up, off, upload[off:off + chunk]))
        rs.append(m.write_resp(k, len(upload[off:off + chunk])))
    pairs(rq, rs)
    k = nxt()
    smb_batch(cv, [m.write_req(k, up, 5000, patch)], [m.write_resp(k, len(patch))])
    k = nxt()
    smb_batch(cv, [m.write_req(k, sparse, 100 << 20, b"x")], [m.write_resp(k, 1)])
    for f in (img, up, sparse):
        k = nxt()
        smb_batch(cv, [m.close_req(k, f)], [m.close_resp(k)])
    cv.close()
    with tempfile.TemporaryDirectory() as out:
        if run(c, "smb_large", cv.frames, out) is None:
            return
        files = {r.get("filename"): r for r in logs(out, "files.ndjson")}
        for name, data in (("image.iso", image), ("upload.bin", upload_final)):
            f = files.get(name, {})
            want = hashlib.sha256(data).hexdigest()
            c.eq((f.get("sha256"), f.get("seen_bytes"), f.get("truncated")),
                 (want, len(data), False), f"smb_large: {name} whole")
            art = os.path.join(out, "case", "artifacts", want)
            c.eq(os.path.getsize(art) if os.path.exists(art) else None, len(data),
                 f"smb_large: {name} kept")
        rows = {r["name"]: r for r in logs(out, "smb_files.ndjson")}
        c.eq([rows.get(n, {}).get("complete") for n in ("image.iso", "upload.bin", "sparse.bin")],
             [True, True, False], "smb_large: smb_files complete")
        f = files.get("sparse.bin", {})
        c.eq((f.get("sha256"), f.get("seen_bytes"), f.get("missing_bytes")),
             (None, 1, 100 << 20), "smb_large: one byte 100 MiB in: not whole, not kept")
        counts, _ = damage(out)
        c.eq({k: v for k, v in counts.items() if "smb" in k}, {"limit.smb_file_buffer": 1},
             "smb_large: only the sparse file's byte is past what is kept")
        c.eq([n for n in os.listdir(os.path.join(out, "case", "artifacts")) if n.startswith(".")],
             [], "smb_large: no scratch or partial file left")
        # --max-body 70M: the image is kept up to it (the bytes past it are
        # not written to the scratch file either), the upload (70 MiB) whole
        capped = os.path.join(out, "capped")
        rc, err = z.analyze([os.path.join(out, "smb_large.pcap")], capped, ["--max-body", "70M"])
        c.eq(rc, 0, f"smb_large --max-body: exit status ({err[:200]})")
        files = {r.get("filename"): r for r in
                 z.read_ndjson(os.path.join(capped, "logs", "files.ndjson"))}
        c.eq([(files.get(n, {}).get("sha256"), files.get(n, {}).get("seen_bytes"),
               files.get(n, {}).get("truncated_reason")) for n in ("image.iso", "upload.bin")],
             [(hashlib.sha256(image[:70 << 20]).hexdigest(), len(image), "max_body"),
              (hashlib.sha256(upload_final).hexdigest(), len(upload_final), None)],
             "smb_large --max-body 70M: the image kept up to it")


def tftp_skip(c):
    n, block = 100, 32767
    cli, srv = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    frames = []
    for i in range(n):
        t = 1700000000 + i * 1e-3
        frames.append((t, g.udp_frame(cli, srv, 1024 + i, 69, b"\x00\x01f%d\x00octet\x00" % i)))
        frames.append((t + 5e-4, g.udp_frame(srv, cli, 30000 + i, 1024 + i,
                                             b"\x00\x03" + struct.pack("!H", block) + b"x" * 512)))
    with tempfile.TemporaryDirectory() as out:
        rss = run(c, "tftp_skip", frames, out)
        if rss is None:
            return
        c.check(rss < 400, f"tftp_skip: peak resident size {rss:.0f} MB (16 MiB of zeros a "
                           f"transfer before block {block})")
        rows = [r for r in logs(out, "files.ndjson") if r.get("source") == "TFTP"]
        c.eq(len(rows), n, "tftp_skip: a files row per transfer")
        c.eq({(r.get("seen_bytes"), r.get("missing_bytes"), r.get("truncated_reason"),
               r.get("sha256") or "") for r in rows},
             {(512, (block - 1) * 512, "incomplete", "")},
             "tftp_skip: one block seen, the ones before it missing, no hash")
        conns = logs(out, "conn.ndjson")
        c.eq(sum(1 for x in conns if x.get("service") == "tftp"), 2 * n,
             "tftp_skip: a tftp connection for each request and each transfer")


def tftp_hold(c):
    n, blk = 300, 16384
    cli, srv = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])

    def frames():  # generated as written: 310 MB in this process would count in the child's RSS
        for i in range(n):
            t = 1700000000 + i * 0.1
            yield (t, g.udp_frame(cli, srv, 1024 + i, 69,
                                  b"\x00\x01f%d\x00octet\x00blksize\x00%d\x00" % (i, blk)))
            yield (t + 1e-4, g.udp_frame(srv, cli, 30000 + i, 1024 + i,
                                         b"\x00\x06blksize\x00%d\x00" % blk))
            for b in range(2, 65):
                yield (t + b * 1e-4, g.udp_frame(srv, cli, 30000 + i, 1024 + i,
                                                 b"\x00\x03" + struct.pack("!H", b) +
                                                 bytes([b]) * blk))
    with tempfile.TemporaryDirectory() as out:
        rss = run(c, "tftp_hold", frames(), out)
        if rss is None:
            return
        # 85 MB here, 323 MB without the bound for all transfers; under ASan
        # its quarantine of freed blocks (256 MB) says nothing about the bound
        c.check(rss < 200 or "asan" in z.PCAPCASE,
                f"tftp_hold: peak resident size {rss:.0f} MB (blocks held for a missing one: "
                f"1 MiB a transfer, 64 MiB in all)")
        rows = [r for r in logs(out, "files.ndjson") if r.get("source") == "TFTP"]
        c.eq(len(rows), n, "tftp_hold: a files row per transfer")
        c.eq({(r.get("seen_bytes"), r.get("missing_bytes"), r.get("truncated_reason"),
               r.get("sha256") or "") for r in rows},
             {(63 * blk, blk, "incomplete", "")},
             "tftp_hold: block 1 missing, the 63 after it counted, no hash")


def ftp_probes(c):
    channels, probes, port = 60000, 200000, 20000
    cli, srv = (g.Host(bytes([10, 0, 0, i]), bytes([2, 0, 0, 0, 0, i])) for i in (1, 2))
    others = [g.Host(bytes([10, 0, 1 + k, 3]), bytes([2, 0, 0, 0, 1 + k, 3])) for k in range(4)]
    ctl = g.TcpConversation(cli, srv, 40000, 21, 1700000000.0).handshake()
    ctl.send(False, b"220 hi\r\n")
    reply = b"227 Entering Passive Mode (10,0,0,2,%d,%d)\r\n" % (port >> 8, port & 255)
    for i in range(0, channels, 30):  # FTP_MAX_PENDING (32) commands wait at most
        k = min(30, channels - i)
        ctl.send(True, b"PASV\r\n" * k)
        ctl.send(False, reply * k)
    frames = []
    for i in range(probes):
        d = g.TcpConversation(others[i // 60000], srv, 1024 + i % 60000, port, ctl.t,
                              isn=(i * 7, 0))
        d._emit(True, g.TCP_ACK | g.TCP_PSH, b"x")
        frames += d.frames
        ctl.t += 1e-4
    ctl.close()
    frames = sorted(frames + ctl.frames, key=lambda f: f[0])
    with tempfile.TemporaryDirectory() as out:
        if run(c, "ftp_probes", frames, out) is None:
            return
        conns = logs(out, "conn.ndjson")
        c.eq(len(conns), probes + 1, "ftp_probes: a connection per probe, and the control one")
        c.eq(sum(1 for x in conns if x.get("service") == "ftp"), 1, "ftp_probes: one ftp")
        c.eq(sum(1 for x in conns if x.get("service")), 1,
             "ftp_probes: no probe taken as a data connection (another host)")
        c.eq(logs(out, "files.ndjson"), [], "ftp_probes: no file (none named)")
        counts, _ = damage(out)
        c.eq(counts.get("limit.ftp_data_channels"), None, "ftp_probes: every channel kept")


def smtp_session(port, *exchanges):
    """An SMTP conversation from 10.0.0.1 to 10.0.0.2:25: the greeting, then
    each (command, reply)."""
    cli, srv = (g.Host(bytes([10, 0, 0, i]), bytes([2, 0, 0, 0, 0, i])) for i in (1, 2))
    cv = g.TcpConversation(cli, srv, port, 25, 1700000000.0).handshake()
    cv.send(False, b"220 mx ESMTP\r\n")
    for cmd, reply in exchanges:
        cv.send(True, cmd)
        cv.send(False, reply)
    return cv


MAIL_FROM = (b"MAIL FROM:<a@example.test>\r\n", b"250 ok\r\n")


def smtp_rcpt(c):
    n, kept = 300, 256  # SMTP_MAX_RCPT
    cv = smtp_session(40000, (b"EHLO x\r\n", b"250 mx\r\n"), MAIL_FROM)
    for i in range(0, n, 50):
        cv.send(True, b"".join(b"RCPT TO:<r%d@example.test>\r\n" % (i + j) for j in range(50)))
        cv.send(False, b"250 ok\r\n" * 50)
    cv.send(True, b"DATA\r\n")
    cv.send(False, b"354 go\r\n")
    cv.send(True, b"Subject: many\r\n\r\nhello\r\n.\r\n")
    cv.send(False, b"250 queued\r\n")
    cv.close()
    with tempfile.TemporaryDirectory() as out:
        if run(c, "smtp_rcpt", cv.frames, out) is None:
            return
        rows = logs(out, "smtp.ndjson")
        c.eq([len(r.get("rcptto", [])) for r in rows], [kept], "smtp_rcpt: the recipients kept")
        c.eq(rows[0].get("rcptto", [])[-1] if rows else None, "r%d@example.test" % (kept - 1),
             "smtp_rcpt: the first ones")
        counts, at = damage(out)
        c.eq(counts.get("limit.smtp_rcpt"), n - kept, "smtp_rcpt: the others counted")
        c.eq(at.get("limit.smtp_rcpt"), [rows[0].get("first_frame") if rows else None],
             "smtp_rcpt: at the transaction's first frame")


def mime_parts(c):
    n, kept = 1030, 1024  # IMF_MAX_PARTS
    cv = smtp_session(40001, (b"EHLO x\r\n", b"250 mx\r\n"), MAIL_FROM,
                      (b"RCPT TO:<b@example.test>\r\n", b"250 ok\r\n"),
                      (b"DATA\r\n", b"354 go\r\n"))
    parts = b"".join(b"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: "
                     b"attachment; filename=\"p%d.bin\"\r\n\r\npart %d\r\n" % (i, i)
                     for i in range(n))
    msg = (b"Subject: many parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
           b"boundary=b\r\n\r\n" + parts + b"--b--\r\n")
    for i in range(0, len(msg), 8000):
        cv.send(True, msg[i:i + 8000])
    cv.send(True, b".\r\n")
    cv.send(False, b"250 queued\r\n")
    cv.close()
    with tempfile.TemporaryDirectory() as out:
        if run(c, "mime_parts", cv.frames, out) is None:
            return
        files = logs(out, "files.ndjson")
        eml = [r for r in files if not (r.get("filename") or "").startswith("p")]
        c.eq([(r.get("seen_bytes"), r.get("truncated")) for r in eml], [(len(msg), False)],
             "mime_parts: the message whole")
        c.eq(len([r for r in files if (r.get("filename") or "").startswith("p")]), kept,
             "mime_parts: the first 1,024 parts carved")
        counts, _ = damage(out)
        c.eq(counts.get("limit.mime_parts"), n - kept, "mime_parts: the others counted")


def smtp_bdat_lost(c):
    cv = smtp_session(40002, (b"EHLO x\r\n", b"250 CHUNKING\r\n"), MAIL_FROM,
                      (b"RCPT TO:<b@example.test>\r\n", b"250 ok\r\n"))
    lost_at = len(cv.frames) + 1  # the BDAT's frame
    cv.send(True, b"BDAT many LAST\r\nSubject: x\r\n\r\nhello\r\n")
    cv.send(False, b"501 syntax\r\n")
    cv.close()
    with tempfile.TemporaryDirectory() as out:
        if run(c, "smtp_bdat_lost", cv.frames, out) is None:
            return
        counts, at = damage(out)
        c.eq((counts.get("smtp.bdat_size"), at.get("smtp.bdat_size")), (1, [lost_at]),
             "smtp_bdat_lost: the client's bytes no longer followed, said where")


def smb_sessions(c):
    conns, per = 12000, 65  # one past SMB_MAX_CONN_SESSIONS (64) a connection
    t = [1700000000.0]
    cvs = [g.TcpConversation(m.CLIENT, m.SERVER, 1024 + i, 445, 0, mss=65000,
                             isn=(i * 100000, i * 77777)) for i in range(conns)]

    def at(cv):  # one clock: every connection is open while the others speak
        cv.t = t[0]
        t[0] += 1e-5
        return cv

    for cv in cvs:
        at(cv).handshake()
    for cv in cvs:  # an ECHO (command 13) in each of its sessions
        at(cv).send(True, b"".join(m.nbss(m.header(13, k, session=(cv.cport << 8) + k + 1, tree=0) +
                                          struct.pack("<HH", 4, 0)) for k in range(per)))
    for cv in cvs:
        at(cv).close()
    frames = sorted((f for cv in cvs for f in cv.frames), key=lambda f: f[0])
    del cvs
    with tempfile.TemporaryDirectory() as out:
        if run(c, "smb_sessions", frames, out) is None:
            return
        c.eq(len(logs(out, "conn.ndjson")), conns, "smb_sessions: a row per connection")
        counts, at_frames = damage(out)
        c.eq({k: v for k, v in counts.items() if "smb" in k}, {"limit.smb_tables": conns},
             "smb_sessions: each connection's 65th session not kept, counted once a connection")


def smb_pending(c):
    conns = 20000
    t = [1700000000.0]
    cvs = [g.TcpConversation(m.CLIENT, m.SERVER, 1024 + i, 445, 0, isn=(i * 1000, i * 999))
           for i in range(conns)]

    def at(cv):
        cv.t = t[0]
        t[0] += 1e-5
        return cv

    for cv in cvs:
        at(cv).handshake()
    for cv in cvs:  # a CREATE asked on each, all open at once
        at(cv).send(True, m.nbss(m.create_req(1, "missing.txt")))
    for cv in cvs:  # ... and refused: STATUS_OBJECT_NAME_NOT_FOUND
        at(cv).send(False, m.nbss(m.header(m.CREATE, 1, True, status=0xC0000034) +
                                  struct.pack("<HBBI", 9, 0, 0, 0)))
    for cv in cvs:
        at(cv).close()
    frames = sorted((f for cv in cvs for f in cv.frames), key=lambda f: f[0])
    del cvs
    with tempfile.TemporaryDirectory() as out:
        rss = run(c, "smb_pending", frames, out)
        if rss is None:
            return
        c.check(rss < 1000, f"smb_pending: peak resident size {rss:.0f} MB (1,024 request slots "
                            f"a connection would be 2.7 GB)")
        conns_rows = logs(out, "conn.ndjson")
        c.eq(len(conns_rows), conns, "smb_pending: a row per connection")
        c.eq(logs(out, "smb_files.ndjson"), [], "smb_pending: no file opened")
        counts, _ = damage(out)
        c.eq({k: v for k, v in counts.items() if "smb" in k}, {}, "smb_pending: no SMB damage")


def main():
    c = z.Checker("floods")
    smb_sparse(c)
    tftp_skip(c)
    tftp_hold(c)
    ftp_probes(c)
    smtp_rcpt(c)
    mime_parts(c)
    smtp_bdat_lost(c)
    smb_sessions(c)
    smb_pending(c)
    # last: the capture it builds (160 MB) stays in this process's memory,
    # and a child forked from it starts with that as its peak resident size
    smb_large(c)
    c.done()


if __name__ == "__main__":
    main()
