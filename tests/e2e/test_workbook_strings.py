"""The workbook writer (src/report/xlsx_book.c) keeps odd strings: every cell of every log
sheet shows its NDJSON value, and every part of the archive is well-formed XML.

A capture is built whose HTTP request carries what XML and Excel treat specially: control
characters (written as _xHHHH_), text that itself reads as such an escape ("_x0041_",
which a reader would turn into "A" unless its underscore is escaped), leading and trailing
spaces, &, <, >, quotes, a formula; its DNS query names carry control characters too.
With the corpus (../shared/corpus), Zeek's HTTP and DNS traces are analysed as one case
and compared the same way.  When LibreOffice is installed, it must open the workbook
(converted to CSV, the User-Agent read back); without it that part is skipped.
"""
import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402
from test_report import sheet_rows  # noqa: E402
from test_report_values import SHEETS, compare_sheet  # noqa: E402

UA = "  lead\x01ing _x0041_ & <b>\"q'\x1f\x7f =1+1 trail\t "
URI = "/a_x005F_b?q=%01&x=<y>"


def odd_capture(path):
    cli, srv, dns = b"\x0a\x00\x00\x07", b"\xcb\x00\x71\x08", b"\xc6\x33\x64\x36"
    req = (b"GET " + URI.encode() + b" HTTP/1.1\r\nHost: odd.test\r\nUser-Agent: " +
           UA.encode() + b"\r\n\r\n")
    body = b"<html>odd</html>"
    resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)
    frames = pcapgen.tcp_session(cli, srv, 40100, 80, req, resp, 1700000100.0)
    q = pcapgen.dns_query(9, [b" a\x01b_x0041_", b"c&d ", b"test "])
    frames.append((1700000101.0, pcapgen.udp_frame(cli, dns, 5354, 53, q)))
    pcapgen.write_pcap(path, frames)


def parts_parse(c, xlsx, what):
    bad = []
    with zipfile.ZipFile(xlsx) as zf:
        c.eq(zf.testzip(), None, f"{what}: every entry's CRC")
        for name in zf.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                try:
                    ET.fromstring(zf.read(name))
                except ET.ParseError as e:
                    bad.append(f"{name}: {e}")
    c.eq(bad, [], f"{what}: every part is well-formed XML")


def all_sheets(c, out, what):
    xlsx = os.path.join(out, "report.xlsx")
    parts_parse(c, xlsx, what)
    sheets = sheet_rows(xlsx)
    checked = 0
    for log, sheet in SHEETS:
        if os.path.exists(os.path.join(out, "logs", log + ".ndjson")):
            checked += compare_sheet(c, out, sheets, log, sheet)
    c.check(not any(isinstance(v, tuple) for rows in sheets.values() for r in rows for v in r),
            f"{what}: no formula cell anywhere")
    return sheets, checked


def libreoffice(c, xlsx, d):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        c.skip("LibreOffice opens the workbook", "LibreOffice is not installed")
        return
    # every sheet to its own CSV file (the filter's last option, -1), UTF-8 (76)
    r = subprocess.run([office, "--headless", "--convert-to",
                        'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,'
                        'false,-1', "--outdir", d, xlsx],
                       capture_output=True, text=True, timeout=300)
    got = os.path.join(d, "report-HTTP.csv")
    c.check(os.path.exists(got), f"LibreOffice converted the workbook ({r.stderr.strip()[:200]})")
    if not os.path.exists(got):
        return
    with open(got, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    ua = rows[1][rows[0].index("user_agent")]
    c.eq(ua, UA.strip(), "LibreOffice reads the User-Agent back unchanged")


def main():
    c = z.Checker("workbook_strings")
    os.environ["SOURCE_DATE_EPOCH"] = "1795402995"
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, "odd.pcap")
        odd_capture(pcap)
        out = os.path.join(d, "case")
        rc, err = z.analyze([pcap], out)
        c.eq(rc, 0, f"analyze the odd capture ({err.strip()})")
        sheets, checked = all_sheets(c, out, "odd capture")
        c.check(checked >= 40, f"{checked} cells of the odd capture compared with its logs")
        http = sheets["HTTP"]
        # the HTTP parser drops the header value's surrounding white space
        c.eq(http[1][http[0].index("user_agent")], UA.strip(), "the User-Agent read back unchanged")
        c.eq(http[1][http[0].index("uri")], URI, "the URI read back unchanged")
        with zipfile.ZipFile(os.path.join(out, "report.xlsx")) as zf:
            xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
        c.check(b"_x005F_x0041_" in xml and b"_x0001_" in xml and b"\x01" not in xml,
                "control characters and escape-like text escaped as Excel reads them")
        libreoffice(c, os.path.join(out, "report.xlsx"), d)
        if c.need_corpus("Zeek's HTTP and DNS traces"):
            traces = sorted(glob.glob(os.path.join(z.CORPUS, "zeek-traces", "http", "*.pcap")) +
                            glob.glob(os.path.join(z.CORPUS, "zeek-traces", "dns", "*.pcap")))
            out = os.path.join(d, "corpus")
            rc, err = z.analyze(traces, out)
            # 1: some traces are damaged on purpose (Zeek's tests), the case is written
            c.check(rc in (0, 1), f"analyze {len(traces)} corpus traces ({err.strip()[:200]})")
            _, checked = all_sheets(c, out, "corpus")
            c.check(checked > 10000, f"{checked} corpus cells compared with their logs")
    c.done()


if __name__ == "__main__":
    main()
