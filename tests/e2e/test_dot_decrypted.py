"""analyze --keylog on DNS over TLS (tests/lab/dot/dot.pcap).

The recording (tests/lab/dot/record.sh): dot_lab.py's client against its
server on port 853 — a TLS 1.3 session with three queries on one
connection (two names that resolve, one NXDOMAIN) and a TLS 1.2 session
with one; the client's SSLKEYLOGFILE is dot.keys and what it sent and got
is dot.json.  Checked here:

  - with the key log each exchange is a dns.ndjson row like plain DNS over
    TCP (trans_id, query, qtype, rcode, answers, TTLs) with transport "dot"
    and the TLS connection's uid, in the order sent; ssl.ndjson says
    decrypted with dns inside;
  - --jobs 2 gives the same logs;
  - without a key log: no dns row, two ssl rows;
  - tshark (when installed), given the key log, reads the same exchanges.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "dot")
PCAP = os.path.join(LAB, "dot.pcap")
KEYS = os.path.join(LAB, "dot.keys")


def analyze(case, keylog=None, jobs=1):
    keylog_case.analyze(PCAP, case, keylog, jobs)

TRUTH = json.load(open(os.path.join(LAB, "dot.json")))





def expected():
    return [(q["trans_id"], q["query"], q["qtype"], q["rcode"], q["answers"])
            for s in TRUTH["sessions"] for q in s["queries"]]


def check_decrypted(case):
    ssl = rows(case, "ssl")
    check([(r["id.resp_p"], r["version"], r.get("decryption"), r.get("decrypted_protocol"))
           for r in ssl] == [(853, "TLSv13", "decrypted", "dns"), (853, "TLSv12", "decrypted", "dns")],
          f"ssl rows: {[(r['version'], r.get('decryption'), r.get('decrypted_protocol')) for r in ssl]}")
    dns = rows(case, "dns")
    got = [(r["trans_id"], r["query"], r["qtype"], r["rcode"], r.get("answers", [])) for r in dns]
    check(got == expected(), f"dns rows are the exchanges sent: {got}")
    check(all(r["transport"] == "dot" and r["proto"] == "tcp" for r in dns), "transport dot, proto tcp")
    sessions = [s["queries"] for s in TRUTH["sessions"]]
    uid = [r["uid"] for r in ssl]
    check([r["uid"] for r in dns] == [uid[0]] * len(sessions[0]) + [uid[1]] * len(sessions[1]),
          "each dns row has its TLS connection's uid")
    check(all(r.get("TTLs") == [300.0] for r in dns if r.get("answers")), "TTLs")


def tshark_agrees():
    if not shutil.which("tshark"):
        print("tshark not installed: its check is skipped")
        return
    out = subprocess.run(["tshark", "-r", PCAP, "-o", f"tls.keylog_file:{KEYS}", "-Y",
                          "dns.flags.response == 1", "-T", "fields", "-e", "dns.id", "-e",
                          "dns.qry.name", "-e", "dns.flags.rcode", "-e", "dns.a"],
                         capture_output=True, text=True, check=True).stdout
    got = [tuple(line.split("\t")) for line in out.splitlines()]
    want = [(f"0x{t:04x}", q, str(rc), ",".join(a)) for t, q, _, rc, a in expected()]
    check(got == want, f"tshark reads the same answers: {got}")


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        case = os.path.join(tmp, "keys")
        analyze(case, KEYS)
        check_decrypted(case)
        other = os.path.join(tmp, "j2")
        analyze(other, KEYS, 2)
        same_logs(case, other, "--jobs 2")
        tshark_agrees()
        case = os.path.join(tmp, "nokeys")
        analyze(case)
        check(not rows(case, "dns"), "without keys: no dns row")
        check(len(rows(case, "ssl")) == 2, "without keys: two ssl rows")
    return result()


if __name__ == "__main__":
    sys.exit(main())
