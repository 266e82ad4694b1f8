"""--intel and --mmdb on the sample incident (sample_pcaps/incident-*.pcap*,
truth in incident.truth.json).

An intel file names the C2 address, the C2 domain, the beacon's response (a
carved file) by SHA-256, the self-signed certificate of update.bad-domain.test
by fingerprint, and the beacon URL.  Checked:
  - one intel.ndjson row per sighting: the rows per (indicator, seen.where)
    equal the sightings counted independently in conn/dns/http/files/ssl.ndjson
    (and the truth's 40 beacons), each pointing at its connection and frame;
  - one intel_match finding per indicator, severity from the feed, in
    findings.ndjson, the HTML report (as Chromium renders it) and the workbook;
  - a malformed intel file's bad lines are named (file:line) and skipped;
  - the intel files are kept with the case (SHA-256 in case.json) and applied
    again when a capture is added: the result equals one run over both;
  - with test MMDBs (tests/tools/make_test_mmdb.pl), hosts.ndjson and the
    report's host table name the AS and organisation of external hosts; a
    corrupt MMDB gives one error, exit status 1, and logs byte-identical to a
    run without it;
  - without --intel and --mmdb, no intel.ndjson and no host owner fields.
"""
import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402
from test_report import sheet_rows  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(SRC, "sample_pcaps")
CAPS = [os.path.join(SAMPLES, "incident-1.pcap"), os.path.join(SAMPLES, "incident-2.pcapng")]


def truth():
    with open(os.path.join(SAMPLES, "incident.truth.json")) as f:
        return json.load(f)


def indicators(t):
    """The five indicators, from the truth: (text, Zeek type, severity)."""
    c2_name = "c2.bad-domain.test"
    c2 = t["hosts"]["servers"][c2_name]
    cert = next(c for c in t["tls"]["certificates"]
                if c["server"].startswith(t["hosts"]["servers"]["update.bad-domain.test"])
                and c["self_signed"])
    return [(c2, "Intel::ADDR", "high"),
            (c2_name, "Intel::DOMAIN", "high"),
            (t["beacon"]["response_sha256"], "Intel::FILE_HASH", "medium"),
            (cert["sha256"], "Intel::CERT_HASH", "low"),
            (t["beacon"]["url"], "Intel::URL", "-")]


def write_intel(path, inds):
    with open(path, "w") as f:
        f.write("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.severity\n")
        for text, typ, sev in inds:
            f.write(f"{text}\t{typ}\tlab-ir\t{typ} of the lab incident\t{sev}\n")


def run(out, extra=(), caps=CAPS):
    r = subprocess.run([z.PCAPCASE, "analyze", "--quiet", "-o", out, *extra, *caps],
                       capture_output=True, text=True, timeout=600)
    return r.returncode, r.stderr


def logs(out, name):
    return z.read_ndjson(os.path.join(out, "logs", name + ".ndjson"))


def expected_sightings(out, t, inds):
    """{(indicator as shown, seen.where): count} from the other logs."""
    (c2, _, _), (name, _, _), (sha, _, _), (fp, _, _), (url, _, _) = inds
    conn, dns, http, files, ssl = (logs(out, n) for n in ("conn", "dns", "http", "files", "ssl"))
    short_url = url.split("://", 1)[1]
    return {
        (c2, "Conn::IN_ORIG"): sum(r["id.orig_h"] == c2 for r in conn),
        (c2, "Conn::IN_RESP"): sum(r["id.resp_h"] == c2 for r in conn),
        (c2, "DNS::IN_RESPONSE"): sum(c2 in r.get("answers", []) for r in dns),
        (name, "DNS::IN_REQUEST"): sum(r.get("query") == name for r in dns),
        (name, "HTTP::IN_HOST_HEADER"): sum(r.get("host") == name for r in http),
        (short_url, "HTTP::IN_URL"): sum(r.get("host", "") + r.get("uri", "") == short_url
                                         for r in http),
        (sha, "Files::IN_HASH"): sum(r.get("sha256") == sha for r in files),
        (fp, "X509::IN_CERT"): sum(fp in r.get("cert_chain_fps", []) for r in ssl),
    }


def check_sightings(c, out, t, inds):
    rows = logs(out, "intel")
    got = {}
    for r in rows:
        for ind in r["indicators"]:
            got[(ind, r["seen.where"])] = got.get((ind, r["seen.where"]), 0) + 1
    want = {k: v for k, v in expected_sightings(out, t, inds).items() if v}
    c.eq(got, want, "intel.ndjson rows per (indicator, seen.where)")
    c.eq(want.get((inds[0][0], "Conn::IN_RESP")), t["beacon"]["count"],
         "C2 connections = the truth's beacons")
    c.eq(want.get((inds[4][0].split("://", 1)[1], "HTTP::IN_URL")), t["beacon"]["count"],
         "beacon URL requests = the truth's beacons")
    uids = {r["uid"] for n in ("conn",) for r in logs(out, n)}
    c.check(all(r["uid"] in uids for r in rows), "every intel row names a connection of conn.ndjson")
    c.check(all(r["pcap"] in ("incident-1.pcap", "incident-2.pcapng") and r["frame"] > 0
                for r in rows), "every intel row points at a capture and frame")
    c.check(all(r["sources"] == ["lab-ir"] and r["matched"] == [r["seen.indicator_type"]]
                for r in rows), "sources and matched")
    files = {r["fuid"]: r for r in logs(out, "files")}
    hashed = [r for r in rows if r["seen.where"] == "Files::IN_HASH"]
    c.check(hashed and all(files[r["fuid"]]["sha256"] == r["seen.indicator"] for r in hashed),
            "file sightings name their fuid")
    return rows


def check_findings(c, out, inds):
    found = [f for f in logs(out, "findings") if f["type"] == "intel_match"]
    c.eq(len(found), len(inds), "one intel_match finding per indicator")
    by_ind = {f["details"]["indicator"]: f for f in found}
    for text, typ, sev in inds:
        shown = text.split("://", 1)[1] if typ == "Intel::URL" else text
        f = by_ind.get(shown)
        c.check(f is not None, f"a finding for {shown}")
        if f:
            c.eq(f["severity"], "high" if sev == "-" else sev, f"severity of {shown}")
            c.check(shown in f["summary"], f"summary names {shown}")
    return found


def check_report(c, out, found, nrows):
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          "file://" + os.path.abspath(os.path.join(out, "report.html"))],
                         capture_output=True, text=True, timeout=120).stdout
    c.check('id="intel"' in dom and "Intel matches" in dom, "report has the intel section")
    for f in found:
        c.check(f["summary"].replace("&", "&amp;") in dom, f"report shows: {f['summary'][:60]}")
    sheets = sheet_rows(os.path.join(out, "report.xlsx"))
    c.eq(len(sheets.get("Intel", [])) - 1, nrows, "workbook Intel sheet rows")
    fs = sheets.get("Findings", [])
    c.eq(sum(any(v == "intel_match" for v in row) for row in fs), len(found),
         "workbook Findings has the intel findings")
    return dom


def check_bad_lines(c, tmp, plain):
    bad = os.path.join(tmp, "bad.intel")
    with open(bad, "w") as f:
        f.write("#fields\tindicator\tindicator_type\tmeta.source\n"
                "203.0.113.66\tIntel::ADDR\tx\n"
                "203.0.113.999\tIntel::ADDR\tx\n"
                "c2.bad-domain.test Intel::DOMAIN x\n")
    out = os.path.join(tmp, "bad")
    rc, err = run(out, ["--intel", bad])
    c.eq(rc, 0, "bad intel lines do not stop the run")
    c.check(f"{bad}:3: '203.0.113.999' as Intel::ADDR: not an IPv4 or IPv6 address; line skipped"
            in err, "bad address named with file and line")
    c.check(f"{bad}:4: 1 field where #fields names 3" in err, "bad separator named")
    info = json.load(open(os.path.join(out, "case.json")))["intel"]["files"][0]
    c.eq((info["lines"], info["indicators"], info["bad_lines"]), (4, 1, 2), "case.json counts")
    c.check(len(logs(out, "intel")) > 0, "the good line still matches")
    for n in ("conn", "dns", "http", "files", "ssl", "x509", "hosts"):
        c.check(filecmp.cmp(os.path.join(out, "logs", n + ".ndjson"),
                            os.path.join(plain, "logs", n + ".ndjson"), shallow=False),
                f"bad intel lines leave {n}.ndjson as without --intel")


def check_kept_with_case(c, tmp, intel, whole):
    out = os.path.join(tmp, "added")
    rc, _ = run(out, ["--intel", intel], CAPS[:1])
    c.eq(rc, 0, "first capture with --intel")
    rc, _ = run(out, [], CAPS[1:])
    c.eq(rc, 0, "second capture added without --intel")
    for n in ("intel", "findings", "conn", "hosts"):
        c.check(filecmp.cmp(os.path.join(out, "logs", n + ".ndjson"),
                            os.path.join(whole, "logs", n + ".ndjson"), shallow=False),
                f"{n}.ndjson after adding a capture equals one run over both")
    files = json.load(open(os.path.join(out, "case.json")))["intel"]["files"]
    sha = hashlib.sha256(open(intel, "rb").read()).hexdigest()
    c.eq([(f["path"], f["sha256"]) for f in files], [(os.path.realpath(intel), sha)],
         "case.json keeps the intel file with its SHA-256")


MMDB_WRITER_MODULE = "MaxMind::DB::Writer::Tree"


def make_mmdbs(c, tmp):
    """The test MMDBs, or None (the part skipped) when the Perl writer is not
    installed; a writer that is there but fails is a failure."""
    if subprocess.run(["perl", "-M" + MMDB_WRITER_MODULE, "-e", "1"],
                      capture_output=True).returncode != 0:
        c.skip("mmdb checks", f"the test MMDBs cannot be made: Perl's {MMDB_WRITER_MODULE} is "
               "missing (install libmaxmind-db-writer-perl; setup.sh does)")
        return None
    r = subprocess.run(["perl", os.path.join(SRC, "tests", "tools", "make_test_mmdb.pl"), tmp],
                       capture_output=True, text=True)
    c.eq(r.returncode, 0, "tests/tools/make_test_mmdb.pl makes the test MMDBs: "
         + r.stderr.strip()[:200])
    if r.returncode != 0:
        return None
    return [os.path.join(tmp, "test-asn.mmdb"), os.path.join(tmp, "test-city.mmdb")]


def check_mmdb(c, tmp, plain):
    dbs = make_mmdbs(c, tmp)
    if not dbs:
        return
    out = os.path.join(tmp, "geo")
    rc, err = run(out, ["--mmdb", dbs[0], "--mmdb", dbs[1]])
    c.eq(rc, 0, "--mmdb run")
    hosts = {h["ip"]: h for h in logs(out, "hosts")}
    t = truth()
    c2 = t["hosts"]["servers"]["c2.bad-domain.test"]
    want = {c2: (64511, "Bulletproof Lab Hosting Ltd", "SC", "Victoria"),
            t["hosts"]["servers"]["www.example-shop.test"]: (64500, "Example Shop Hosting B.V.",
                                                             "NL", "Amsterdam"),
            t["hosts"]["dns_server"]: (64496, "Lab Resolver Networks GmbH", "DE",
                                       "Frankfurt am Main")}
    for ip, (asn, org, cc, city) in want.items():
        h = hosts.get(ip, {})
        c.eq((h.get("asn"), h.get("as_org"), h.get("country_code"), h.get("city")),
             (asn, org, cc, city), f"hosts.ndjson owner of {ip}")
    c.check("asn" not in hosts[t["hosts"]["client"]], "the internal client has no owner")
    c.check(os.path.exists(os.path.join(out, "charts", "top_organisations.png")),
            "top organisations chart")
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          "file://" + os.path.abspath(os.path.join(out, "report.html"))],
                         capture_output=True, text=True, timeout=120).stdout
    hosts_part = dom[dom.find('id="hosts"'):]
    c.check(">as_org<" in hosts_part and ">Bulletproof Lab Hosting Ltd<" in hosts_part
            and ">64511<" in hosts_part, "report host table names the C2's AS and organisation")
    mm = json.load(open(os.path.join(out, "case.json")))["mmdb"]
    c.eq([(m["path"], m["database_type"]) for m in mm],
         [(dbs[0], "pcapcase-Test-ASN"), (dbs[1], "pcapcase-Test-City")], "case.json mmdb")
    # a corrupt database: one error, nothing else changes
    corrupt = os.path.join(tmp, "corrupt.mmdb")
    data = bytearray(open(dbs[0], "rb").read())
    data[0:6] = b"\xff" * 6
    open(corrupt, "wb").write(bytes(data))
    out2 = os.path.join(tmp, "corrupt")
    rc, err = run(out2, ["--mmdb", corrupt])
    c.eq(rc, 1, "a corrupt MMDB: exit status 1 (done, an input unusable)")
    lines = [l for l in err.splitlines() if "corrupt.mmdb" in l]
    c.eq(lines, [f"pcapcase: --mmdb {corrupt}: damaged MaxMind DB file (The MaxMind DB file's "
                 "search tree is corrupt); not used"], "one clear error")
    for n in sorted(os.listdir(os.path.join(plain, "logs"))):
        c.check(filecmp.cmp(os.path.join(out2, "logs", n), os.path.join(plain, "logs", n),
                            shallow=False), f"corrupt MMDB leaves {n} as without it")
    c.check("error" in json.load(open(os.path.join(out2, "case.json")))["mmdb"][0],
            "case.json says why the MMDB is not used")


def main():
    c = z.Checker("intel")
    t = truth()
    inds = indicators(t)
    tmp = tempfile.mkdtemp(prefix="pcapcase-intel-")
    try:
        intel = os.path.join(tmp, "lab.intel")
        write_intel(intel, inds)
        plain = os.path.join(tmp, "plain")
        rc, _ = run(plain)
        c.eq(rc, 0, "run without --intel")
        c.check(not os.path.exists(os.path.join(plain, "logs", "intel.ndjson")),
                "no intel.ndjson without --intel")
        c.check(all("asn" not in h for h in logs(plain, "hosts")), "no owners without --mmdb")
        out = os.path.join(tmp, "case")
        rc, err = run(out, ["--intel", intel, "--jobs", "2"])
        c.eq(rc, 0, "--intel run")
        rows = check_sightings(c, out, t, inds)
        found = check_findings(c, out, inds)
        check_report(c, out, found, len(rows))
        for n in ("conn", "dns", "http", "files", "ssl", "x509", "hosts"):
            c.check(filecmp.cmp(os.path.join(out, "logs", n + ".ndjson"),
                                os.path.join(plain, "logs", n + ".ndjson"), shallow=False),
                    f"--intel leaves {n}.ndjson as it was")
        check_bad_lines(c, tmp, plain)
        check_kept_with_case(c, tmp, intel, out)
        check_mmdb(c, tmp, plain)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.done()


if __name__ == "__main__":
    main()
