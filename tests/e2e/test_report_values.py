"""The workbook carries the logs' values, cell for cell, and the same workbook and page
come out whether the workbook is written on its own thread (--jobs 2: begun as soon as
the logs are written, while the charts are drawn) or after the page (--jobs 1).

The sample incident (sample_pcaps/incident-1.pcap + incident-2.pcapng) is analysed
twice; every row of every log sheet is compared with its log row: numbers as numbers
(times as Excel date-times), strings and lists of strings as the text the workbook shows,
booleans as booleans.  The workbook's rows are scanned from the logs' text
(src/report/ndjson_scan.c), not parsed by json-c, so this is what shows a scanned value
kept its meaning (escapes, \\u00XX control characters, lists, numbers of every form).
The two workbooks are also byte-identical (src/report/xlsx_book.c writes no "now").
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402
from test_report import sheet_rows  # noqa: E402

SAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "sample_pcaps")
SHEETS = (("conn", "Connections"), ("dns", "DNS"), ("http", "HTTP"), ("files", "Files"),
          ("ssl", "TLS"), ("x509", "Certificates"), ("hosts", "Hosts"),
          ("findings", "Findings"), ("credentials", "Credentials"))


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def cell_matches(cell, v):
    """Does the workbook's cell show the log's value v?  None: not checked (a record)."""
    if v is None:
        return cell is None
    if isinstance(v, bool):
        return cell is v
    if isinstance(v, (int, float)):
        # a number, or a time as an Excel date-time (UTC: the case's default)
        return isinstance(cell, float) and (close(cell, float(v)) or
                                            close(cell, v / 86400.0 + 25569.0))
    if isinstance(v, str):
        return cell == (v.split("\0")[0] or None)
    if isinstance(v, list) and all(isinstance(e, str) for e in v):
        return cell == (", ".join(e.split("\0")[0] for e in v) or None)
    if isinstance(v, list) and all(isinstance(e, (int, float)) for e in v):
        return cell == ", ".join(json.dumps(e) for e in v)
    return None


def compare_sheet(c, out, sheets, log, sheet):
    rows = z.read_ndjson(os.path.join(out, "logs", log + ".ndjson"))
    got = sheets.get(sheet)
    c.check(got is not None, f"{sheet} sheet present")
    if got is None:
        return 0
    c.eq(len(got) - 1, len(rows), f"{sheet}: one row per {log}.ndjson row")
    hdr, checked, wrong = got[0], 0, []
    for i, (cells, row) in enumerate(zip(got[1:], rows)):
        cells = cells + [None] * (len(hdr) - len(cells))
        for name, cell in zip(hdr, cells):
            v = row.get(name)
            if name == "extracted" and isinstance(v, str) and v.startswith("artifacts/"):
                v = v.replace("/", "\\")  # a link: the workbook shows Windows' separator
            ok = cell_matches(cell, v)
            if ok is None:
                c.check(cell, f"{sheet} row {i + 1} {name}: a record is shown")
                continue
            checked += 1
            if not ok:
                wrong.append(f"row {i + 1} {name}: {cell!r} vs {row.get(name)!r}")
    c.eq(wrong[:3], [], f"{sheet}: every cell shows its log value ({checked} checked)")
    return checked


def main():
    c = z.Checker("report_values")
    os.environ["SOURCE_DATE_EPOCH"] = "1795402995"
    captures = [os.path.join(SAMPLES, "incident-1.pcap"), os.path.join(SAMPLES, "incident-2.pcapng")]
    with tempfile.TemporaryDirectory() as d:
        outs = {}
        for jobs in ("1", "2"):
            out = os.path.join(d, "case-j" + jobs)
            rc, err = z.analyze(captures, out, ["--jobs", jobs])
            c.eq(rc, 0, f"analyze --jobs {jobs} ({err.strip()})")
            outs[jobs] = out
        one, two = (sheet_rows(os.path.join(outs[j], "report.xlsx")) for j in ("1", "2"))
        c.eq(list(one), list(two), "same sheets with the workbook on its own thread")
        for name in one:
            c.eq(one[name], two.get(name), f"{name}: same cells with --jobs 1 and --jobs 2")
        wbs = []
        for j in ("1", "2"):
            with open(os.path.join(outs[j], "report.xlsx"), "rb") as f:
                wbs.append(f.read())
        c.check(wbs[0] == wbs[1], "report.xlsx byte-identical with --jobs 1 and 2 (fixed zip "
                "times, the case's own creation time)")
        c.eq(list(one)[0], "Summary", "the summary is the first sheet")
        c.eq(list(one)[-1], "Charts", "the charts are the last sheet")
        summary = {r[0]: r[1] for r in one["Summary"] if len(r) > 1}
        c.eq(summary.get("rows: conn"), 318.0, "Summary: 318 connections (case.json tables)")
        c.eq(summary.get("rows: http"), 49.0, "Summary: 49 HTTP requests")
        checked = sum(compare_sheet(c, outs["2"], two, log, sheet) for log, sheet in SHEETS)
        c.check(checked > 10000, f"{checked} cells compared with the logs")
        http = two["HTTP"]
        c.eq(http[1][http[0].index("host")], "www.example-shop.test", "first HTTP request's host")
        c.eq(http[1][http[0].index("response_body_len")], 2739.0, "its response body length")
        dns = two["DNS"]
        c.eq(dns[1][dns[0].index("query")], "wpad.corp.test", "first DNS query")
        # the page embeds the logs as they are: the same page either way but for the
        # command line in its Method section
        pages = []
        for j in ("1", "2"):
            with open(os.path.join(outs[j], "report.html"), encoding="utf-8") as f:
                page = f.read().replace("case-j" + j, "case").replace("--jobs " + j, "")
                pages.append(page.replace("&quot;jobs&quot;:" + j, ""))
        c.eq(len(pages[0]), len(pages[1]), "report.html the same length with --jobs 1 and 2")
        c.check(pages[0] == pages[1], "report.html the same with --jobs 1 and 2")
    c.done()


if __name__ == "__main__":
    main()
