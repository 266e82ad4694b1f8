#!/usr/bin/env python3
"""tune.py — where to put beacon_min_score: the scores of true beacons against every other
periodic-looking series, from cases analysed with `--threshold beacon_min_score=0` (every
series of beacon_min_conns connections becomes a finding with its sub-scores).

    tune.py CAPTURE:CASE_DIR [...]        (CAPTURE.truth.json beside CAPTURE, if any)

Series that match a planted beacon are positives; series that match another planted attack
(regular uploads of an exfiltration, a scan's probes) are left out; all others are
negatives.  Prints both score distributions, how many of each a threshold keeps, and the
threshold with the widest gap.  With --weights w1,...,w7 it re-scores the series with other
weights for skew, spread, on_beat, size, coverage, presence, histogram (the modifiers for
rarity and known services are kept).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from score import matches, plants_of  # noqa: E402

SUBS = ("interval_skew", "interval_spread", "on_beat", "size", "coverage", "presence", "histogram")


def rescore(f, weights):
    s = f["scores"]
    per = sum(w * s[k] for w, k in zip(weights, SUBS))
    factor = (0.5 + 0.5 * s["rarity"]) * (0.6 if s["known_service"] else 1.0)
    return 100 * per * factor


def main():
    args = sys.argv[1:]
    weights = None
    if args and args[0] == "--weights":
        weights = [float(x) for x in args[1].split(",")]
        args = args[2:]
    pos, neg = [], []
    for a in args:
        cap, case = a.rsplit(":", 1)
        truth = json.load(open(cap + ".truth.json")) if os.path.exists(cap + ".truth.json") else {}
        plants = plants_of(truth)
        for line in open(os.path.join(case, "logs", "findings.ndjson")):
            f = json.loads(line)
            if f["type"] != "beaconing":
                continue
            score = rescore(f, weights) if weights else f["score"]
            hit = [p for p in plants if matches(f, p)]
            if any(p["class"] == "beacon" for p in hit):
                pos.append((score, os.path.basename(cap), f["summary"]))
            elif not hit:
                neg.append((score, os.path.basename(cap), f["summary"]))
    pos.sort()
    neg.sort(reverse=True)
    print(f"{len(pos)} planted beacons, {len(neg)} other series")
    print("lowest beacons:")
    for s, c, t in pos[:5]:
        print(f"  {s:5.1f}  {c}: {t[:110]}")
    print("highest others:")
    for s, c, t in neg[:8]:
        print(f"  {s:5.1f}  {c}: {t[:110]}")
    print("threshold  beacons kept  others kept")
    for t in range(50, 95, 5):
        print(f"  {t:3d}      {sum(s >= t for s, _, _ in pos):4d}        {sum(s >= t for s, _, _ in neg):4d}")
    if pos and neg:
        lo, hi = pos[0][0], neg[0][0]
        print(f"gap: highest other {hi:.1f}, lowest beacon {lo:.1f}"
              + (f"; a threshold in between keeps all and nothing else: {(lo + hi) / 2:.1f}"
                 if lo > hi else "; they overlap"))


if __name__ == "__main__":
    main()
