"""The detection benchmark's quick run (tests/detect/run.sh --quick): a two-hour capture
with eleven planted attacks (four beacons, two of them from one host behind one CDN address
told apart only by SNI, an iodine and a dnscat2 tunnel, DNS exfiltration, a port scan, a
sweep, an HTTP and a long TLS exfiltration) among benign polling fleets, and a benign
capture of fleets, backups, cloud sync and CDN browsing.  Every attack must be found by the
detector of its class, nothing benign may be reported, and every finding must say why it
fired with its sub-scores.  The full benchmark (docs/findings.md) is the same command
without --quick."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
BENCH_TYPES = ("beaconing", "port_scan", "host_sweep", "dns_tunnel", "exfiltration",
               "nxdomain_burst")


def main():
    c = z.Checker("detect_benchmark")
    if not shutil.which("make") or not shutil.which("cc"):
        print("SKIP: make and cc are needed to build gencap")
        c.done()
        return
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, PCAPCASE=os.path.abspath(z.PCAPCASE),
                   PCAPCASE_DETECT_CACHE=os.path.join(d, "cache"))
        out = os.path.join(d, "run")
        r = subprocess.run([os.path.join(SRC, "tests", "detect", "run.sh"), "--quick", "--out",
                            out], capture_output=True, text=True, env=env, timeout=900)
        print(r.stdout)
        c.eq(r.returncode, 0, f"run.sh exit status ({r.stderr.strip()[-300:]})")
        res = json.load(open(os.path.join(out, "results.json")))
        for name, row in res["detectors"].items():
            if row["plants"]:
                c.eq(row["found"], row["plants"], f"{name}: every planted attack found")
            c.eq(row["fp_benign"], 0, f"{name}: nothing reported in the benign capture")
            c.eq(row["fp_malicious"], 0, f"{name}: nothing benign reported beside the attacks")
        c.eq(sum(k["plants"] for k in res["kinds"].values()), 11, "eleven attacks planted")
        c.check(res["benign_gb"] > 0.1, f"benign background {res['benign_gb']:.2f} GB")
        cap = [n for n in os.listdir(os.path.join(d, "cache")) if n.startswith("quick-attacks")
               and n.endswith(".pcap")][0]
        truth = json.load(open(os.path.join(d, "cache", cap + ".truth.json")))
        fs = z.read_ndjson(os.path.join(out, cap[:-5], "logs", "findings.ndjson"))
        cdn = [p for p in truth["plants"] if p["kind"] == "beacon-cdn"]
        c.eq(len({p["hosts"][0] for p in cdn}), 1, "the two CDN beacons come from one host")
        names = {(f["details"] or {}).get("server_name") for f in fs if f["type"] == "beaconing"}
        for p in cdn:
            c.check(p["name"] in names, f"CDN beacon {p['name']} found by its SNI")
        for f in fs:
            if f["type"] in BENCH_TYPES:
                c.check(len(f.get("why", "")) > 40, f"{f['id']} says why it fired")
                c.check(f.get("scores") and all(0 <= v <= 1 for v in f["scores"].values()),
                        f"{f['id']} carries sub-scores between 0 and 1")
        beacons = [f for f in fs if f["type"] == "beaconing"]
        for f in beacons:
            c.check(" every " in f["summary"] and " connections of " in f["summary"],
                    f"beacon sentence: {f['summary']}")
    c.done()


if __name__ == "__main__":
    main()
