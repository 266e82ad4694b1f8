"""The charts of a case: every chart docs/charts.md promises is in
CASE/charts as PNG and PDF, named after what it shows (captures, beacon
findings, top connections), and a second run on the same case folder leaves
no chart of the first behind."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")


def chart_names(case):
    files = os.listdir(os.path.join(case, "charts"))
    png = {f[:-4] for f in files if f.endswith(".png")}
    pdf = {f[:-4] for f in files if f.endswith(".pdf")}
    return png, pdf


def main():
    c = z.Checker("case_charts")
    tmp = tempfile.mkdtemp(prefix="pcapcase-charts-")
    samples = [os.path.join(SRC, "sample_pcaps", f) for f in ("incident-1.pcap",
                                                             "incident-2.pcapng")]
    case = os.path.join(tmp, "case")
    rc, err = z.analyze(samples, case)
    c.eq(rc, 0, f"analyze exit status ({err.strip()})")
    png, pdf = chart_names(case)
    c.eq(png, pdf, "every chart as PNG and PDF")
    findings = z.read_ndjson(os.path.join(case, "logs", "findings.ndjson"))
    beacons = [f["id"] for f in findings if f["type"] == "beaconing"]
    c.check(len(beacons) >= 1, "the sample incident has a beacon finding")
    conns = z.read_ndjson(os.path.join(case, "logs", "conn.ndjson"))
    top = sorted((r for r in conns if r["proto"] == "tcp"
                  and r.get("orig_bytes", 0) + r.get("resp_bytes", 0) > 0),
                 key=lambda r: (-(r["orig_bytes"] + r["resp_bytes"]), r["uid"]))[:3]
    want = {"bandwidth", "bandwidth_capture_01", "bandwidth_capture_02", "protocol_mix",
            "talkers_over_time", "top_talkers", "duration_bytes", "dns_over_time"}
    want |= {f"beacon_{b}" for b in beacons} | {f"beacon_{b}_timeline" for b in beacons}
    want |= {f"tcp_window_{r['uid']}" for r in top} | {f"tcp_sequence_{r['uid']}" for r in top}
    c.eq(png, want, "charts of the sample case")
    for name in sorted(png):
        with open(os.path.join(case, "charts", name + ".pdf"), "rb") as fh:
            c.eq(fh.read(5), b"%PDF-", f"{name}.pdf is a PDF")
        c.check(os.path.getsize(os.path.join(case, "charts", name + ".png")) > 5000,
                f"{name}.png is not blank")
    # the report shows each chart
    html = open(os.path.join(case, "report.html"), encoding="utf-8").read()
    for name in sorted(png):
        c.check(name in html, f"report.html shows {name}")

    # a second run with one capture only: per-capture and old charts are gone
    one = os.path.join(tmp, "one")
    z.analyze(samples[:1], one)
    os.makedirs(os.path.join(one, "charts"), exist_ok=True)
    open(os.path.join(one, "charts", "tcp_window_Cstale.png"), "wb").write(b"x")
    rc, _ = z.analyze(samples[:1], one)
    png1, _ = chart_names(one)
    c.check("tcp_window_Cstale" not in png1, "stale chart removed on re-run")
    c.check("bandwidth_capture_01" not in png1, "one capture: no per-capture bandwidth")
    c.done()


if __name__ == "__main__":
    main()
