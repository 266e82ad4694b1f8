"""The project's own recordings (sample_pcaps/) against their truth files.

incident-*.pcap: every served file carved with the right hashes, the upload
carved as a request body, the hostile Content-Disposition name logged
sanitised and never used as a path, the planted events raised as findings
(beacon with its period, scan with its port count, DNS tunnel, exfiltration,
cleartext credentials, self-signed certificate), NXDOMAIN answers, the
certificates with their fingerprints, subjects, issuers and serials.
compare-*.pcap: exactly the drops the router counted per direction, and the
applied clock offset within a millisecond.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(SRC, "sample_pcaps")


def incident(c, out):
    truth = json.load(open(os.path.join(SAMPLES, "incident.truth.json")))
    pcaps = [os.path.join(SAMPLES, n) for n in truth["captures"]]
    rc, err = z.analyze(pcaps, out)
    c.eq(rc, 0, f"analyze exit status ({err.strip()})")
    case = json.load(open(os.path.join(out, "case.json")))
    ev = {e["name"]: e for e in case["evidence"]}
    for name, t in truth["captures"].items():
        c.eq(ev.get(name, {}).get("sha256"), t["sha256"], f"{name}: SHA-256 in case.json")
        c.eq(ev.get(name, {}).get("packets"), t["packets"], f"{name}: packets")
    fs = case["findings_summary"]
    tl = case["timeline"]
    c.check([e["ts"] for e in tl] == sorted(e["ts"] for e in tl), "timeline in time order")
    for name, t in truth["captures"].items():
        starts = [e["ts"] for e in tl if e["kind"] == "capture" and e["ref"] == name]
        c.eq(starts, [ev[name]["first_ts"], ev[name]["last_ts"]] if name in ev else None,
             f"{name}: start and end on the timeline")
    fl = z.read_ndjson(os.path.join(out, "logs", "findings.ndjson"))
    for f in fl:
        c.check(any(e["ref"] == f["id"] and e["ts"] == f["ts"] and "begins" in e["event"]
                    for e in tl), f"{f['id']} begins on the timeline at its first evidence")
    beacon = [f for f in fl if f["type"] == "beaconing"]
    if beacon:
        c2 = [h for h in beacon[0]["hosts"] if h != "10.77.0.10"]
        hosts = {h["ip"]: h for h in z.read_ndjson(os.path.join(out, "logs", "hosts.ndjson"))}
        c.check(c2 and any(e["kind"] == "host" and e["ref"] == c2[0] and
                           e["ts"] == hosts[c2[0]]["first_ts"] for e in tl),
                "the beacon's server: first seen on the timeline")
    c.check(fs["high"] >= 1 and fs["by_type"].get("beaconing") == 1, "findings summary in case.json")
    files = z.read_ndjson(os.path.join(out, "logs", "files.ndjson"))
    by_sha = {f["sha256"]: f for f in files}
    for f in truth["http"]["files"]:
        o = by_sha.get(f["sha256"])
        c.check(o is not None, f"served file {f['url']} not carved")
        if o:
            c.eq(o.get("sha1"), f["sha1"], f"{f['url']} sha1")
            c.eq(o.get("md5"), f["md5"], f"{f['url']} md5")
            c.eq(o.get("seen_bytes"), f["size"], f"{f['url']} size")
            c.check(os.path.exists(os.path.join(out, o["extracted"])), f"{f['url']} artifact file")
    up = truth["http"]["upload"]
    o = by_sha.get(up["sha256"])
    c.check(o is not None and o["is_orig"] is True, "upload carved as a request body")
    hf = truth["http"]["hostile_filename"]
    o = by_sha.get(hf["sha256"])
    c.check(o is not None, "file with hostile Content-Disposition carved")
    if o:
        c.check("/" not in o.get("filename", "") and ".." not in o.get("filename", "")[:2],
                f"hostile filename sanitised: {o.get('filename')!r}")
    c.check(not os.path.exists(os.path.join(out, "..", "etc", "passwd")) and
            not os.path.exists(os.path.join(out, "artifacts", "passwd")),
            "nothing written under a name from the traffic")
    for p in os.listdir(os.path.join(out, "artifacts")):
        c.check(len(p) == 64 and all(ch in "0123456789abcdef" for ch in p),
                f"artifact not named by SHA-256: {p}")
    findings = z.read_ndjson(os.path.join(out, "logs", "findings.ndjson"))
    types = {}
    for f in findings:
        types.setdefault(f["type"], []).append(f)
    b = truth["beacon"]
    beac = [f for f in types.get("beaconing", []) if b["server_ip"] in f["hosts"]]
    c.check(len(beac) == 1, "one beaconing finding for the C2 server")
    if beac:
        d = beac[0]["details"]
        c.check(abs(d["period"] - b["period"]) < 0.15, f"beacon period {d['period']} vs {b['period']}")
        c.eq(d["connections"], b["count"], "beacon connections")
        c.check(beac[0]["evidence"] and beac[0]["evidence"][0]["frames"], "beacon evidence frames")
    s = truth["scan"]
    scans = [f for f in types.get("port_scan", []) if s["target"] in f["hosts"]]
    c.check(len(scans) == 1, "one port-scan finding for the target")
    if scans:
        c.check(scans[0]["details"]["targets"] >= s["ports_scanned"],
                f"scan ports {scans[0]['details']['targets']} >= {s['ports_scanned']}")
    tun = truth["dns_tunnel"]
    t = [f for f in types.get("dns_tunnel", []) if tun["domain"].endswith(f["details"]["domain"])]
    c.check(len(t) == 1 and t[0]["details"]["encoded_names"] == tun["unique_names"],
            "DNS tunnel finding with every encoded name")
    c.check(any(up["server_ip"] in f["hosts"] for f in types.get("exfiltration", [])),
            "exfiltration finding for the upload")
    c.check(any("admin" in f["summary"] and "hunter2" not in f["summary"]
                for f in types.get("cleartext_credentials", [])),
            "cleartext credentials found, password not shown")
    ba = truth["http"]["basic_auth"]
    creds = [r for r in z.read_ndjson(os.path.join(out, "logs", "credentials.ndjson"))
             if r.get("proto") == "http-basic" and r.get("username") == ba["user"]]
    c.check(bool(creds), "credentials.ndjson has the HTTP Basic login")
    c.check(all(r.get("secret") == ba["password"] and r.get("mechanism") == "Basic"
                for r in creds), "the HTTP Basic row carries the password as sent")
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    c.check(ba["password"] not in html, "the report hides the HTTP Basic password")
    dns = z.read_ndjson(os.path.join(out, "logs", "dns.ndjson"))
    nx = {r["query"] for r in dns if r.get("rcode_name") == "NXDOMAIN"}
    for name in truth["dns"]["nxdomain"]:
        c.check(name in nx, f"NXDOMAIN for {name}")
    for name, addrs in truth["dns"]["a_records"].items():
        got = {a for r in dns if r.get("query") == name for a in r.get("answers", [])}
        c.check(set(addrs) <= got, f"A answers for {name}")
    x509 = {r["fingerprint"]: r for r in z.read_ndjson(os.path.join(out, "logs", "x509.ndjson"))}
    for cert in truth["tls"]["certificates"]:
        o = x509.get(cert["sha256"])
        c.check(o is not None, f"certificate {cert['subject']} missing")
        if o:
            c.eq(o["certificate.subject"], cert["subject"], "certificate subject")
            c.eq(o["certificate.issuer"], cert["issuer"], "certificate issuer")
            c.eq(o["certificate.serial"].lower().lstrip("0"), cert["serial_hex"].lower().lstrip("0"),
                 "certificate serial")
            c.eq(o["self_signed"], cert["self_signed"], "self_signed")
            c.eq(o.get("san.dns", []), cert["san_dns"], "SAN DNS")
            c.check(os.path.exists(os.path.join(out, "certs", cert["sha256"] + ".der")), "DER saved")
    selfs = [f for f in types.get("tls_self_signed", [])]
    c.check(any("update.bad-domain.test" in f["summary"] for f in selfs),
            "self-signed certificate finding")
    conn = z.read_ndjson(os.path.join(out, "logs", "conn.ndjson"))
    c2 = [r for r in conn if r["id.resp_h"] == b["server_ip"]]
    c.check(all(r.get("resp_name") == b["host"] for r in c2), "resp_name from passive DNS")


def compare(c, out):
    truth = json.load(open(os.path.join(SAMPLES, "compare.truth.json")))
    for b_file, offset in (("compare-b.pcap", 0.0),
                           ("compare-b-shifted.pcap", truth["clock_offset_b_shifted_minus_a_added"])):
        d = os.path.join(out, b_file)
        r = subprocess.run([z.PCAPCASE, "compare", "-q", "-o", d,
                            os.path.join(SAMPLES, "compare-a.pcap"), os.path.join(SAMPLES, b_file)],
                           capture_output=True, text=True, timeout=300)
        c.eq(r.returncode, 0, f"compare {b_file}: exit status")
        s = json.load(open(os.path.join(d, "compare.json")))
        for name, dirn in truth["directions"].items():
            key = "a_to_b" if dirn["first_point"] == "a" else "b_to_a"
            c.eq(s[key]["lost_between_points"], dirn["router_dropped"],
                 f"{b_file} {name}: lost = router's dropped counter")
            c.eq(s[key]["only_at_far_point"], 0, f"{b_file} {name}: nothing injected")
            # the transfer is TCP: every dropped segment was sent again
            c.eq(s[key]["retransmissions_lost_between_points"], dirn["router_dropped"],
                 f"{b_file} {name}: retransmissions lost between = router's dropped counter")
            flows = [json.loads(x) for x in open(os.path.join(d, "logs", "flows.ndjson"))]
            for k in ("tcp_retransmissions", "retransmissions_lost_between_points"):
                c.eq(sum(f[key][k] for f in flows), s[key][k], f"{b_file} {name}: flows add up to {k}")
        got = s["clock_offset_b_minus_a"]["seconds"]
        c.check(abs(got - offset) < 1e-3, f"{b_file}: offset {got} vs {offset}")


def main():
    c = z.Checker("sample_truth")
    with tempfile.TemporaryDirectory() as out:
        incident(c, out)
    with tempfile.TemporaryDirectory() as out:
        compare(c, out)
    c.done()


if __name__ == "__main__":
    main()
