#!/usr/bin/env python3
"""Build sample_pcaps/incident.truth.json and compare.truth.json.

  truth.py WORKDIR OUTDIR

Sources (nothing typed by hand): the servers' and client's JSON-lines logs of what
they actually sent/did, the certificate files (via openssl), the tc counters read
before/after the compare transfer, the capture files themselves (capinfos,
tshark counts) and content.py only for the configured parameters (seeds, period,
jitter) that are not observable otherwise.
"""
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import content  # noqa: E402

WORK, OUT = sys.argv[1], sys.argv[2]


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def read_jsonl(p):
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]


def sha256_file(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def capinfo(p):
    out = run("capinfos", "-c", "-M", "-a", "-e", "-S", p)
    n = int(re.search(r"Number of packets:\s+(\d+)", out).group(1))
    first = re.search(r"First packet time:\s+([\d.]+)", out).group(1)
    last = re.search(r"Last packet time:\s+([\d.]+)", out).group(1)
    ftype = run("capinfos", "-M", "-T", "-r", "-t", p).split("\t")[-1].strip()
    fmt = {"pcap": ("pcap", "us"), "nsecpcap": ("pcap", "ns"), "pcapng": ("pcapng", "us")}[ftype]
    return {"file": os.path.basename(p), "sha256": sha256_file(p), "packets": n,
            "bytes": os.path.getsize(p), "format": fmt[0], "ts_precision": fmt[1],
            "capinfos_file_type": ftype, "first_packet_time": float(first), "last_packet_time": float(last),
            "first_packet_ts": first, "last_packet_ts": last,
            "sensor_stats": sensor_stats(os.path.basename(p)) if "shifted" not in p else None}


def sensor_stats(name):
    """tcpdump's own end-of-capture counters (its stderr), for the file recorded as NAME."""
    base = name.replace(".pcapng", ".pcap")
    with open(os.path.join(WORK, base + ".err")) as f:
        txt = f.read()
    g = lambda what: int(re.search(rf"^(\d+) packets? {what}$", txt, re.M).group(1))
    return {"tool": "tcpdump", "captured": g("captured"), "received_by_filter": g("received by filter"),
            "dropped_by_kernel": g("dropped by kernel")}


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def cert_info(pem):
    der = subprocess.run(["openssl", "x509", "-in", pem, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    txt = run("openssl", "x509", "-in", pem, "-noout", "-nameopt", "RFC2253", "-subject", "-issuer",
              "-serial", "-startdate", "-enddate", "-ext", "subjectAltName")
    g = lambda k: re.search(rf"^{k}=\s*(.*)$", txt, re.M).group(1).strip()

    def date(s):
        return dt.datetime.strptime(" ".join(s.split()), "%b %d %H:%M:%S %Y %Z").strftime("%Y-%m-%dT%H:%M:%SZ")

    san = re.findall(r"DNS:([^,\s]+)", txt)
    subject, issuer = g("subject"), g("issuer")
    self_signed = subject == issuer and subprocess.run(
        ["openssl", "verify", "-CAfile", pem, pem], capture_output=True).returncode == 0
    return {"sha256": hashlib.sha256(der).hexdigest(), "sha1": hashlib.sha1(der).hexdigest(),
            "der_size": len(der), "subject": subject, "issuer": issuer,
            "serial_hex": g("serial").lower(), "not_before": date(g("notBefore")),
            "not_after": date(g("notAfter")), "san_dns": san, "self_signed": self_signed}


def in_capture(t, caps):
    for c in caps:
        if c["first_packet_time"] - 0.001 <= t <= c["last_packet_time"] + 0.001:
            return c["file"]
    return None


def tshark_count(pcap, flt):
    out = run("tshark", "-n", "-r", pcap, "-Y", flt, "-T", "fields", "-e", "frame.number")
    return len(out.split())


def tc_stats(p):
    with open(p) as f:
        txt = f.read()
    m = re.search(r"Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+) requeues (\d+)\)", txt)
    first = txt.splitlines()[0] if txt else ""
    if not m:
        return {"qdisc": first, "sent_bytes": 0, "sent_packets": 0, "dropped": 0, "overlimits": 0}
    return {"qdisc": first, "sent_bytes": int(m.group(1)), "sent_packets": int(m.group(2)),
            "dropped": int(m.group(3)), "overlimits": int(m.group(4))}


def incident():
    slog = read_jsonl(os.path.join(WORK, "server.jsonl"))
    clog = read_jsonl(os.path.join(WORK, "client.jsonl"))
    caps = [capinfo(os.path.join(OUT, f)) for f in ("incident-1.pcap", "incident-2.pcapng")]
    inc = [r for r in slog if in_capture(r["t"], caps)]

    # ---- DNS (from the DNS server's log)
    dns = [r for r in inc if r["kind"] == "dns"]
    a_records, nx, plain = {}, [], []
    tunnel = [r for r in dns if r["qname"].endswith("." + content.TUNNEL_DOMAIN)]
    for r in dns:
        if r in tunnel:
            continue
        plain.append({"qname": r["qname"], "qtype": r["qtype"], "rcode": r["rcode"],
                      "answers": [a[1] for a in r["answers"]], "capture": in_capture(r["t"], caps)})
        if r["rcode"] == "NXDOMAIN":
            if r["qname"] not in nx:
                nx.append(r["qname"])
        elif r["qtype"] == "A":
            a_records[r["qname"]] = sorted({a[1] for a in r["answers"] if a[0] == "A"})

    # ---- HTTP (from the HTTP server's log)
    http = [r for r in inc if r["kind"] == "http"]
    files = []
    for r in http:
        if r["status"] != 200 or r["path"] == "/beacon":
            continue
        f = {"host": r["host"], "server_ip": r["server"], "server_port": r["server_port"],
             "client_ip": r["client"], "client_port": r["client_port"], "method": r["method"],
             "path": r["path"], "url": f"http://{r['host']}{r['path']}", "status": r["status"],
             "content_type": r["content_type"], "content_encoding": r["content_encoding"],
             "transfer_encoding": "chunked" if r["chunked"] else None,
             "content_disposition": r["content_disposition"],
             "size": r["decoded"]["size"], "sha256": r["decoded"]["sha256"],
             "sha1": r["decoded"]["sha1"], "md5": r["decoded"]["md5"],
             "capture": in_capture(r["t"], caps)}
        if r["content_encoding"]:
            f["encoded_size"] = r["encoded"]["size"]
            f["encoded_sha256"] = r["encoded"]["sha256"]
        files.append(f)

    # keep-alive: several responses on one server-side connection (same client port)
    by_conn = {}
    for r in http:
        by_conn.setdefault((r["client"], r["client_port"], r["server"], r["server_port"]), []).append(r)
    keepalive = [{"client_ip": k[0], "client_port": k[1], "server_ip": k[2], "server_port": k[3],
                  "host": v[0]["host"], "requests": len(v), "paths": [x["path"] for x in v],
                  "statuses": [x["status"] for x in v]}
                 for k, v in by_conn.items() if len(v) > 1]

    auth = [r for r in http if "auth_user" in r]
    basic = {"user": next(r["auth_user"] for r in auth if r.get("auth_ok")),
             "password": content.BASIC_PASSWORD,
             "host": auth[0]["host"], "server_ip": auth[0]["server"], "path": auth[0]["path"],
             "attempts": [{"user": r["auth_user"], "status": r["status"]} for r in auth]}

    hostile = [f for f in files if f["content_disposition"] and "filename=" in f["content_disposition"]]
    hostile_fn = re.search(r'filename="([^"]*)"', hostile[0]["content_disposition"]).group(1)

    up = [r for r in inc if r["kind"] == "http_upload"][0]
    cup = [r for r in clog if r["kind"] == "upload"][0]
    assert cup["sha256"] == up["upload_sha256"] and cup["size"] == up["upload_size"]
    upload = {"method": "POST", "host": up["host"], "server_ip": up["server"], "server_port": up["server_port"],
              "client_ip": up["client"], "client_port": up["client_port"], "path": up["path"],
              "url": f"http://{up['host']}{up['path']}", "content_type": up["request_content_type"],
              "size": up["upload_size"], "sha256": up["upload_sha256"], "status": up["status"],
              "capture": in_capture(up["t"], caps)}

    # ---- beacon
    bs = [r for r in http if r["path"] == "/beacon"]
    starts = [r["start"] for r in clog if r["kind"] == "beacon" and in_capture(r["start"], caps)]
    iv = [round(b - a, 3) for a, b in zip(starts, starts[1:])]
    beacon = {"client_ip": bs[0]["client"], "server_ip": bs[0]["server"], "server_port": bs[0]["server_port"],
              "host": bs[0]["host"], "url": f"http://{bs[0]['host']}/beacon", "method": "GET",
              "period": content.BEACON_PERIOD, "jitter": content.BEACON_JITTER, "count": len(bs),
              "new_connection_each_time": len({r["client_port"] for r in bs}) == len(bs),
              "client_ports": [r["client_port"] for r in bs],
              "response_sha256": bs[0]["decoded"]["sha256"], "response_size": bs[0]["decoded"]["size"],
              "first": iso(starts[0]), "last": iso(starts[-1]),
              "intervals_observed": {"min": min(iv), "max": max(iv), "mean": round(sum(iv) / len(iv), 3)},
              "intervals_scheduled": content.beacon_schedule(),
              "capture": in_capture(bs[0]["t"], caps)}

    # ---- scan (client's own observation)
    sc = [r for r in clog if r["kind"] == "scan"][0]
    scan = {"type": "tcp_connect", "scanner": content.CLIENT_IP, "target": sc["target"],
            "target_name": next(k for k, v in content.ZONE_A.items() if v == sc["target"]),
            "ports_scanned": sc["ports"], "port_range": [sc["first"], sc["last"]], "open_ports": sc["open"],
            "capture": in_capture(sc["t"], caps)}

    tun = {"domain": content.TUNNEL_DOMAIN, "qtype": "TXT", "queries": len(tunnel),
           "unique_names": len({r["qname"] for r in tunnel}), "label_length": 40, "label_alphabet": "base32 (a-z2-7)",
           "answers_txt": sum(1 for r in tunnel if r["answers"]),
           "nxdomain": sum(1 for r in tunnel if r["rcode"] == "NXDOMAIN"),
           "client_ip": tunnel[0]["client"], "server_ip": tunnel[0]["server"],
           "capture": in_capture(tunnel[0]["t"], caps)}

    # ---- TLS certificates
    C = os.path.join(WORK, "certs")
    certs = []
    for name, role, sent_by, pos in [("shop.pem", "leaf", "203.0.113.10:443", 0),
                                     ("ca.pem", "ca", "203.0.113.10:443", 1),
                                     ("bad.pem", "leaf", "203.0.113.20:443", 0)]:
        ci = cert_info(os.path.join(C, name))
        ci.update({"role": role, "server": sent_by, "chain_position": pos})
        certs.append(ci)
    tls = {"version": "TLS 1.2", "servers": [
        {"ip": "203.0.113.10", "port": 443, "sni": "www.example-shop.test",
         "chain": ["leaf signed by lab CA", "lab CA"], "clients": ["openssl s_client", "curl"]},
        {"ip": "203.0.113.20", "port": 443, "sni": "update.bad-domain.test",
         "chain": ["self-signed"], "clients": ["openssl s_client"]}],
        "certificates": certs}

    # the recording must have captured everything it was asked to do
    assert beacon["count"] == content.BEACON_COUNT, ("beacons captured", beacon["count"])
    assert tun["queries"] == content.TUNNEL_QUERIES, ("tunnel queries captured", tun["queries"])
    assert scan["ports_scanned"] == len(content.SCAN_PORTS)
    assert len(files) == 7, ("served files captured", len(files))

    # timeline from the client's and servers' logs
    steps = []
    for r in clog:
        if not in_capture(r["t"], caps):
            continue
        k = r["kind"]
        what = {"dns": lambda: f"DNS {'TXT' if r['qtype'] == 16 else 'A'} {r['qname']}",
                "http_get": lambda: f"GET http://{r['host']}{r['path']} -> {r['status']}",
                "upload": lambda: f"POST http://{r['host']}/upload {r['size']} bytes (starts)",
                "scan": lambda: f"connect scan {r['target']} ports {r['first']}-{r['last']} (starts)",
                }.get(k)
        if what and not (k == "dns" and r["qtype"] == 16) and not (k == "http_get" and r["path"] == "/beacon"):
            ev = {"time": iso(r.get("start", r["t"])), "capture": in_capture(r["t"], caps), "event": what()}
            if "start" in r:
                ev["end"] = iso(r["t"])
            steps.append(ev)
    steps.append({"time": iso(min(r["t"] for r in tunnel)), "capture": tun["capture"],
                  "event": f"DNS tunnel: first of {tun['queries']} TXT queries under {tun['domain']}"})
    steps.append({"time": iso(max(r["t"] for r in tunnel)), "capture": tun["capture"],
                  "event": "DNS tunnel: last TXT query"})
    steps.append({"time": beacon["first"], "capture": beacon["capture"], "event": "beacon: first GET /beacon"})
    steps.append({"time": beacon["last"], "capture": beacon["capture"], "event": f"beacon: last ({beacon['count']}th) GET /beacon"})
    for c in caps:  # TLS sessions were made by openssl/curl, not client.py: take them from the capture
        out = run("tshark", "-n", "-r", os.path.join(OUT, c["file"]), "-Y", "tls.handshake.type==1",
                  "-T", "fields", "-e", "frame.time_epoch", "-e", "ip.dst", "-e", "tls.handshake.extensions_server_name")
        for line in out.splitlines():
            t, ip, sni = (line.split("\t") + ["", "", ""])[:3]
            steps.append({"time": iso(float(t)), "capture": c["file"], "event": f"TLS 1.2 handshake to {ip}:443 SNI {sni}"})
    steps.sort(key=lambda e: e["time"])

    truth = {
        "generated_by": "tests/lab/record.sh (tests/lab/truth.py)",
        "recorded_at": iso(caps[0]["first_packet_time"]),
        "captures": {c["file"]: c for c in caps},
        "timeline": steps,
        "sensor": "tcpdump --immediate-mode on the client namespace's interface (cli0), full snaplen; "
                  "incident-1 and incident-2 are two consecutive runs (rotated files); incident-1 "
                  "recorded with nanosecond timestamps, incident-2 recorded as pcap (microseconds) "
                  "and converted to pcapng with editcap -F pcapng",
        "hosts": {"client": content.CLIENT_IP, "dns_server": content.DNS_IP, "router_client_side": "10.77.0.1",
                  "servers": dict(content.ZONE_A)},
        "dns": {"server": content.DNS_IP, "a_records": a_records, "nxdomain": nx, "queries": plain},
        "dns_tunnel": tun,
        "http": {"files": files, "keepalive_connections": keepalive, "basic_auth": basic,
                 "hostile_filename": {"filename": hostile_fn, "url": hostile[0]["url"],
                                      "sha256": hostile[0]["sha256"],
                                      "content_disposition": hostile[0]["content_disposition"]},
                 "upload": upload},
        "beacon": beacon,
        "scan": scan,
        "tls": tls,
    }
    with open(os.path.join(OUT, "incident.truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
        f.write("\n")


def compare():
    A, B, BS = (os.path.join(OUT, f) for f in ("compare-a.pcap", "compare-b.pcap", "compare-b-shifted.pcap"))
    ca, cb, cbs = capinfo(A), capinfo(B), capinfo(BS)
    slog = read_jsonl(os.path.join(WORK, "server.jsonl"))
    big = [r for r in slog if r["kind"] == "http" and r["path"] == "/files/large.bin"][0]
    upl = [r for r in slog if r["kind"] == "http_upload" and r["path"] == "/sync"][0]
    cupl = [r for r in read_jsonl(os.path.join(WORK, "client.jsonl")) if r["kind"] == "compare_upload"][0]
    assert (cupl["size"], cupl["sha256"]) == (upl["upload_size"], upl["upload_sha256"])
    cli, srv = big["client"], big["server"]
    tc = {k: {"before": tc_stats(os.path.join(WORK, f"tc_{k}_before.txt")),
              "after": tc_stats(os.path.join(WORK, f"tc_{k}_after.txt"))} for k in ("rc0", "rs0")}
    for v in tc.values():
        v["dropped_delta"] = v["after"]["dropped"] - v["before"]["dropped"]
        v["sent_packets_delta"] = v["after"]["sent_packets"] - v["before"]["sent_packets"]
    dirs = {}
    for name, src, dst, near, far, dev in [("client_to_server", cli, srv, "a", "b", "rs0"),
                                           ("server_to_client", srv, cli, "b", "a", "rc0")]:
        flt = f"ip.src=={src} && ip.dst=={dst}"
        n = {"a": tshark_count(A, flt), "b": tshark_count(B, flt)}
        lost = n[near] - n[far]
        sent = tc[dev]["sent_packets_delta"]
        dirs[name] = {"src": src, "dst": dst, "packets_at_a": n["a"], "packets_at_b": n["b"],
                      "first_point": near, "second_point": far,
                      "lost_between_points": lost,
                      "router_egress_interface": dev, "router_dropped": tc[dev]["dropped_delta"],
                      "router_sent": sent, "router_sent_equals_second_point": sent == n[far],
                      "consistent": lost == tc[dev]["dropped_delta"],
                      "retransmissions_at_first_point": tshark_count(
                          A if near == "a" else B, flt + " && tcp.analysis.retransmission")}
    other = {"a": tshark_count(A, f"!(ip.addr=={cli} && ip.addr=={srv})"),
             "b": tshark_count(B, f"!(ip.addr=={cli} && ip.addr=={srv})")}
    truth = {
        "generated_by": "tests/lab/record.sh (tests/lab/truth.py)",
        "recorded_at": iso(ca["first_packet_time"]),
        "a": dict(ca, label="A: client side (client namespace, cli0)", snaplen=128),
        "b": dict(cb, label="B: server side (server namespace, srv0)", snaplen=128),
        "b_shifted": dict(cbs, label="B shifted by editcap -t 2.5", source="compare-b.pcap",
                          offset_seconds=2.5),
        "clock_offset_b_shifted_minus_a_added": 2.5,
        "hosts": {"client": {"ip": cli, "side": "a"}, "server": {"ip": srv, "port": big["server_port"],
                                                                  "name": big["host"], "side": "b"}},
        "path": "client 10.77.0.10 -- router (ttl -1) -- server; tbf on both router egresses",
        "bottleneck": ["tc qdisc add dev rc0 root tbf rate 6mbit burst 16kb limit 30kb (router, toward client)",
                       "tc qdisc add dev rs0 root tbf rate 6mbit burst 16kb limit 30kb (router, toward server)"],
        "transfer": {"method": "GET", "url": f"http://{big['host']}{big['path']}", "client_port": big["client_port"],
                     "size": big["decoded"]["size"], "sha256": big["decoded"]["sha256"]},
        "upload": {"method": "POST", "url": f"http://{upl['host']}{upl['path']}", "client_port": upl["client_port"],
                   "size": upl["upload_size"], "sha256": upl["upload_sha256"], "status": upl["status"]},
        "router_qdisc": tc,
        "directions": dirs,
        "other_packets": other,
        "note": "lost_between_points = packets at the first point - packets at the second point "
                "in that direction; equals the router's tc 'dropped' delta on the egress interface, "
                "and the packets at the second point equal the router's tc 'Sent ... pkt' delta",
    }
    with open(os.path.join(OUT, "compare.truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
        f.write("\n")
    for k, d in dirs.items():
        print(f"compare {k}: A={d['packets_at_a']} B={d['packets_at_b']} lost={d['lost_between_points']} "
              f"tc_dropped={d['router_dropped']} tc_sent={d['router_sent']} "
              f"{'OK' if d['consistent'] and d['router_sent_equals_second_point'] else 'MISMATCH'}", file=sys.stderr)


if __name__ == "__main__":
    incident()
    compare()
