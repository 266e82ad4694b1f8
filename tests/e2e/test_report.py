"""The reports: the workbook reads back with the logs' row counts and values,
and hostile strings from the traffic never script the HTML report.

A capture is built with `<script>`, quotes, `</script>`, control characters
and a formula-looking value in an HTTP User-Agent and URI, a DNS name, a TLS
SNI and a certificate's subject, issuer and SAN;
the HTML is loaded in headless Chromium, which must show them as text (the
payloads would change document.title or add elements if they ran).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
PAYLOAD = "<script>document.title='PWNED'</script>\"'<img src=x onerror=\"document.title='PWNED'\">"
FORMULA = "=HYPERLINK(\"http://evil.test\",\"click\")"


def hostile_capture(path):
    cli, srv, dns = b"\x0a\x00\x00\x05", b"\xcb\x00\x71\x07", b"\xc6\x33\x64\x35"
    ua = (PAYLOAD + "\x01\x7f" + FORMULA).encode()
    req = (b"GET /x?q=" + PAYLOAD.replace(" ", "%20").encode() + b"</script> HTTP/1.1\r\n"
           b"Host: evil.test\r\nUser-Agent: " + ua + b"\r\n\r\n")
    body = b"<html>hello</html>"
    resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)
    frames = pcapgen.tcp_session(cli, srv, 40000, 80, req, resp, 1700000000.0)
    q = pcapgen.dns_query(7, [b"<script>alert(1)</script>", b"evil", b"test"])
    frames.append((1700000001.0, pcapgen.udp_frame(cli, dns, 5353, 53, q)))
    cert = pcapgen.der_certificate((PAYLOAD + "\x01").encode(), b"</script><b>org</b>",
                                   [b"<img src=x onerror=alert(1)>.evil.test"])
    frames += pcapgen.tcp_session(cli, srv, 40001, 443,
                                  pcapgen.tls_client_hello(b"<script>sni</script>.evil.test"),
                                  pcapgen.tls_server_flight(cert), 1700000002.0)
    pcapgen.write_pcap(path, frames)


def sheet_rows(xlsx):
    """{sheet name: [[cell values]]} with shared strings resolved."""
    zf = zipfile.ZipFile(xlsx)
    shared = []
    if "xl/sharedStrings.xml" in zf.namelist():
        for si in ET.fromstring(zf.read("xl/sharedStrings.xml")).findall("m:si", NS):
            text = "".join(t.text or "" for t in si.iter("{%s}t" % NS["m"]))
            # OOXML escapes control characters as _xHHHH_
            shared.append(re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text))
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for s in wb.find("m:sheets", NS):
        rid = s.get("{%s}id" % NS["r"])
        root = ET.fromstring(zf.read("xl/" + target[rid]))
        rows = []
        for row in root.iter("{%s}row" % NS["m"]):
            vals = []
            for c in row.findall("m:c", NS):
                col = len(vals) + 1  # a cell without a reference is the next one
                if c.get("r") is not None:
                    col = 0
                    for ch in re.match(r"[A-Z]+", c.get("r")).group(0):
                        col = col * 26 + ord(ch) - 64
                while len(vals) < col - 1:
                    vals.append(None)
                v = c.find("m:v", NS)
                f = c.find("m:f", NS)
                t = c.get("t")
                if f is not None:
                    vals.append(("formula", f.text))
                elif t == "inlineStr":
                    text = "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
                    vals.append(re.sub(r"_x([0-9A-Fa-f]{4})_",
                                       lambda m: chr(int(m.group(1), 16)), text))
                elif v is None:
                    vals.append(None)
                elif t == "s":
                    vals.append(shared[int(v.text)])
                elif t == "b":
                    vals.append(v.text == "1")
                else:
                    vals.append(float(v.text))
            rows.append(vals)
        out[s.get("name")] = rows
    return out


def workbook(c, out):
    sheets = sheet_rows(os.path.join(out, "report.xlsx"))
    for log, sheet in (("conn", "Connections"), ("dns", "DNS"), ("http", "HTTP"),
                       ("files", "Files"), ("hosts", "Hosts"), ("findings", "Findings")):
        n = len(z.read_ndjson(os.path.join(out, "logs", log + ".ndjson")))
        c.eq(len(sheets.get(sheet, [])) - 1, n, f"{sheet} sheet rows vs {log}.ndjson")
    c.check("Summary" in sheets and "Charts" in sheets, "summary and charts sheets")
    http = z.read_ndjson(os.path.join(out, "logs", "http.ndjson"))
    hdr = sheets["HTTP"][0]
    row = sheets["HTTP"][1]
    ua = row[hdr.index("user_agent")]
    c.eq(ua, http[0]["user_agent"], "User-Agent read back unchanged")
    c.check(not any(isinstance(v, tuple) for r in sheets["HTTP"] for v in r),
            "no formula cell anywhere in the HTTP sheet")
    c.eq(row[hdr.index("response_body_len")], float(http[0]["response_body_len"]),
         "numbers stored as numbers")
    conn_hdr = sheets["Connections"][0]
    c.check(isinstance(sheets["Connections"][1][conn_hdr.index("ts")], float),
            "times stored as Excel date-times")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def html(c, out):
    page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    c.check("<script>document.title" not in page, "payload not present raw in the HTML")
    c.check(not re.search(r"<(img|script)[^>]*(src=x|alert)", page), "no element from the traffic")
    # the evidence table's SHA-256 breaks only in its middle (report.css)
    sha = json.load(open(os.path.join(out, "case.json")))["evidence"][0]["sha256"]
    c.check(f'<td data-col="sha256">{sha[:32]}<wbr>{sha[32:]}</td>' in page,
            "evidence SHA-256 in two even halves at most")
    browser = chromium()
    if not browser:
        print("SKIP headless check: no chromium on this machine (./setup.sh test installs it)")
        return
    prof = tempfile.mkdtemp()
    r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", f"--user-data-dir={prof}",
                        "--virtual-time-budget=3000", "--dump-dom",
                        "file://" + os.path.join(out, "report.html")],
                       capture_output=True, text=True, timeout=120)
    shutil.rmtree(prof, ignore_errors=True)
    dom = r.stdout
    c.check(len(dom) > 1000, "Chromium rendered the report")
    files = z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))
    f = files[0]["sha256"] if files else ""
    c.check(f and f'data-col="sha256">{f[:32]}<wbr>{f[32:]}</td>' in dom,
            "carved file's SHA-256 in the table in two even halves at most")
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    c.check(title and "PWNED" not in title.group(1), "no script from the traffic ran")
    c.check("&lt;script&gt;document.title" in dom, "the payload is shown as text in the tables")
    c.check("<img src=\"x\"" not in dom and "<img src=x" not in dom, "no element injected")
    c.check("&lt;script&gt;sni&lt;/script&gt;.evil.test" in dom, "the SNI is shown as text")
    c.check("&lt;img src=x onerror=alert(1)&gt;.evil.test" in dom,
            "the certificate SAN is shown as text")
    c.check("\\&lt;/script\\&gt;\\&lt;b\\&gt;org" in dom, "the certificate subject is shown as text")
    c.check("<b>org</b>" not in dom, "no markup from the certificate")


def main():
    c = z.Checker("report")
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "hostile.pcap")
        hostile_capture(p)
        out = os.path.join(d, "case")
        rc, err = z.analyze([p], out)
        c.eq(rc, 0, f"analyze exit status ({err.strip()})")
        http = z.read_ndjson(os.path.join(out, "logs", "http.ndjson"))
        c.check(http and PAYLOAD in http[0]["user_agent"], "payload reached the logs intact")
        x509 = z.read_ndjson(os.path.join(out, "logs", "x509.ndjson"))
        c.eq(len(x509), 1, "the certificate was parsed")
        c.check(x509 and x509[0].get("certificate.cn") == PAYLOAD + "\x01",
                "certificate common name reached the logs intact")
        c.check(x509 and "O=\\</script\\>\\<b\\>org" in x509[0].get("certificate.subject", ""),
                "certificate subject logged in RFC 2253 form (as Zeek does)")
        ssl = z.read_ndjson(os.path.join(out, "logs", "ssl.ndjson"))
        c.check(ssl and ssl[0].get("server_name") == "<script>sni</script>.evil.test",
                "SNI payload reached the logs intact")
        workbook(c, out)
        html(c, out)
        out2 = os.path.join(d, "case2")
        z.analyze([p], out2)
        for s in ("Connections", "HTTP", "DNS", "Findings"):
            c.eq(sheet_rows(os.path.join(out, "report.xlsx"))[s],
                 sheet_rows(os.path.join(out2, "report.xlsx"))[s], f"{s}: same workbook data twice")
    c.done()


if __name__ == "__main__":
    main()
