#!/usr/bin/env python3
"""Validate sample_pcaps/*.truth.json against the captures, using tshark/capinfos/tcpdump.

  tests/lab/check_truth.py [sample_pcaps]

Independent of the recording: it only reads the pcaps and the truth files.
Exit status 0 when every check passes.
"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

D = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../sample_pcaps")
FAILS = []


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        FAILS.append(what)


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def tshark(pcap, flt, *fields):
    args = ["tshark", "-n", "-r", pcap, "-Y", flt, "-T", "fields", "-E", "separator=\t"]
    for f in fields:
        args += ["-e", f]
    return [l.split("\t") for l in run(*args).splitlines() if l.strip()]


def sha256(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def capinfos_packets(p):
    return int(re.search(r"Number of packets:\s+(\d+)", run("capinfos", "-c", "-M", p)).group(1))


def bpf_count(p, flt):
    out = subprocess.run(["tcpdump", "-n", "-r", p, flt], capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def files_meta(truth_caps):
    for name, c in truth_caps.items():
        p = os.path.join(D, name)
        check(os.path.exists(p), f"{name} exists")
        check(sha256(p) == c["sha256"], f"{name} sha256")
        n = capinfos_packets(p)
        check(n == c["packets"], f"{name} packets {n} == {c['packets']}")
        ftype = run("capinfos", "-M", "-T", "-r", "-t", p).split("\t")[-1].strip()
        check(ftype == c["capinfos_file_type"], f"{name} file type {ftype} == {c['capinfos_file_type']}")
        st = c.get("sensor_stats")
        if st:
            check(st["dropped_by_kernel"] == 0 and st["captured"] == n,
                  f"{name}: tcpdump captured {st['captured']}, dropped {st['dropped_by_kernel']}")
        if "first_packet_ts" in c:
            out = run("capinfos", "-a", "-e", "-S", p)
            ts = re.findall(r"packet time:\s+([\d.]+)", out)
            check(ts == [c["first_packet_ts"], c["last_packet_ts"]], f"{name} first/last packet time {ts}")


def incident():
    T = json.load(open(os.path.join(D, "incident.truth.json")))
    caps = T["captures"]
    files_meta(caps)
    total = sum(os.path.getsize(os.path.join(D, f)) for f in caps)
    check(total <= 8 * 1024 * 1024, f"incident captures total {total} bytes <= 8 MB")
    P = {f: os.path.join(D, f) for f in caps}

    # ---- HTTP objects
    exported = {}
    with tempfile.TemporaryDirectory() as tmp:
        for f, p in P.items():
            od = os.path.join(tmp, f)
            os.mkdir(od)
            run("tshark", "-n", "-r", p, "-q", "--export-objects", f"http,{od}")
            for e in os.listdir(od):
                exported.setdefault(sha256(os.path.join(od, e)), []).append((f, e))
    for fi in T["http"]["files"]:
        hit = fi["sha256"] in exported
        how = "decoded"
        if not hit and fi.get("encoded_sha256") in exported:
            hit, how = True, "encoded (tshark exported the gzip bytes)"
        check(hit, f"export-objects has {fi['url']} sha256 {fi['sha256'][:16]} [{how}]")
        if hit:
            check(any(c == fi["capture"] for c, _ in exported.get(fi["sha256"], exported.get(fi.get("encoded_sha256"), []))),
                  f"  ... in {fi['capture']}")
    # gzip on the wire, chunked on the wire
    for fi in T["http"]["files"]:
        p = P[fi["capture"]]
        rows = tshark(p, f'http.response.code=={fi["status"]} && http.response_for.uri contains "{fi["path"]}"',
                      "http.content_encoding", "http.transfer_encoding", "http.content_type")
        check(len(rows) >= 1, f"response for {fi['path']} present")
        if rows:
            enc, te, ct = (rows[0] + ["", "", ""])[:3]
            check((enc or None) == fi["content_encoding"], f"  Content-Encoding {enc!r}")
            check((te or None) == fi["transfer_encoding"], f"  Transfer-Encoding {te!r}")
            check(ct == fi["content_type"], f"  Content-Type {ct!r}")
    # gzip: the encoded bytes as sent, from the TCP stream (follow,tcp,raw)
    for fi in T["http"]["files"]:
        if fi["content_encoding"] != "gzip":
            continue
        p = P[fi["capture"]]
        st = tshark(p, f'http.response && http.response_for.uri contains "{fi["path"]}"', "tcp.stream")[0][0]
        out = run("tshark", "-n", "-r", p, "-q", "-z", f"follow,tcp,raw,{st}")
        srv = b"".join(bytes.fromhex(l.strip()) for l in out.splitlines()
                       if l.startswith("\t") and re.fullmatch(r"[0-9a-f]+", l.strip()))
        i = srv.find(b"Content-Encoding: gzip")
        hs = srv.rfind(b"HTTP/1.1 ", 0, i)
        he = srv.find(b"\r\n\r\n", i) + 4
        n = int(re.search(rb"Content-Length: (\d+)", srv[hs:he]).group(1))
        enc = srv[he:he + n]
        check(hashlib.sha256(enc).hexdigest() == fi["encoded_sha256"] and n == fi["encoded_size"],
              f"gzip body of {fi['path']} as sent: {n} bytes, sha256 {fi['encoded_sha256'][:16]}")
    # keep-alive
    for k in T["http"]["keepalive_connections"]:
        c = [f for f, fi in [(fi["capture"], fi) for fi in T["http"]["files"]] if fi["client_port"] == k["client_port"]]
        p = P[c[0]] if c else list(P.values())[0]
        rows = tshark(p, f"http.request && tcp.srcport=={k['client_port']} && ip.dst=={k['server_ip']}",
                      "http.request.uri")
        check(len(rows) == k["requests"], f"keep-alive {k['client_port']}->{k['server_ip']}: {len(rows)} requests on one connection")
    # hostile filename
    h = T["http"]["hostile_filename"]
    lines = [r[0] for p in P.values() for r in tshark(p, "http.response", "http.response.line")]
    check(any(f'filename="{h["filename"]}"' in l for l in lines), f"Content-Disposition filename {h['filename']!r} on the wire")
    # basic auth
    b = T["http"]["basic_auth"]
    creds = [r[0] for p in P.values() for r in tshark(p, "http.authbasic", "http.authbasic")]
    check(f"{b['user']}:{b['password']}" in creds, f"basic auth {b['user']} seen ({creds})")
    # upload
    u = T["http"]["upload"]
    rows = tshark(P[u["capture"]], 'http.request.method == "POST"', "http.host", "http.request.uri",
                  "http.content_length_header", "ip.dst")
    check(any(r[0] == u["host"] and r[1] == u["path"] and int(r[2]) == u["size"] and r[3] == u["server_ip"] for r in rows),
          f"POST {u['url']} Content-Length {u['size']}")
    check(u["sha256"] in exported, f"upload body sha256 {u['sha256'][:16]} among exported objects")
    # ---- beacon
    bc = T["beacon"]
    rows = tshark(P[bc["capture"]], f'http.request.method=="GET" && http.request.uri=="/beacon" && ip.dst=={bc["server_ip"]}',
                  "frame.time_epoch", "tcp.stream", "http.host", "ip.src", "tcp.dstport")
    check(len(rows) == bc["count"], f"beacon requests {len(rows)} == {bc['count']}")
    check(len({r[1] for r in rows}) == len(rows), "beacon: one TCP connection per request")
    check(all(r[2] == bc["host"] and r[3] == bc["client_ip"] and int(r[4]) == bc["server_port"] for r in rows),
          "beacon host/client/port")
    ts = sorted(float(r[0]) for r in rows)
    iv = [b2 - a for a, b2 in zip(ts, ts[1:])]
    lo, hi = bc["period"] - bc["jitter"] - 0.05, bc["period"] + bc["jitter"] + 0.05
    check(all(lo <= x <= hi for x in iv), f"beacon intervals in [{lo:.2f},{hi:.2f}]: min {min(iv):.3f} max {max(iv):.3f}")
    # ---- scan
    s = T["scan"]
    p = P[s["capture"]]
    syn = tshark(p, f"ip.src=={s['scanner']} && ip.dst=={s['target']} && tcp.flags.syn==1 && tcp.flags.ack==0", "tcp.dstport")
    ports = {int(r[0]) for r in syn}
    scanned = {x for x in ports if s["port_range"][0] <= x <= s["port_range"][1]}
    check(len(scanned) == s["ports_scanned"], f"scan: SYNs to {len(scanned)} ports == {s['ports_scanned']}")
    sa = tshark(p, f"ip.src=={s['target']} && ip.dst=={s['scanner']} && tcp.flags.syn==1 && tcp.flags.ack==1", "tcp.srcport")
    openp = sorted({int(r[0]) for r in sa if s["port_range"][0] <= int(r[0]) <= s["port_range"][1]})
    check(openp == s["open_ports"], f"scan: SYN-ACK from {openp} == {s['open_ports']}")
    rst = tshark(p, f"ip.src=={s['target']} && tcp.flags.reset==1 && tcp.flags.ack==1", "tcp.srcport")
    closed = {int(r[0]) for r in rst} & scanned
    check(len(closed) == s["ports_scanned"] - len(s["open_ports"]), f"scan: RST from {len(closed)} closed ports")
    # ---- DNS
    dns = T["dns"]
    resp = [r for p in P.values() for r in tshark(p, "dns.flags.response==1", "dns.qry.name", "dns.qry.type",
                                                    "dns.flags.rcode", "dns.a", "ip.src")]
    for name, ips in dns["a_records"].items():
        got = {ip for r in resp if r[0] == name and r[1] == "1" for ip in r[3].split(",") if ip}
        check(got == set(ips), f"DNS A {name} -> {sorted(got)}")
    for name in dns["nxdomain"]:
        check(any(r[0] == name and r[2] == "3" for r in resp), f"DNS NXDOMAIN {name}")
    check(all(r[4] == dns["server"] for r in resp), "DNS responses all from the DNS server")
    tu = T["dns_tunnel"]
    q = [r for p in P.values() for r in tshark(p, "dns.flags.response==0 && dns.qry.type==16", "dns.qry.name")]
    tq = [r[0] for r in q if r[0].endswith("." + tu["domain"])]
    check(len(tq) == tu["queries"], f"tunnel TXT queries {len(tq)} == {tu['queries']}")
    check(len(set(tq)) == tu["unique_names"], f"tunnel unique names {len(set(tq))}")
    check(all(len(n.split(".")[0]) == tu["label_length"] and re.fullmatch(r"[a-z2-7]+", n.split(".")[0]) for n in tq),
          "tunnel labels: 40 base32 chars")
    # ---- TLS certificates
    seen = {}
    vers = set()
    for p in P.values():
        for r in tshark(p, "tls.handshake.type==11", "ip.src", "tcp.srcport", "tls.handshake.certificate"):
            for pos, hx in enumerate(r[2].split(",")):
                der = bytes.fromhex(hx.replace(":", ""))
                seen.setdefault(hashlib.sha256(der).hexdigest(), set()).add((f"{r[0]}:{r[1]}", pos, hashlib.sha1(der).hexdigest()))
        vers |= {r[0] for r in tshark(p, "tls.handshake.type==2", "tls.handshake.version")}
    check(vers == {"0x0303"}, f"ServerHello versions {vers} are TLS 1.2 only")
    for c in T["tls"]["certificates"]:
        hits = seen.get(c["sha256"], set())
        check(any(srv == c["server"] and pos == c["chain_position"] and s1 == c["sha1"] for srv, pos, s1 in hits),
              f"certificate {c['subject']} from {c['server']} pos {c['chain_position']}: sha256/sha1 match")
    check(len(seen) == len(T["tls"]["certificates"]), f"{len(seen)} distinct certificates on the wire")


def compare():
    T = json.load(open(os.path.join(D, "compare.truth.json")))
    caps = {T[k]["file"]: T[k] for k in ("a", "b", "b_shifted")}
    files_meta(caps)
    A, B, BS = (os.path.join(D, T[k]["file"]) for k in ("a", "b", "b_shifted"))
    for k in ("a", "b"):
        mx = max(int(r[0]) for r in tshark(os.path.join(D, T[k]["file"]), "frame", "frame.cap_len"))
        check(mx <= 128, f"compare {k}: snaplen 128 (max caplen {mx})")
    for name, d in T["directions"].items():
        flt = f"src host {d['src']} and dst host {d['dst']}"
        na, nb = bpf_count(A, flt), bpf_count(B, flt)
        check((na, nb) == (d["packets_at_a"], d["packets_at_b"]), f"{name}: tcpdump counts A={na} B={nb}")
        first, second = (na, nb) if d["first_point"] == "a" else (nb, na)
        check(first - second == d["lost_between_points"] == d["router_dropped"],
              f"{name}: first-point minus second-point {first - second} == tc dropped {d['router_dropped']}")
        check(second == d["router_sent"], f"{name}: second point {second} == tc sent {d['router_sent']}")
        check(d["router_dropped"] > 0, f"{name}: tbf dropped packets")
    fb = float(tshark(B, "frame.number==1", "frame.time_epoch")[0][0])
    fs = float(tshark(BS, "frame.number==1", "frame.time_epoch")[0][0])
    check(abs(fs - fb - T["b_shifted"]["offset_seconds"]) < 1e-6, f"b_shifted is B + {fs - fb:.6f} s")
    check(capinfos_packets(BS) == capinfos_packets(B), "b_shifted has B's packets")


if __name__ == "__main__":
    incident()
    compare()
    print(f"\n{len(FAILS)} failure(s)" if FAILS else "\nall checks passed")
    sys.exit(1 if FAILS else 0)
