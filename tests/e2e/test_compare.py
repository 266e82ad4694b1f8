"""pcapcase compare: self-comparison, a known clock shift, known deletions.

Built from a corpus trace with editcap at test time: B = A shifted by +2.5 s
(editcap -t) with two frames removed (editcap FILE OUT 5 9).  The project's
own two-vantage recordings (sample_pcaps/compare-*) are checked against the
router's drop counters in test_sample_truth.py.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

TRACE = os.path.join(z.CORPUS, "zeek-traces", "http", "get.pcap")


def compare(a, b, out):
    r = subprocess.run([z.PCAPCASE, "compare", "-q", "-o", out, a, b], capture_output=True,
                       text=True, timeout=300)
    return r.returncode, json.load(open(os.path.join(out, "compare.json")))


def main():
    c = z.Checker("compare")
    with tempfile.TemporaryDirectory() as d:
        rc, s = compare(TRACE, TRACE, os.path.join(d, "self"))
        c.eq(rc, 0, "self: exit status")
        c.eq(s["clock_offset_b_minus_a"]["seconds"], 0.0, "self: offset")
        for k in ("a_to_b", "b_to_a"):
            c.eq(s[k]["lost_between_points"], 0, f"self {k}: lost")
            c.eq(s[k]["only_at_far_point"], 0, f"self {k}: only at far point")
            c.eq(s[k]["one_way_delay"]["max"], 0.0, f"self {k}: max delay")
        c.eq(s["a_to_b"]["matched"] + s["b_to_a"]["matched"], 14, "self: all 14 packets matched")

        shifted = os.path.join(d, "shift.pcap")
        cut = os.path.join(d, "shift-cut.pcap")
        subprocess.run(["editcap", "-t", "2.5", TRACE, shifted], check=True)
        subprocess.run(["editcap", shifted, cut, "5", "9"], check=True)
        rc, s = compare(TRACE, cut, os.path.join(d, "cut"))
        c.eq(rc, 0, "cut: exit status")
        off = s["clock_offset_b_minus_a"]
        c.check(abs(off["seconds"] - 2.5) < 1e-3, f"cut: offset {off['seconds']} != 2.5 s")
        # frames 5 and 9 are server -> client (B -> A): present at A only
        c.eq(s["b_to_a"]["only_at_far_point"], 2, "cut: server packets seen only at A")
        c.eq(s["a_to_b"]["lost_between_points"], 0, "cut: client packets lost")
        with open(os.path.join(d, "cut", "logs", "unmatched.ndjson")) as f:
            rows = [json.loads(line) for line in f]
        c.eq(sorted(r["frame"] for r in rows), [5, 9], "cut: unmatched frames")
        c.eq({r["point"] for r in rows}, {"A"}, "cut: unmatched seen at A")
        with open(os.path.join(d, "cut", "logs", "flows.ndjson")) as f:
            flows = [json.loads(line) for line in f]
        c.eq(len(flows), 1, "cut: one flow")
        c.eq(flows[0]["a_host"], "141.142.228.5", "cut: client on A's side")
        for f in ("report.html", "report.xlsx", "charts/one_way_delay.png",
                  "charts/one_way_delay.pdf", "charts/losses.png"):
            c.check(os.path.getsize(os.path.join(d, "cut", f)) > 0, f"cut: {f} written")
        page = open(os.path.join(d, "cut", "report.html"), encoding="utf-8").read()
        c.check("data:image/png;base64," in page and 'id="data-unmatched"' in page,
                "comparison report embeds the charts and the unmatched packets")
    c.done()


if __name__ == "__main__":
    main()
