#!/usr/bin/env python3
"""repeat_capture.py — the "many small objects" benchmark capture: one real capture
repeated N times one after the other, each copy's timestamps shifted past the end of the
one before, so the result is a long browsing session of many small HTTP objects and short
connections (what costs per row, not per byte).

    tests/bench/repeat_capture.py IN.pcap OUT.pcap [--times N] [--gap SECONDS]

IN is a classic pcap file (either byte order, µs or ns timestamps); OUT has IN's header
and N copies of its records.  Copy i is shifted by i * (IN's duration + gap), so the
copies never overlap and a later copy's connections start after the earlier ones ended.
Nothing but the timestamps changes: addresses and ports repeat, as when a browser loads
the same site again.  Used by tests/bench/run.sh --small (Zeek's http/bro.org.pcap from
the corpus, 200 times: 101 MB); the corpus file itself is never copied into the project.
"""
import argparse
import struct
import sys

MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1_000_000),
    b"\xa1\xb2\xc3\xd4": (">", 1_000_000),
    b"\x4d\x3c\xb2\xa1": ("<", 1_000_000_000),
    b"\xa1\xb2\x3c\x4d": (">", 1_000_000_000),
}


def read_records(data, order):
    """(ts_sec, ts_frac, rest_of_header_and_body) per record."""
    off, recs = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from(order + "IIII", data, off)
        body = data[off + 16 : off + 16 + incl]
        if len(body) < incl:
            sys.exit(f"repeat_capture: record at byte {off} is cut short")
        recs.append((sec, frac, struct.pack(order + "II", incl, orig) + body))
        off += 16 + incl
    return recs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--times", type=int, default=200)
    ap.add_argument("--gap", type=float, default=1.0)
    a = ap.parse_args()
    with open(a.input, "rb") as f:
        data = f.read()
    if len(data) < 24 or data[:4] not in MAGICS:
        sys.exit(f"repeat_capture: {a.input}: not a classic pcap file")
    order, units = MAGICS[data[:4]]
    recs = read_records(data, order)
    if not recs:
        sys.exit(f"repeat_capture: {a.input}: no packets")
    first = recs[0][0] * units + recs[0][1]
    last = max(r[0] * units + r[1] for r in recs)
    step = last - first + int(a.gap * units)
    with open(a.output, "wb") as out:
        out.write(data[:24])
        for i in range(a.times):
            shift = i * step
            for sec, frac, rest in recs:
                t = sec * units + frac + shift
                out.write(struct.pack(order + "II", t // units, t % units))
                out.write(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
