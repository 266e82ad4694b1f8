"""The detection benchmark's real recording (tests/detect/recorded/lab-1.pcap, made by
tests/detect/record.sh with curl and Python clients in network namespaces): an HTTP beacon
(3 s, ±40 %), two beacons from one host behind one address told apart by Host, an
iodine-style and a dnscat2-style tunnel, a connect scan, a UDP scan, a ping sweep and a
3.6 MB upload to a drop site, among browsing.  Every planted attack must be found with the
right hosts, and nothing else reported by the benchmark's detectors."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
CAP = os.path.join(SRC, "tests", "detect", "recorded", "lab-1.pcap")


def main():
    c = z.Checker("detect_recorded")
    with tempfile.TemporaryDirectory() as d:
        case = os.path.join(d, "case")
        rc, err = z.analyze([CAP], case, extra=("--no-carve",))
        c.check(rc in (0, 1), f"exit status {rc} ({err.strip()})")
        res = os.path.join(d, "results.json")
        r = subprocess.run([sys.executable, os.path.join(SRC, "tests", "detect", "score.py"), res,
                            f"{CAP}:{case}:malicious"], capture_output=True, text=True)
        print(r.stdout)
        c.eq(r.returncode, 0, f"score.py ({r.stderr.strip()[-300:]})")
        out = json.load(open(res))
        c.eq(sum(k["plants"] for k in out["kinds"].values()), 9, "nine attacks planted")
        c.eq(out["missed"], [], "every planted attack found")
        c.eq(out["false_positives"], [], "nothing else reported")
        fs = z.read_ndjson(os.path.join(case, "logs", "findings.ndjson"))
        cdn = sorted(f["details"]["server_name"] for f in fs
                     if f["type"] == "beaconing" and f["hosts"][0] == "10.77.1.12")
        c.eq(cdn, ["a.cdn-lab.test", "b.cdn-lab.test"], "two beacons behind one address, by Host")
        ex = [f for f in fs if f["type"] == "exfiltration"]
        c.check(len(ex) == 1 and ex[0]["details"]["upload_connections"] == 2,
                "the POST and the chunked PUT in one exfiltration finding")
    c.done()


if __name__ == "__main__":
    main()
