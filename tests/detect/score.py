#!/usr/bin/env python3
"""score.py — the detection benchmark's judge: findings against planted truth.

    score.py RESULTS.json CAPTURE:CASE_DIR:GROUP [...]

Each CAPTURE has a gencap truth file beside it (CAPTURE.truth.json) whose "plants" list the
activities planted in it (and, for the office mix, its "beacon" and "scan"); CASE_DIR is
`pcapcase analyze`'s output for it; GROUP is "malicious" (captures with planted attacks and
benign background) or "benign" (background only: every finding of a benchmark detector there
is a false positive).

A finding matches a malicious plant when it names every host the plant lists (and, for a
beacon behind a shared CDN address, the plant's server name).  Per detector:
  recall     malicious plants of its class found by a finding of a type the plant accepts
  precision  findings of its types that match some malicious plant / all its findings
  lowest score found   the lowest score of a finding on an attack of its own class (the
             margin above the threshold); highest score false: the margin below
  FP/GB      its findings in the benign group that match nothing, per GB of those captures
Prints a Markdown table and writes RESULTS.json.
"""
import json
import os
import sys

# The table's rows: a detector and the finding types it raises.
DETECTORS = [
    ("beaconing", ("beaconing",)),
    ("scans", ("port_scan", "host_sweep")),
    ("dns_tunnel", ("dns_tunnel",)),
    ("exfiltration", ("exfiltration",)),
    ("nxdomain_burst", ("nxdomain_burst",)),
]
# Which row a malicious plant's recall counts in: its class.
CLASS_ROW = {"beacon": "beaconing", "scan": "scans", "tunnel": "dns_tunnel", "exfil": "exfiltration"}


def plants_of(truth):
    plants = [p for p in truth.get("plants", []) if p.get("malicious")]
    if "beacon" in truth and "client" in truth["beacon"]:
        b = truth["beacon"]
        plants.append({"kind": "office-beacon", "class": "beacon", "detectors": ["beaconing"],
                       "hosts": [b["client"], b["server"]], "name": "", "style": "office"})
    if "scan" in truth and "scanner" in truth["scan"]:
        s = truth["scan"]
        plants.append({"kind": "office-scan", "class": "scan", "detectors": ["port_scan"],
                       "hosts": [s["scanner"], s["target"]], "name": "", "style": "office"})
    return plants


def matches(f, p):
    if not set(p["hosts"]) <= set(f.get("hosts", [])):
        return False
    if p["kind"] == "beacon-cdn":
        return (f.get("details") or {}).get("server_name") == p["name"]
    return True


def read_findings(case):
    path = os.path.join(case, "logs", "findings.ndjson")
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    rows = {name: {"plants": 0, "found": 0, "findings": 0, "tp": 0, "fp_benign": 0,
                   "fp_malicious": 0, "lowest_tp_score": None, "highest_fp_score": None}
            for name, _ in DETECTORS}
    kinds = {}
    missed, false_pos = [], []
    benign_bytes = malicious_bytes = 0
    type_row = {t: name for name, types in DETECTORS for t in types}
    for arg in sys.argv[2:]:
        cap, case, group = arg.rsplit(":", 2)
        truth = json.load(open(cap + ".truth.json"))
        size = os.path.getsize(cap)
        if group == "benign":
            benign_bytes += size
        else:
            malicious_bytes += size
        findings = read_findings(case)
        plants = plants_of(truth)
        for p in plants:
            row = CLASS_ROW[p["class"]]
            rows[row]["plants"] += 1
            k = kinds.setdefault(p["kind"], {"plants": 0, "found": 0})
            k["plants"] += 1
            hit = any(f["type"] in p["detectors"] and matches(f, p) for f in findings)
            if hit:
                rows[row]["found"] += 1
                k["found"] += 1
            else:
                missed.append({"capture": os.path.basename(cap), "kind": p["kind"],
                               "style": p.get("style"), "hosts": p["hosts"], "name": p.get("name"),
                               "period_s": p.get("period_s"), "jitter": p.get("jitter"),
                               "count": p.get("count"), "size": p.get("size")})
        for f in findings:
            row = type_row.get(f["type"])
            if not row:
                continue
            rows[row]["findings"] += 1
            r = rows[row]
            hit = [p for p in plants if matches(f, p)]
            if hit:  # a finding on an attack of another class (regular uploads seen as a
                r["tp"] += 1  # beacon) is true, but only its own class sets the margin
                own = any(CLASS_ROW[p["class"]] == row for p in hit)
                if own and (r["lowest_tp_score"] is None or f["score"] < r["lowest_tp_score"]):
                    r["lowest_tp_score"] = f["score"]
                continue
            if r["highest_fp_score"] is None or f["score"] > r["highest_fp_score"]:
                r["highest_fp_score"] = f["score"]
            rows[row]["fp_benign" if group == "benign" else "fp_malicious"] += 1
            false_pos.append({"capture": os.path.basename(cap), "group": group, "type": f["type"],
                              "score": f["score"], "summary": f["summary"]})
    gb = benign_bytes / 1e9
    table = ["| detector | malicious plants | found | recall | findings | precision | "
             "FP in benign | FP per GB benign | lowest score found | highest score false |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, _ in DETECTORS:
        r = rows[name]
        r["recall"] = r["found"] / r["plants"] if r["plants"] else None
        r["precision"] = r["tp"] / r["findings"] if r["findings"] else None
        r["fp_per_gb"] = r["fp_benign"] / gb if gb else None
        pct = lambda v: "n/a" if v is None else f"{100 * v:.1f} %"
        num = lambda v, f: "n/a" if v is None else f % v
        table.append(f"| {name} | {r['plants']} | {r['found']} | {pct(r['recall'])} | "
                     f"{r['findings']} | {pct(r['precision'])} | {r['fp_benign']} | "
                     f"{num(r['fp_per_gb'], '%.2f')} | {num(r['lowest_tp_score'], '%.1f')} | "
                     f"{num(r['highest_fp_score'], '%.1f')} |")
    print(f"benign background: {gb:.2f} GB; captures with planted attacks: "
          f"{malicious_bytes / 1e9:.2f} GB")
    print("\n".join(table))
    print("\n| planted kind | plants | found |\n|---|---:|---:|")
    for k in sorted(kinds):
        print(f"| {k} | {kinds[k]['plants']} | {kinds[k]['found']} |")
    if missed:
        print("\nmissed:")
        for m in missed:
            print("  ", json.dumps(m))
    if false_pos:
        print("\nfalse positives:")
        for f in false_pos:
            print("  ", json.dumps(f))
    json.dump({"benign_gb": gb, "malicious_gb": malicious_bytes / 1e9, "detectors": rows,
               "kinds": kinds, "missed": missed, "false_positives": false_pos},
              open(out, "w"), indent=1)


if __name__ == "__main__":
    main()
