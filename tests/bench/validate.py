#!/usr/bin/env python3
"""validate.py — check a gencap capture against its truth file with tshark as the oracle.

    tests/bench/validate.py CAPTURE [--keep DIR]

Reads CAPTURE.truth.json and checks, with tshark (Wireshark's own dissectors):
  - packet count, TCP and UDP conversation counts (tshark -z conv,tcp / conv,udp)
  - no expert-info errors (malformed packets) and no warnings other than the scan's RSTs
  - every IP/TCP/UDP checksum is good
  - HTTP requests, status codes, DNS queries/NXDOMAIN, TLS Certificate messages and SNI counts
  - tshark --export-objects http recovers every distinct body, each file's SHA-256 in the truth
  - the certificates tshark sees are the ones the truth lists
Prints one line per check and "N passed, N failed"; exits 1 if any check failed.
Meant for small files (tens of MB): tshark keeps every packet's state in memory.
"""
import collections
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def tshark(*args):
    r = subprocess.run(["nice", "tshark", "-n", *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"validate: tshark {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def count(cap, flt):
    out = tshark("-r", cap, "-Y", flt, "-T", "fields", "-e", "frame.number")
    return sum(1 for line in out.splitlines() if line.strip())


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cap = sys.argv[1]
    keep = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--keep" else None
    truth = json.load(open(cap + ".truth.json"))
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")

    capinfo = subprocess.run(["capinfos", "-c", "-M", cap], capture_output=True, text=True).stdout
    m = re.search(r"Number of packets:\s+(\d+)", capinfo)
    npk = int(m.group(1)) if m else -1
    check("packets", npk == truth["capture"]["packets"], f"tshark {npk}, truth {truth['capture']['packets']}")

    conv_tcp = tshark("-r", cap, "-q", "-z", "conv,tcp").count("<->")
    check("tcp conversations", conv_tcp == truth["tcp"]["conversations"],
          f"tshark {conv_tcp}, truth {truth['tcp']['conversations']}")
    conv_udp = tshark("-r", cap, "-q", "-z", "conv,udp").count("<->")
    check("udp conversations", conv_udp == truth["udp"]["conversations"],
          f"tshark {conv_udp}, truth {truth['udp']['conversations']}")

    expert = tshark("-r", cap, "-q", "-z", "expert")
    sections = dict(re.findall(r"^(Errors|Warns|Notes|Chats) \((\d+)\)", expert, re.M))
    check("no expert errors (malformed)", "Errors" not in sections, f"errors: {sections.get('Errors', 0)}")
    warns = re.search(r"^Warns.*?(?=^\w+ \(|\Z)", expert, re.M | re.S)
    other = []
    if warns:
        for line in warns.group(0).splitlines()[3:]:
            if line.strip() and "Connection reset (RST)" not in line:
                other.append(line.strip())
    expected_rst = truth.get("scan", {}).get("ports", 0)
    rst = int(re.search(r"(\d+)\s+Sequence\s+TCP\s+Connection reset", expert).group(1)) \
        if "Connection reset" in expert else 0
    check("warnings are only the scan's RSTs", not other and rst == expected_rst,
          f"RST {rst} (scan {expected_rst}); other: {other[:5]}")

    out = tshark("-r", cap, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                 "-o", "udp.check_checksum:TRUE", "-Y",
                 "ip.checksum.status==0 || tcp.checksum.status==0 || udp.checksum.status==0",
                 "-T", "fields", "-e", "frame.number")
    bad = sum(1 for line in out.splitlines() if line.strip())
    check("checksums", bad == 0, f"{bad} bad")

    http = truth["http"]
    n = count(cap, "http.request")
    check("http requests", n == http["transactions"], f"tshark {n}, truth {http['transactions']}")
    for code, want in http["status"].items():
        n = count(cap, f"http.response.code=={code}")
        check(f"http status {code}", n == want, f"tshark {n}, truth {want}")

    dns = truth["dns"]
    n = count(cap, "dns.flags.response==0")
    check("dns queries", n == dns["queries"], f"tshark {n}, truth {dns['queries']}")
    n = count(cap, "dns.flags.rcode==3")
    check("dns nxdomain", n == dns["nxdomain"], f"tshark {n}, truth {dns['nxdomain']}")

    tls = truth["tls"]
    out = tshark("-r", cap, "-Y", "tls.handshake.type==11", "-T", "fields", "-e",
                 "tls.handshake.certificate")
    lines = [line for line in out.splitlines() if line.strip()]
    check("tls certificate messages", len(lines) == tls["handshakes"],
          f"tshark {len(lines)}, truth {tls['handshakes']}")
    seen = {hashlib.sha256(bytes.fromhex(h.replace(":", ""))).hexdigest()
            for line in lines for h in line.split(",")}
    known = {c["sha256"] for c in tls["certificates"]}
    check("certificates are the truth's", seen <= known, f"{len(seen)} distinct seen")
    out = tshark("-r", cap, "-Y", "tls.handshake.type==1", "-T", "fields", "-e",
                 "tls.handshake.extensions_server_name")
    snis = collections.Counter(line.strip() for line in out.splitlines() if line.strip())
    check("tls server names", dict(snis) == tls["server_names"], f"{sum(snis.values())} ClientHellos")

    if "beacon" in truth:
        n = count(cap, 'http.request.uri contains "/api/v2/poll"')
        check("beacon polls", n == truth["beacon"]["count"], f"tshark {n}, truth {truth['beacon']['count']}")

    d = keep or tempfile.mkdtemp(prefix="gencap-eo-")
    os.makedirs(d, exist_ok=True)
    tshark("-r", cap, "-q", "--export-objects", f"http,{d}")
    bodies = {b["sha256"]: b for b in truth["http_bodies"]}
    found, stray = set(), []
    for f in os.listdir(d):
        with open(os.path.join(d, f), "rb") as fh:
            h = hashlib.sha256(fh.read()).hexdigest()
        if h in bodies:
            found.add(h)
        else:
            stray.append(f)
    check("exported objects are truth bodies (decoded SHA-256)", not stray,
          f"{len(os.listdir(d))} files, not in truth: {stray[:5]}")
    missing = [b["uri"] for h, b in bodies.items() if h not in found]
    check("every distinct body exported", not missing,
          f"{len(found)}/{len(bodies)} distinct bodies; missing: {missing[:5]}")
    if not keep:
        shutil.rmtree(d)

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
