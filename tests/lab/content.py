"""Deterministic content for the lab recording: files, DNS zone, seeds.

Everything here is generated from fixed seeds so that a re-recording serves the
same bytes.  The servers serve exactly these bytes and log what they sent; the
truth file is built from those logs (see truth.py), not from this table.
"""
import gzip
import io
import random
import struct
import zipfile
import zlib

SEED = 20240607

CLIENT_IP = "10.77.0.10"
DNS_IP = "198.51.100.53"

# Name -> A record.  Names not listed answer NXDOMAIN.
ZONE_A = {
    "www.example-shop.test": "203.0.113.10",
    "update.bad-domain.test": "203.0.113.20",
    "cdn.files.test": "203.0.113.30",
    "c2.bad-domain.test": "203.0.113.66",
}
NXDOMAIN_NAMES = [
    "wpad.corp.test",
    "mail.example-shop.test",
    "telemetry.bad-domain.test",
    "backup.files.test",
    "login.example-shop.test",
]
TUNNEL_DOMAIN = "t.exfil-tunnel.test"
TUNNEL_QUERIES = 60

BEACON_COUNT = 40
BEACON_PERIOD = 2.0
BEACON_JITTER = 0.3

SCAN_PORTS = list(range(1, 201))

UPLOAD_SIZE = 3 * 1024 * 1024
LARGE_SIZE = 1536 * 1024  # compare download (server -> client, through the tbf on rc0)
COMPARE_UPLOAD_SIZE = 768 * 1024  # compare upload (client -> server, through the tbf on rs0)

BASIC_USER = "admin"
BASIC_PASSWORD = "hunter2"
HOSTILE_FILENAME = "../../etc/passwd"


def html_page():
    rows = "\n".join(
        f'    <li><a href="/product/{i}">Product {i}</a> - {i * 7 % 100}.99 EUR</li>'
        for i in range(1, 41)
    )
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n  <meta charset=\"utf-8\">\n"
        "  <title>Example Shop</title>\n  <script src=\"/static/app.js\"></script>\n"
        "</head>\n<body>\n  <h1>Example Shop</h1>\n  <img src=\"/images/logo.png\" alt=\"logo\">\n"
        f"  <ul>\n{rows}\n  </ul>\n  <a href=\"/docs/invoice.pdf\">Invoice</a>\n"
        "</body>\n</html>\n"
    ).encode()


def js_file():
    lines = ["// example-shop app.js (lab fixture)", "'use strict';"]
    for i in range(200):
        lines.append(
            f"function handler{i}(ev) {{ var el = document.getElementById('item{i}'); "
            f"if (el) {{ el.textContent = 'item {i}: ' + ev.type; }} return {i}; }}"
        )
    lines.append("window.addEventListener('load', function () { handler0({type: 'load'}); });")
    return ("\n".join(lines) + "\n").encode()


def png_file(w=64, h=48):
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            raw += bytes(((x * 4) & 255, (y * 5) & 255, ((x + y) * 3) & 255))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def pdf_file():
    text = b"BT /F1 18 Tf 72 720 Td (Invoice 2024-0042 - Example Shop) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def zip_file():
    buf = io.BytesIO()
    rnd = random.Random(SEED + 1)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [
            ("readme.txt", b"Bundle of lab files.\n" * 20),
            ("data/records.csv", "".join(f"{i},{rnd.randrange(10**6)}\n" for i in range(2000)).encode()),
            ("bin/blob.bin", rnd.randbytes(20000)),
        ]:
            zi = zipfile.ZipInfo(name, date_time=(2024, 6, 7, 12, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


def passwd_file():
    return (b"root:x:0:0:root:/root:/bin/bash\n"
            b"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
            b"www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
            b"backdoor:x:0:0::/root:/bin/sh\n")


def admin_page():
    return b"<!DOCTYPE html>\n<html><body><h1>Admin panel</h1><p>Welcome, admin.</p></body></html>\n"


def beacon_body():
    return b'{"task":"sleep","interval":2}\n'


def upload_body():
    return random.Random(SEED + 2).randbytes(UPLOAD_SIZE)


def large_body():
    return random.Random(SEED + 3).randbytes(LARGE_SIZE)


def compare_upload_body():
    return random.Random(SEED + 6).randbytes(COMPARE_UPLOAD_SIZE)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


# (host, path) -> dict(body, ctype, encoding: None|'gzip', chunked, disposition, auth)
def site():
    return {
        ("www.example-shop.test", "/index.html"): dict(body=html_page(), ctype="text/html; charset=utf-8"),
        ("www.example-shop.test", "/static/app.js"): dict(body=js_file(), ctype="application/javascript", encoding="gzip"),
        ("www.example-shop.test", "/images/logo.png"): dict(body=png_file(), ctype="image/png"),
        ("www.example-shop.test", "/docs/invoice.pdf"): dict(body=pdf_file(), ctype="application/pdf"),
        ("www.example-shop.test", "/admin/"): dict(body=admin_page(), ctype="text/html; charset=utf-8", auth=True),
        ("cdn.files.test", "/files/bundle.zip"): dict(body=zip_file(), ctype="application/zip", chunked=True),
        ("cdn.files.test", "/download/passwd"): dict(body=passwd_file(), ctype="application/octet-stream",
                                                   disposition=f'attachment; filename="{HOSTILE_FILENAME}"'),
        ("cdn.files.test", "/files/large.bin"): dict(body=large_body(), ctype="application/octet-stream"),
        ("c2.bad-domain.test", "/beacon"): dict(body=beacon_body(), ctype="application/json"),
        ("update.bad-domain.test", "/"): dict(body=b"<html><body>update server</body></html>\n", ctype="text/html"),
    }


def beacon_schedule():
    """Intervals between beacon starts: 2.0 s +- 0.3 s uniform, seeded."""
    rnd = random.Random(SEED + 4)
    return [round(BEACON_PERIOD + rnd.uniform(-BEACON_JITTER, BEACON_JITTER), 3) for _ in range(BEACON_COUNT - 1)]


def tunnel_labels():
    rnd = random.Random(SEED + 5)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return ["".join(rnd.choice(alphabet) for _ in range(40)) for _ in range(TUNNEL_QUERIES)]
