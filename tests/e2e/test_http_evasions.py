"""HTTP as browsers read it (issue 24): one built capture per evasion class,
each delivering the same file; the test checks that the file is carved with
its SHA-256, and that the oddity is on the http row as a weird.  The classes
and what pcapcase does with each are listed in docs/http-evasions.md, which
this test keeps honest (every class there is built here and vice versa).

Also the content codings (br, zstd, stacks) and bodies whose decoding fails:
the bytes as sent are kept as their own artifact, the row says what failed
and where, and no body with bytes on the wire ends without a row."""
import base64
import gzip
import hashlib
import json
import os
import re
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

CLI = bytes([10, 0, 0, 7])
SRV = bytes([203, 0, 113, 80])
DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "http-evasions.md")

# The delivered file: a DOS header and text (what a dropper looks like to a sniffer).
PAYLOAD = b"MZ\x90\x00\x03\x00\x00\x00" + b"".join(
    b"%05d evasive delivery: the file a browser saves\n" % i for i in range(120))
SHA = hashlib.sha256(PAYLOAD).hexdigest()
# PAYLOAD as `brotli -q 11` and `zstd -19` wrote it (no encoder needed here).
PAYLOAD_BR = base64.b64decode(
    "0fi3AOVIsHGKey6LZxyh0nVy37KMzoEHkh0OcSTp4JA0wPY6aTcHggI7zyyS4TGEPPGAAqwQr9x8UlfPI2DwLdPLBewaTZ50"
    "EeYTn/wKT0lFTUOHLj35KZqCkoqahg5devJTNgUlFTUNHbr05KdqCkoqaho6dOnJT90UlFTUNHTo0pOfpikoqahp6NClJz+d"
    "pqCkoqahQ5ee/HSbgpKKmoYOXXry02sKSipqGjp06clPvykoqahp6NClB38puikoqahp6NClJz9FU1BSUdPQoUuPPQ==")
PAYLOAD_ZSTD = base64.b64decode(
    "KLUv/WQAFu0HAIZRLRqAS9oz4KAlnNhY8WCoyToosru798PdOBiGFjAAIQAjAGn02Vwm37YDylkKimkc5cFoGEzBnIUCYU7C"
    "YQSQxlkUi3MwZ1EoheUYJ0kCSCKEQZaGdmZWRnbbllYW1pVVFdVdq4lnRTft9Xn83V6n//5aHWpaSnrrpmYm5qVlJeWdi4qJ"
    "iIeGhYQ37unl4d3Z1dHdt6YBe30ef7fX6b+/VqfRZ3OZfNvf1c3FvbWtpf16V1VTUS94qBGQ8Hb23+A3AxJAEPj//xH8AQGB"
    "AAkAsOByCAAIAZATAABIBACYAQCABAABEgIAzAhCCCGEUAAAQAAA0FxAOxVgqQG5g8l9")


def gz(b):
    return gzip.compress(b, mtime=0)


def raw_deflate(b):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(b) + c.flush()


def chunks(body, size_line=lambda n: b"%x\r\n" % n, step=1000):
    out = b""
    for i in range(0, len(body), step):
        part = body[i:i + step]
        out += size_line(len(part)) + part + b"\r\n"
    return out + size_line(0) + b"\r\n"


def resp(head, body, status=b"HTTP/1.1 200 OK"):
    return status + b"\r\n" + head + b"\r\n" + body


CL = b"Content-Length: %d\r\n" % len(PAYLOAD)
ZCL = b"Content-Length: %d\r\n"

# class -> (response bytes, the weird expected on the row or None)
CASES = {
    # content codings
    "ce-gzip": (resp(b"Content-Encoding: gzip\r\n" + ZCL % len(gz(PAYLOAD)), gz(PAYLOAD)), None),
    "ce-br": (resp(b"Content-Encoding: br\r\n" + ZCL % len(PAYLOAD_BR), PAYLOAD_BR), None),
    "ce-zstd": (resp(b"Content-Encoding: zstd\r\n" + ZCL % len(PAYLOAD_ZSTD), PAYLOAD_ZSTD), None),
    "ce-gzip-gzip": (resp(b"Content-Encoding: gzip, gzip\r\n" + ZCL % len(gz(gz(PAYLOAD))),
                          gz(gz(PAYLOAD))), None),
    "ce-two-header-lines": (resp(b"Content-Encoding: br\r\nContent-Encoding: gzip\r\n"
                                 + ZCL % len(gz(PAYLOAD_BR)), gz(PAYLOAD_BR)), None),
    "ce-deflate-zlib": (resp(b"Content-Encoding: deflate\r\n" + ZCL % len(zlib.compress(PAYLOAD)),
                             zlib.compress(PAYLOAD)), None),
    "ce-deflate-raw": (resp(b"Content-Encoding: deflate\r\n" + ZCL % len(raw_deflate(PAYLOAD)),
                            raw_deflate(PAYLOAD)), None),
    "ce-odd-case-padding": (resp(b"Content-Encoding:   GZip  \r\n" + ZCL % len(gz(PAYLOAD)),
                                 gz(PAYLOAD)), None),
    "ce-unknown": (resp(b"Content-Encoding: x-evader\r\n" + CL, PAYLOAD), None),
    "ce-mislabelled-gzip": (resp(b"Content-Encoding: gzip\r\n" + CL, PAYLOAD), None),
    "ce-folded": (resp(b"Content-Encoding:\r\n gzip\r\n" + ZCL % len(gz(PAYLOAD)), gz(PAYLOAD)),
                  "folded_header"),
    # header folding in the framing headers
    "te-folded": (resp(b"Transfer-Encoding:\r\n chunked\r\n", chunks(PAYLOAD)), "folded_header"),
    "te-folded-tab": (resp(b"Transfer-Encoding: \r\n\tchunked\r\n", chunks(PAYLOAD)),
                      "folded_header"),
    "cl-folded": (resp(b"Content-Length:\r\n %d\r\n" % len(PAYLOAD), PAYLOAD), "folded_header"),
    # Transfer-Encoding values and their company
    "te-http10": (resp(b"Transfer-Encoding: chunked\r\n", chunks(PAYLOAD),
                       status=b"HTTP/1.0 200 OK"), "chunked_on_http10"),
    "te-upper-case": (resp(b"Transfer-Encoding: CHUNKED\r\n", chunks(PAYLOAD)),
                      "odd_transfer_encoding"),
    "te-padding": (resp(b"Transfer-Encoding:   chunked   \r\n", chunks(PAYLOAD)), None),
    "te-several-tokens": (resp(b"Transfer-Encoding: identity, chunked\r\n", chunks(PAYLOAD)),
                          "odd_transfer_encoding"),
    "te-two-header-lines": (resp(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n",
                                 chunks(PAYLOAD)), "odd_transfer_encoding"),
    "te-and-cl": (resp(b"Content-Length: 17\r\nTransfer-Encoding: chunked\r\n", chunks(PAYLOAD)),
                  "chunked_and_content_length"),
    "cl-duplicate": (resp(CL + CL, PAYLOAD), "duplicate_content_length"),
    "cl-conflicting": (resp(CL + b"Content-Length: 88\r\n", PAYLOAD),
                       "conflicting_content_length"),
    # chunk-size lines
    "chunk-trailing-space": (resp(b"Transfer-Encoding: chunked\r\n",
                                  chunks(PAYLOAD, lambda n: b"%x  \r\n" % n)),
                             "chunk_size_trailing_space"),
    "chunk-trailing-tab": (resp(b"Transfer-Encoding: chunked\r\n",
                                chunks(PAYLOAD, lambda n: b"%x\t\r\n" % n)),
                           "chunk_size_trailing_space"),
    "chunk-vt": (resp(b"Transfer-Encoding: chunked\r\n",
                      chunks(PAYLOAD, lambda n: b"%x\x0b\r\n" % n)), "chunk_size_odd_space"),
    "chunk-ff": (resp(b"Transfer-Encoding: chunked\r\n",
                      chunks(PAYLOAD, lambda n: b"%x\x0c\r\n" % n)), "chunk_size_odd_space"),
    "chunk-cr-before-crlf": (resp(b"Transfer-Encoding: chunked\r\n",
                                  chunks(PAYLOAD, lambda n: b"%x\r\r\n" % n)), None),
    "chunk-bare-lf": (resp(b"Transfer-Encoding: chunked\r\n",
                           chunks(PAYLOAD, lambda n: b"%x\n" % n)), None),
    "chunk-leading-zeros": (resp(b"Transfer-Encoding: chunked\r\n",
                                 chunks(PAYLOAD, lambda n: b"0000%x\r\n" % n)), None),
    "chunk-leading-space": (resp(b"Transfer-Encoding: chunked\r\n",
                                 chunks(PAYLOAD, lambda n: b" %x\r\n" % n)),
                            "chunk_size_leading_space"),
    "chunk-extension": (resp(b"Transfer-Encoding: chunked\r\n",
                             chunks(PAYLOAD, lambda n: b"%x;name=\"v;x\"\r\n" % n)), None),
    "chunk-upper-hex": (resp(b"Transfer-Encoding: chunked\r\n",
                             chunks(PAYLOAD, lambda n: b"%X\r\n" % n)), None),
    # status and header lines
    "status-tab": (resp(CL, PAYLOAD, status=b"HTTP/1.1\t200 OK"), "odd_status_line_separator"),
    "status-double-space": (resp(CL, PAYLOAD, status=b"HTTP/1.1  200  OK"),
                            "odd_status_line_separator"),
    "status-no-reason": (resp(CL, PAYLOAD, status=b"HTTP/1.1 200"), None),
    "status-no-code": (resp(CL, PAYLOAD, status=b"HTTP/1.1"), "missing_status_code"),
    "header-space-before-colon": (resp(b"Content-Length : %d\r\n" % len(PAYLOAD), PAYLOAD),
                                  "blank_before_colon"),
    "header-bare-lf": (b"HTTP/1.1 200 OK\nContent-Length: %d\n\n" % len(PAYLOAD) + PAYLOAD, None),
}


def build(path, response, port):
    req = b"GET /dl/invoice.exe HTTP/1.1\r\nHost: evader.example\r\n\r\n"
    frames = pcapgen.tcp_session(CLI, SRV, port, 80, req, response, 1700000000.0, mss=1400)
    pcapgen.write_pcap(path, frames)


def rows(out, log):
    p = os.path.join(out, "logs", log)
    return [json.loads(line) for line in open(p)] if os.path.exists(p) else []


def carved(c, name, response, want_weird, d):
    pcap = os.path.join(d, name + ".pcap")
    build(pcap, response, 40000 + len(name))
    out = os.path.join(d, name)
    rc, err = z.analyze([pcap], out)
    c.check(rc == 0, f"{name}: exit {rc}: {err}")
    c.check(os.path.exists(os.path.join(out, "artifacts", SHA)), f"{name}: the file is carved")
    http = rows(out, "http.ndjson")
    c.eq(len(http), 1, f"{name}: one http row")
    if http:
        c.eq(http[0].get("weird"), want_weird, f"{name}: weird")
    files = rows(out, "files.ndjson")
    c.check(any(f.get("sha256") == SHA for f in files), f"{name}: files row with the SHA-256")


def noise(n):
    """n bytes that do not compress (deterministic)."""
    out, h = b"", b"seed"
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return out[:n]


def decoding_fails(c, d):
    """The issue's case: Content-Length 88, a doubly gzip'd body with altered
    bytes.  Altered first bytes: not gzip at all, kept as sent with a note.
    Altered inside the compressed data: the bytes as sent are kept as their
    own artifact and the row says what failed and where."""
    good = gz(gz(noise(46)))
    c.eq(len(good), 88, "decode-fails: the built body is 88 bytes")
    for label, at, reason, offset in (("first-bytes", 0, None, None),
                                      ("inside", 40, "gzip_corrupt", 88)):
        body = bytearray(good)
        body[at:at + 4] = b"\x00\x11\x22\x33"
        body = bytes(body)
        name = "decode-fails-" + label
        response = resp(b"Content-Encoding: gzip, gzip\r\nContent-Length: 88\r\n", body)
        pcap = os.path.join(d, name + ".pcap")
        build(pcap, response, 41000 + at)
        out = os.path.join(d, name)
        rc, err = z.analyze([pcap], out)
        c.check(rc == 0, f"{name}: exit {rc}: {err}")
        files = rows(out, "files.ndjson")
        c.eq(len(files), 1, f"{name}: a files row")
        wire = hashlib.sha256(body).hexdigest()
        if not files:
            continue
        f = files[0]
        c.eq(f.get("encoded_sha256"), wire, f"{name}: the hash of the bytes as sent")
        c.eq(f.get("truncated_reason"), reason, f"{name}: what failed")
        where = f.get("decode_error_offset")
        c.check(where == offset if offset is None else at < where <= offset,
                f"{name}: where: {where}")
        kept = f.get("encoded_extracted") or f.get("extracted")
        c.eq(kept, "artifacts/" + wire, f"{name}: the bytes as sent are an artifact")
        path = os.path.join(out, kept or "-")
        c.check(os.path.exists(path) and
                hashlib.sha256(open(path, "rb").read()).hexdigest() == wire,
                f"{name}: the artifact holds the bytes as sent")
        if reason is None:
            c.eq(f.get("decoding_note"), "not_gzip", f"{name}: noted")
    # part-way: a good gzip stream cut in the middle; what decoded is kept too
    whole = gz(PAYLOAD)
    cut = whole[:len(whole) // 2]
    response = resp(b"Content-Encoding: gzip\r\nContent-Length: %d\r\n" % len(whole), cut)
    pcap = os.path.join(d, "decode-partial.pcap")
    build(pcap, response, 41001)
    out = os.path.join(d, "decode-partial")
    rc, err = z.analyze([pcap], out)
    files = rows(out, "files.ndjson")
    c.eq(len(files), 1, "decode-partial: one files row")
    if files:
        f = files[0]
        c.eq(f.get("truncated"), True, "decode-partial: truncated")
        # neither is the whole file: the names say so
        c.eq(f.get("encoded_extracted"),
             "artifacts/" + hashlib.sha256(cut).hexdigest() + ".partial",
             "decode-partial: the bytes as sent kept, as a part")
        c.check(f.get("extracted", "").endswith(".partial"),
                "decode-partial: the decoded prefix named as a part")
        c.check(0 < f.get("seen_bytes", 0) < len(PAYLOAD), "decode-partial: a decoded prefix")
        c.check(PAYLOAD.startswith(open(os.path.join(out, f["extracted"]), "rb").read()),
                "decode-partial: the decoded prefix is the file's start")


def gap_ranges(c, d):
    """A hole in an identity body: listed as a missing range of the body."""
    req = b"GET /dl/invoice.exe HTTP/1.1\r\nHost: evader.example\r\n\r\n"
    response = resp(CL, PAYLOAD)
    frames = pcapgen.tcp_session(CLI, SRV, 41002, 80, req, response, 1700000000.0, mss=1000)
    # drop the response's third segment (body bytes 1000-head..2000-head)
    seg = [i for i, (_, fr) in enumerate(frames) if len(fr) > 54 + 10 and fr[26:30] == SRV]
    del frames[seg[2]]
    pcap = os.path.join(d, "gap.pcap")
    pcapgen.write_pcap(pcap, frames)
    out = os.path.join(d, "gap")
    z.analyze([pcap], out)
    files = rows(out, "files.ndjson")
    c.eq(len(files), 1, "gap: one files row")
    if files:
        head = len(response) - len(PAYLOAD)
        c.eq(files[0].get("missing_ranges"), [{"start": 2000 - head, "end": 3000 - head}],
             "gap: the missing range, in body offsets")
        c.eq(files[0].get("missing_bytes"), 1000, "gap: missing bytes")
        c.eq(files[0].get("truncated"), True, "gap: truncated")
        c.eq(files[0].get("extracted"), "artifacts/%s.partial" % files[0].get("sha256"),
             "gap: not stored under a name that claims the whole file")


def doc_in_step(c):
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", open(DOC).read(), re.M))
    c.eq(sorted(listed ^ set(CASES)), [], "docs/http-evasions.md lists exactly the built classes")


def main():
    c = z.Checker("http_evasions")
    only = sys.argv[1:]
    with tempfile.TemporaryDirectory() as d:
        for name, (response, weird) in CASES.items():
            if not only or name in only:
                carved(c, name, response, weird, d)
        if not only:
            decoding_fails(c, d)
            gap_ranges(c, d)
    if not only:
        doc_in_step(c)
    c.done()


if __name__ == "__main__":
    main()
