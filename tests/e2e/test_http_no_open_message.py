"""A gap (or more data) in an HTTP request body after the server has already
answered (issue 24.6).  The answer completes the transaction; the request
direction is then inside a body that belongs to no open message, and a gap
there dereferenced a NULL message: analyze died with a segmentation fault on
such a carved-out stream.  Built here: an upload answered early with 413,
the rest of its body with a hole in it (and, on a second connection, without
one), then a second request on the same connection that must still be found
and carved."""
import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

CLI = bytes([10, 9, 0, 5])
SRV = bytes([198, 51, 100, 8])
UPLOAD = bytes(range(256)) * 20  # 5120 bytes declared, 1000 sent before the answer
NEXT_BODY = b"second answer, still framed\n"


def early_answer(cport, t0, gap):
    req = b"POST /upload HTTP/1.1\r\nHost: up.example\r\nContent-Length: %d\r\n\r\n" % len(UPLOAD)
    resp = b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n"
    nxt = b"GET /next HTTP/1.1\r\nHost: up.example\r\n\r\n"
    resp2 = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(NEXT_BODY) + NEXT_BODY
    c, s = 1000, 5000
    f = [(t0, pcapgen.tcp_frame(CLI, SRV, cport, 80, c, 0x02)),
         (t0 + .001, pcapgen.tcp_frame(SRV, CLI, 80, cport, s, 0x12, ack=c + 1)),
         (t0 + .002, pcapgen.tcp_frame(CLI, SRV, cport, 80, c + 1, 0x10, ack=s + 1))]
    seq, sseq = c + 1, s + 1
    first = req + UPLOAD[:1000]
    f.append((t0 + .003, pcapgen.tcp_frame(CLI, SRV, cport, 80, seq, 0x18, first, ack=sseq)))
    seq += len(first)
    f.append((t0 + .004, pcapgen.tcp_frame(SRV, CLI, 80, cport, sseq, 0x18, resp, ack=seq)))
    sseq += len(resp)
    rest = UPLOAD[1000:]
    if gap:  # 1000 bytes of the body are not in the capture
        seq += 1000
        rest = rest[1000:]
    f.append((t0 + .005, pcapgen.tcp_frame(CLI, SRV, cport, 80, seq, 0x18, rest, ack=sseq)))
    seq += len(rest)
    # the server acknowledges past the hole: the missing bytes are given up
    f.append((t0 + .006, pcapgen.tcp_frame(SRV, CLI, 80, cport, sseq, 0x10, ack=seq)))
    f.append((t0 + .007, pcapgen.tcp_frame(CLI, SRV, cport, 80, seq, 0x18, nxt, ack=sseq)))
    seq += len(nxt)
    f.append((t0 + .008, pcapgen.tcp_frame(SRV, CLI, 80, cport, sseq, 0x18, resp2, ack=seq)))
    sseq += len(resp2)
    f += [(t0 + .009, pcapgen.tcp_frame(CLI, SRV, cport, 80, seq, 0x11, ack=sseq)),
          (t0 + .010, pcapgen.tcp_frame(SRV, CLI, 80, cport, sseq, 0x11, ack=seq + 1)),
          (t0 + .011, pcapgen.tcp_frame(CLI, SRV, cport, 80, seq + 1, 0x10, ack=sseq + 1))]
    return f


def main():
    c = z.Checker("http_no_open_message")
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "early-answer.pcap")
        pcapgen.write_pcap(p, early_answer(42000, 1700000000.0, True) +
                           early_answer(42001, 1700000001.0, False))
        out = os.path.join(d, "case")
        rc, err = z.analyze([p], out)
        c.eq(rc, 0, f"exit status ({err.strip()})")
        rows = z.read_ndjson(os.path.join(out, "logs", "http.ndjson"))
        got = sorted((r["id.orig_p"], r.get("method") or "", r.get("uri") or "",
                      r.get("status_code"), r.get("request_body_len"), r.get("response_body_len"))
                     for r in rows)
        c.eq(got, [(42000, "GET", "/next", 200, 0, len(NEXT_BODY)),
                   (42000, "POST", "/upload", 413, 1000, 0),
                   (42001, "GET", "/next", 200, 0, len(NEXT_BODY)),
                   (42001, "POST", "/upload", 413, 1000, 0)],
             "both requests on each connection, the second found after the orphaned body")
        files = z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))
        want = hashlib.sha256(NEXT_BODY).hexdigest()
        c.eq(sum(1 for f in files if f.get("sha256") == want), 2, "the second answer carved twice")
        c.check(os.path.exists(os.path.join(out, "artifacts", want)), "its artifact is there")
    c.done()


if __name__ == "__main__":
    main()
