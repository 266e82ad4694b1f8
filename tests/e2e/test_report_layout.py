"""The report on screen: Chromium lays out the sample case's report.html at
1400 px, and a script in the page counts the words a table cell breaks
across lines.  A cell is never narrower than its longest word (a JA3, a
cipher suite, a host name, a user agent's words stay whole; a crowded table
scrolls sideways instead); only digests (in two even halves), URLs, artifact
paths and words longer than a cell's 420 px may break.  Values that are
objects (hosts' MAC addresses with their vendor) read as text in the page and
the workbook, not as JSON."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402
from test_report import chromium, sheet_rows  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")

# Runs after the tables are built: for every cell of every table, every word
# (a run of characters that are neither spaces nor hyphens: a browser may
# wrap after a hyphen, as in "example-/shop.test") is measured with a Range;
# a word whose Range has more than one line box is broken.  The result goes
# into the DOM.
PROBE = """<script>
setTimeout(function () {
  var MAY_BREAK = {sha256: 1, sha1: 1, fingerprint: 1, extracted: 1, url: 1, uri: 1};
  var cells = 0, broken = [];
  document.querySelectorAll("section table td").forEach(function (td) {
    if (MAY_BREAK[td.getAttribute("data-col")]) return;
    cells++;
    var walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT), n;
    while ((n = walker.nextNode())) {
      var re = /[^\\s-]+/g, m;
      while ((m = re.exec(n.data))) {
        if (m[0].length > 50) continue;
        var r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        var tops = {};
        Array.prototype.forEach.call(r.getClientRects(), function (b) { tops[Math.round(b.top)] = 1; });
        if (Object.keys(tops).length > 1)
          broken.push((td.getAttribute("data-col") || "?") + ":" + m[0]);
      }
    }
  });
  var out = document.createElement("pre");
  out.id = "layout-probe";
  out.textContent = "cells=" + cells + " broken=" + broken.length + " " + broken.slice(0, 12).join(" ");
  document.body.appendChild(out);
}, 1500);
</script>"""


def main():
    c = z.Checker("report_layout")
    browser = chromium()
    if not browser:
        print("SKIP: needs chromium (./setup.sh test installs it)")
        c.done()
    tmp = tempfile.mkdtemp(prefix="pcapcase-layout-")
    case = os.path.join(tmp, "case")
    rc, err = z.analyze([os.path.join(SRC, "sample_pcaps", f)
                         for f in ("incident-1.pcap", "incident-2.pcapng")], case)
    c.eq(rc, 0, f"analyze exit status ({err.strip()})")
    dom = probe(c, browser, tmp, case, "sample case")
    macs(c, case, dom, "4e:85:8d:47:96:74", "10.77.0.10")
    if z.have_corpus():
        vc = os.path.join(tmp, "vendor")
        z.analyze([os.path.join(z.CORPUS, "zeek-traces", "http", "bro.org.pcap")], vc)
        macs(c, vc, None, "08:00:27:ef:1f:74 (PCS Systemtechnik GmbH)", "10.0.2.15")
    else:
        print("SKIP the MAC vendor check: " + z.corpus_missing())
    # the project's recordings of FTP, SMTP and SMB: a section for each log
    lab = os.path.join(tmp, "lab")
    rc, err = z.analyze([os.path.join(SRC, "tests", "lab", "files", f)
                         for f in ("ftp.pcap", "smtp.pcap", "smb2.pcap")], lab)
    c.eq(rc, 0, f"lab case: analyze exit status ({err.strip()})")
    dom = probe(c, browser, tmp, lab, "lab case")
    for log, title in (("smtp", "E-mail (SMTP)"), ("ftp", "FTP"), ("smb_files", "SMB files")):
        n = len(z.read_ndjson(os.path.join(lab, "logs", log + ".ndjson")))
        sec = re.search(r'<section id="%s"><h2>([^<]*)</h2>.*?(\d+) of (\d+) rows' % log, dom, re.S)
        c.check(n > 0 and sec is not None and sec.group(1) == title and
                sec.group(2) == sec.group(3) == str(n),
                f"lab case: section {title} with the {n} rows of {log}.ndjson")
    c.check('data-col="arg">ftp://127.0.0.1/pub/report.bin</td>' in dom,
            "lab case: the FTP table names the file a RETR fetched")
    c.check('<section id="intel"' not in dom and '<section id="smtp"' not in
            open(os.path.join(case, "report.html"), encoding="utf-8").read(),
            "sample case: no section for a log the case does not have")
    shutil.rmtree(tmp, ignore_errors=True)
    c.done()


def probe(c, browser, tmp, case, what):
    """Chromium lays out case's report with PROBE in it; checks that no word
    of a table cell is broken; returns the DOM."""
    page = open(os.path.join(case, "report.html"), encoding="utf-8").read()
    path = os.path.join(case, "probe.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", PROBE + "</body>", 1))
    prof = os.path.join(tmp, "profile")
    r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--no-first-run", f"--user-data-dir={prof}", "--window-size=1400,900",
                        "--virtual-time-budget=5000", "--dump-dom", "file://" + path],
                       capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="layout-probe">cells=(\d+) broken=(\d+)([^<]*)</pre>', r.stdout)
    c.check(m is not None, f"{what}: the probe ran in Chromium")
    if m:
        cells, broken = int(m.group(1)), int(m.group(2))
        # every table's first page: hosts, connections, DNS, HTTP, files, TLS,
        # certificates, and FTP, SMTP, SMB where the case has them
        c.check(cells > 300, f"{what}: table cells measured ({cells})")
        c.eq(broken, 0, f"{what}: words broken across lines in table cells:{m.group(3)}")
    return r.stdout


def macs(c, case, dom, want, ip):
    """The host's macs cell reads want in the page (when dom is given) and in
    the workbook's Hosts sheet."""
    if dom is not None:
        c.check(f'data-col="macs">{want}</td>' in dom, f"{ip}: macs cell in the page reads {want}")
    rows = sheet_rows(os.path.join(case, "report.xlsx"))["Hosts"]
    head = rows[0]
    got = [r[head.index("macs")] for r in rows[1:] if r and r[head.index("ip")] == ip]
    c.eq(got, [want], f"{ip}: macs cell in the workbook")


if __name__ == "__main__":
    main()
