"""compare: the clock offset is an interval, and a drifting clock is followed.

Every delay is at least zero, so the offset B−A lies between minus the least
B->A raw delay and the least A->B raw delay; compare.json gives the bounds,
the report leads with them, and the bounds must hold the truth:

- sample_pcaps/compare-b-shifted.pcap is compare-b.pcap (recorded on the
  same machine, one clock) moved +2.5 s with editcap -t: the interval holds
  2.5 s and is a few microseconds wide;
- tests/recordings/router-local/b.pcap moved -1.25 s with editcap at test
  time: B's clock is behind A's, and the interval holds -1.25 s;
- built here: a queue that never empties B->A (every B->A packet waits
  50-60 ms), A->B 0.1 ms, B 1.7 s ahead: the interval is 50 ms wide, holds
  1.7 s, and the report says why it is that wide;
- compare-b.pcap with its clock drifting 2000 ppm (every timestamp moved by
  0.3 s + 2000e-6 × its time since the first; rewritten at test time): no
  single offset fits, the bounds of every slice hold the true offset at the
  slice's middle, the fitted drift is 2000 ppm, and the delays corrected by
  it are those of the pair without drift."""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402
import zeekcmp as z  # noqa: E402
from test_compare import compare  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "sample_pcaps")
REC = os.path.join(ROOT, "tests", "recordings", "router-local")
# timestamps are microseconds: a bound may miss the truth by their rounding
US = 1.5e-6

c = z.Checker("compare_clock")
check, eq = c.check, c.eq


def clock(s):
    return s.get("clock_offset_b_minus_a") or {}


def holds(k, truth, what, slack=US):
    lo, hi = k.get("lowest"), k.get("highest")
    check(lo is not None and hi is not None and lo - slack <= truth <= hi + slack,
          f"{what}: [{lo}, {hi}] holds {truth}")


def lead(out):
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    i = html.find('<p class="lead">')
    return html[i:html.find("</p>", i)] if i >= 0 else ""


def shifted(d):
    out = os.path.join(d, "shifted")
    rc, s = compare(os.path.join(SAMPLES, "compare-a.pcap"),
                    os.path.join(SAMPLES, "compare-b-shifted.pcap"), out)
    eq(rc, 0, "shifted: exit status")
    k = clock(s)
    holds(k, 2.5, "shifted +2.5 s")
    check(k.get("highest", 1) - k.get("lowest", 0) < 20e-6, "shifted: the interval is narrow")
    eq(k.get("drifting"), False, "shifted: one offset fits")
    check(abs(k.get("seconds", 0) - (k.get("lowest", 0) + k.get("highest", 0)) / 2) < 1e-9,
          "shifted: the estimate is the middle")
    eq(len(k.get("slices", [])), 20, "shifted: 20 slices")
    check(all(sl["lowest"] is None or sl["lowest"] <= 2.5 + US and 2.5 - US <= sl["highest"]
              for sl in k.get("slices", [])), "shifted: every slice holds 2.5 s")
    check("B's clock is <b>2.499996–2.500005 s ahead of</b> A's" in lead(out),
          "shifted: the report leads with the interval")
    check(os.path.exists(os.path.join(out, "charts", "clock_offset.png")),
          "shifted: the offset chart")

    b = os.path.join(d, "behind.pcap")
    subprocess.run(["editcap", "-t", "-1.25", os.path.join(REC, "b.pcap"), b], check=True,
                   capture_output=True)
    out = os.path.join(d, "behind")
    rc, s = compare(os.path.join(REC, "a.pcap"), b, out)
    holds(clock(s), -1.25, "router recording moved -1.25 s")
    check("behind</b> A's" in lead(out), "behind: the report says behind")


def queue(d):
    """A->B 0.1 ms, B->A 50-60 ms (a queue that never empties), B 1.7 s ahead."""
    cli, srv, theta = bytes([10, 9, 0, 2]), bytes([198, 51, 100, 9]), 1.7
    a, b = [], []
    for i in range(400):
        t = 1700000000.0 + i * 0.01
        pl = struct.pack("!I", i) + b"q" * 40
        a.append((t, pcapgen.udp_frame(cli, srv, 40000, 9000, pl, ttl=64, ipid=2 * i)))
        b.append((t + 0.0001 + theta, pcapgen.udp_frame(cli, srv, 40000, 9000, pl, ttl=63,
                                                          ipid=2 * i)))
        tb = t + 0.005 + theta  # at B, on B's clock
        wait = 0.050 + (i % 7) * 0.0015
        b.append((tb, pcapgen.udp_frame(srv, cli, 9000, 40000, pl, ttl=64, ipid=2 * i + 1)))
        a.append((tb - theta + wait, pcapgen.udp_frame(srv, cli, 9000, 40000, pl, ttl=63,
                                                       ipid=2 * i + 1)))
    pa, pb = os.path.join(d, "queue-a.pcap"), os.path.join(d, "queue-b.pcap")
    pcapgen.write_pcap(pa, sorted(a))
    pcapgen.write_pcap(pb, sorted(b))
    out = os.path.join(d, "queue")
    rc, s = compare(pa, pb, out)
    eq(rc, 0, "queue: exit status")
    k = clock(s)
    holds(k, theta, "queue: B 1.7 s ahead")
    w = k.get("highest", 0) - k.get("lowest", 0)
    check(abs(w - 0.0501) < 3e-6, f"queue: 50.1 ms wide (the two least delays), got {w}")
    text = lead(out)
    check("B's clock is <b>1.650–1.700 s ahead of</b> A's" in text, "queue: the interval leads")
    check("50.1 ms wide because its width is the sum of the smallest one-way delays" in text,
          "queue: the report says why it is wide")


def drift_pcap(src, dst, off, ppm):
    """Rewrite a microsecond pcap with t' = t + off + ppm e-6 (t - t_first)."""
    raw = open(src, "rb").read()
    out, o, t0 = [raw[:24]], 24, None
    while o + 16 <= len(raw):
        sec, usec, cl, ol = struct.unpack("<IIII", raw[o:o + 16])
        t = sec + usec / 1e6
        t0 = t if t0 is None else t0
        t2 = t + off + ppm * 1e-6 * (t - t0)
        s2, u2 = int(t2), int(round((t2 - int(t2)) * 1e6))
        if u2 == 1000000:
            s2, u2 = s2 + 1, 0
        out.append(struct.pack("<IIII", s2, u2, cl, ol) + raw[o + 16:o + 16 + cl])
        o += 16 + cl
    open(dst, "wb").write(b"".join(out))
    return t0


def drift(d):
    a, b0 = os.path.join(SAMPLES, "compare-a.pcap"), os.path.join(SAMPLES, "compare-b.pcap")
    b = os.path.join(d, "drift-b.pcap")
    t_first = drift_pcap(b0, b, 0.3, 2000)
    out = os.path.join(d, "drift")
    rc, s = compare(a, b, out)
    eq(rc, 0, "drift: exit status")
    k = clock(s)
    eq(k.get("drifting"), True, "drift: no single offset fits")
    check(abs((k.get("drift_ppm") or 0) - 2000) < 5, f"drift: 2000 ppm, got {k.get('drift_ppm')}")
    slices = [sl for sl in k.get("slices", []) if sl["lowest"] is not None]
    check(len(slices) >= 15, "drift: most slices have packets both ways")
    for sl in slices:
        mid = (sl["from"] + sl["to"]) / 2
        truth = 0.3 + 2000e-6 * (mid - t_first)
        check(sl["lowest"] - 2 * US <= truth <= sl["highest"] + 2 * US,
              f"drift: slice at {mid - t_first:.3f} s holds {truth:.6f}: "
              f"[{sl['lowest']}, {sl['highest']}]")
    lines = [sl for sl in k.get("slices", []) if sl.get("line_lowest") is not None]
    eq(len(lines), 20, "drift: the straight lines every packet allows, at each slice")
    for sl in lines:
        mid = (sl["from"] + sl["to"]) / 2
        truth = 0.3 + 2000e-6 * (mid - t_first)
        check(sl["line_lowest"] - 2 * US <= truth <= sl["line_highest"] + 2 * US,
              f"drift: the lines at {mid - t_first:.3f} s hold {truth:.6f}")
    check(k.get("uncertainty", 1) < 20e-6, f"drift: the lines pin the offset within 20 us, "
          f"got ±{k.get('uncertainty')}")
    mids = [(sl["lowest"] + sl["highest"]) / 2 for sl in slices if sl["highest"] - sl["lowest"] < 1e-4]
    check(len(mids) >= 3 and mids == sorted(mids), "drift: the tight slices follow the drift upwards")
    _, plain = compare(a, b0, os.path.join(d, "plain"))
    for k2 in ("a_to_b", "b_to_a"):
        got, want = s[k2]["one_way_delay"], plain[k2]["one_way_delay"]
        check(abs(got["median"] - want["median"]) < 2e-6,
              f"drift {k2}: median delay corrected as without drift ({got['median']} vs "
              f"{want['median']})")
    check("drifts against A's by <b>2000." in lead(out) or "drifts against A's by <b>1999." in lead(out),
          "drift: the report leads with the drift")


def main():
    with tempfile.TemporaryDirectory() as d:
        shifted(d)
        queue(d)
        drift(d)
    c.done()


if __name__ == "__main__":
    main()
