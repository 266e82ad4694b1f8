"""Every carved HTTP body is typed by libmagic (issue 18): files.ndjson's
mime_type and description on the sample incident (sample_pcaps/incident-1.pcap),
where the hand-written sniffer called the JavaScript file text/plain.

Checked:
  - the mime_type and description of six bodies, by URL, as libmagic 5.44
    (Debian 12's database) names them;
  - every files row with content has both fields;
  - http.ndjson's resp_mime_types stays the sniffer's (it agrees better with
    Zeek's http.log: docs/dependencies.md): text/plain for app.js;
  - the same with --jobs 2 (the per-worker cache keyed by SHA-256 must not
    make an answer depend on which worker saw a body first);
  - --quick-types: the sniffer's type for every HTTP body (text/plain for
    app.js) and no description, everything else the same.
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
CAP = os.path.join(SRC, "sample_pcaps", "incident-1.pcap")

WANT = {
    "http://www.example-shop.test/static/app.js":
        ("application/javascript", "JavaScript source, ASCII text"),
    "http://www.example-shop.test/index.html": ("text/html", "HTML document, ASCII text"),
    "http://www.example-shop.test/images/logo.png":
        ("image/png", "PNG image data, 64 x 48, 8-bit/color RGB, non-interlaced"),
    "http://www.example-shop.test/docs/invoice.pdf":
        ("application/pdf", "PDF document, version 1.4, 1 pages"),
    "http://cdn.files.test/files/bundle.zip":
        ("application/zip",
         "Zip archive data, at least v2.0 to extract, compression method=deflate"),
    "http://cdn.files.test/download/passwd": ("text/plain", "ASCII text"),
}


# --quick-types: the built-in sniffer's names
QUICK = {
    "http://www.example-shop.test/static/app.js": "text/plain",
    "http://www.example-shop.test/index.html": "text/html",
    "http://www.example-shop.test/images/logo.png": "image/png",
    "http://www.example-shop.test/docs/invoice.pdf": "application/pdf",
    "http://cdn.files.test/files/bundle.zip": "application/zip",
}


def rows(case, log):
    with open(os.path.join(case, "logs", log + ".ndjson")) as f:
        return [json.loads(line) for line in f]


def check(c, case, label):
    files = rows(case, "files")
    got = {f.get("url"): (f.get("mime_type"), f.get("description")) for f in files}
    for url, want in WANT.items():
        c.eq(got.get(url), want, f"{label}: type of {url}")
    c.check(files and all(f.get("mime_type") and f.get("description")
                          for f in files if f.get("sha256")),
            f"{label}: every carved file has a mime_type and a description")
    js = [h for h in rows(case, "http") if h.get("uri") == "/static/app.js"]
    c.eq([h.get("resp_mime_types") for h in js], [["text/plain"]],
         f"{label}: http row keeps the sniffer's type")


def main():
    c = z.Checker("file_types")
    with tempfile.TemporaryDirectory() as d:
        for jobs in ("1", "2"):
            out = os.path.join(d, "j" + jobs)
            rc, err = z.analyze([CAP], out, ["--jobs", jobs])
            c.eq(rc, 0, f"exit status ({err.strip()})")
            check(c, out, "--jobs " + jobs)
        quick = os.path.join(d, "quick")
        rc, err = z.analyze([CAP], quick, ["--quick-types"])
        c.eq(rc, 0, f"--quick-types: exit status ({err.strip()})")
        got = {f.get("url"): (f.get("mime_type"), f.get("description"))
               for f in rows(quick, "files")}
        for url, want in QUICK.items():
            c.eq(got.get(url), (want, None), f"--quick-types: sniffer's type of {url}, no description")
        full = rows(os.path.join(d, "j1"), "files")
        strip = lambda rs: [{k: v for k, v in r.items() if k not in ("mime_type", "description")}
                            for r in rs]  # noqa: E731
        c.check(strip(rows(quick, "files")) == strip(full),
                "--quick-types: the files rows are otherwise the same")
    c.done()


if __name__ == "__main__":
    main()
