"""The report on paper: Chromium prints the sample case's report.html to PDF
with the print stylesheet — A4 landscape, no navigation or filter boxes, each
table saying which of its rows are printed, and on the files table SHA-256
without the MD5/SHA-1 columns (they are in the workbook)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")


def main():
    c = z.Checker("report_print")
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                    if shutil.which(n)), None)
    if not browser or not shutil.which("pdftotext"):
        print("SKIP: needs chromium and poppler-utils (./setup.sh test installs them)")
        c.done()
    tmp = tempfile.mkdtemp(prefix="pcapcase-print-")
    case = os.path.join(tmp, "case")
    rc, err = z.analyze([os.path.join(SRC, "sample_pcaps", f)
                         for f in ("incident-1.pcap", "incident-2.pcapng")], case)
    c.eq(rc, 0, f"analyze exit status ({err.strip()})")
    pdf = os.path.join(tmp, "report.pdf")
    prof = os.path.join(tmp, "profile")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", f"--user-data-dir={prof}", "--no-pdf-header-footer",
                    "--virtual-time-budget=3000", f"--print-to-pdf={pdf}",
                    "file://" + os.path.join(case, "report.html")],
                   capture_output=True, timeout=180)
    c.check(os.path.exists(pdf), "Chromium printed the report")
    if not os.path.exists(pdf):
        c.done()
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    c.check(size and float(size.group(1)) > float(size.group(2)), f"landscape pages ({size and size.group(0)})")
    c.check(5 <= pages <= 45, f"page count {pages} (the sample case on paper)")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                          text=True).stdout
    conns = len(z.read_ndjson(os.path.join(case, "logs", "conn.ndjson")))
    c.check(f"Printed: rows 1–100 of {conns}; every row is in the workbook" in text,
            "the connections table says which rows are printed")
    c.check("Filter " not in text and "Prev" not in text, "no controls on paper")
    files = z.read_ndjson(os.path.join(case, "logs", "files.ndjson"))
    flat = re.sub(r"\s+", "", text)
    c.check(files and files[0]["sha256"][:16] in flat, "SHA-256 printed")
    c.check(not any(f["md5"][:16] in flat for f in files if f.get("md5")), "MD5 not printed")
    shutil.rmtree(tmp, ignore_errors=True)
    c.done()


if __name__ == "__main__":
    main()
