"""206 Partial Content: each part is carved with its range, and where the
parts of one object cover it whole, the object is assembled as well.

Known answers from Zeek's 206 traces: Windows Update names its files by
their SHA-1, so the whole .exe of 206_example_b must hash to the name in its
URL; the PDF of 206_example_a must be a readable PDF (pdfinfo) and equal the
concatenation of its parts; 206_example_c is Adobe Reader's byte serving, 43
multipart/byteranges responses whose parts make the whole 87-page PDF its
linearization dictionary announces (/L 498668 /N 87).  A set with a part missing (one connection
filtered out) assembles nothing; parts split across two captures (tshark
writes each connection to its own file) assemble the same object."""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

HTTP = os.path.join(z.CORPUS, "zeek-traces", "http")


def files(out):
    return z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))


def whole(rows):
    return [r for r in rows if r.get("assembled_from")]


def main():
    z.require_corpus("http_ranges")
    c = z.Checker("http_ranges")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "b")
        rc, err = z.analyze([os.path.join(HTTP, "206_example_b.pcap")], out)
        c.eq(rc, 0, f"exit status ({err.strip()})")
        rows = files(out)
        w = whole(rows)
        c.eq(len(w), 1, "one object assembled from the exe's parts")
        if w:
            name_sha1 = re.search(r"_([0-9a-f]{40})\.exe$", w[0]["url"]).group(1)
            c.eq(w[0]["sha1"], name_sha1, "assembled .exe has the SHA-1 Windows Update names it by")
            c.eq(w[0]["seen_bytes"], 1022920, "whole size from Content-Range")
            # typed by libmagic like every carved file (the sniffer said
            # application/x-dosexec)
            c.eq(w[0]["mime_type"], "application/vnd.microsoft.portable-executable",
                 "libmagic's type of the whole")
            c.eq(w[0].get("description"),
                 "PE32 executable (GUI) Intel 80386, for MS Windows, 3 sections",
                 "libmagic's description of the whole")
            data = open(os.path.join(out, w[0]["extracted"]), "rb").read()
            c.eq(hashlib.sha256(data).hexdigest(), w[0]["sha256"], "artifact matches its name")
            by_fuid = {r["fuid"]: r for r in rows}
            parts = [by_fuid.get(f) for f in w[0]["assembled_from"]]
            c.check(all(parts), "assembled_from names carved parts")
            c.eq([p["content_range"] for p in parts if p],
                 ["bytes 0-816895/1022920", "bytes 816896-1022919/1022920"], "the parts in order")
        c.eq(sum(1 for r in rows if r.get("content_range")), 3,
             "every part still carved on its own (one sent twice)")

        out = os.path.join(d, "a")
        pcap_a = os.path.join(HTTP, "206_example_a.pcap")
        z.analyze([pcap_a], out)
        rows = files(out)
        w = wa = whole(rows)
        c.eq(len(w), 1, "the PDF assembled")
        ports = sorted({r["id.orig_p"] for r in rows if r.get("content_range")})
        if w:
            data = open(os.path.join(out, w[0]["extracted"]), "rb").read()
            parts = sorted((r for r in rows if r.get("content_range")),
                           key=lambda r: int(r["content_range"].split()[1].split("-")[0]))
            cat = b"".join(open(os.path.join(out, p["extracted"]), "rb").read() for p in parts)
            c.check(data == cat, "the whole equals its parts end to end")
            c.check(data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], "a complete PDF")
            if shutil.which("pdfinfo"):
                r = subprocess.run(["pdfinfo", os.path.join(out, w[0]["extracted"])],
                                   capture_output=True, text=True)
                c.check(r.returncode == 0 and "Pages:" in r.stdout, "pdfinfo reads it")

        out = os.path.join(d, "c")
        z.analyze([os.path.join(HTTP, "206_example_c.pcap")], out)
        w = whole(files(out))
        c.eq(len(w), 1, "multipart/byteranges parts assembled into one object")
        if w:
            c.eq(w[0]["seen_bytes"], 498668, "the size the PDF's linearization dictionary gives")
            data = open(os.path.join(out, w[0]["extracted"]), "rb").read()
            c.check(b"/L 498668/N 87" in data[:1024], "linearization dictionary: /L 498668 /N 87")
            c.check(len(w[0]["assembled_from"]) > 30, "from the parts of many responses")
            if shutil.which("pdfinfo"):
                r = subprocess.run(["pdfinfo", os.path.join(out, w[0]["extracted"])],
                                   capture_output=True, text=True)
                c.check(re.search(r"Pages:\s+87\b", r.stdout) is not None,
                        f"pdfinfo reads 87 pages ({r.stdout[:80]!r})")

        if len(ports) == 2:
            out = os.path.join(d, "hole")
            z.analyze([pcap_a], out, extra=("--bpf", f"not port {ports[1]}"))
            c.eq(len(whole(files(out))), 0, "a part missing: nothing assembled")
            if shutil.which("tshark"):
                split = []
                for i, p in enumerate(ports):
                    f = os.path.join(d, f"part{i}.pcap")
                    subprocess.run(["tshark", "-r", pcap_a, "-w", f, "-F", "pcap",
                                    "-Y", f"tcp.port=={p}"], check=True, capture_output=True)
                    split.append(f)
                out = os.path.join(d, "split")
                z.analyze(list(reversed(split)), out)
                w2 = whole(files(out))
                c.eq([x["sha256"] for x in w2], [x["sha256"] for x in wa],
                     "parts from two captures assemble the same object")
        else:
            c.check(False, f"expected two part connections, got ports {ports}")
    c.done()


if __name__ == "__main__":
    main()
