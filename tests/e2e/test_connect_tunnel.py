"""CONNECT tunnels: what follows a CONNECT answered 2xx is analysed as a new
connection, linked to the CONNECT by the connection's uid.

On tests/recordings/connect (recorded by tests/lab/record_connect.sh: curl
--proxytunnel through a small CONNECT proxy to nginx, TLS 1.3 and plain
HTTP; a refused CONNECT then an accepted one on the same connection; SMTP
whose banner comes in the same segment as the proxy's 200; 64 bytes of no
protocol; SMTP switched to TLS by STARTTLS), truth in truth.json:

  - the CONNECT rows say what the tunnel carried (tunnel: ssl, http, smtp,
    unknown with the weird connect_tunnel_unidentified), the refused one
    has no tunnel and the HTTP after it is read;
  - conn.ndjson's service is Zeek's list (http,ssl / http,smtp);
  - the TLS inside: ssl.ndjson with the SNI, the certificate's SHA-256,
    ja3 as tshark computes it, x509.ndjson and certs/<sha256>.der, all with
    the connection's uid; with --keylog it is decrypted too and /tls.bin is
    carved with the served file's SHA-256 (decrypted: true);
  - plain HTTP inside: the inner GET rows and the carved files equal the
    served files; file ids stay unique (trans_depth starts again at 1 in
    the tunnel);
  - SMTP inside: the smtp row and the .eml (the banner after the 200 in the
    same segment is not lost); after STARTTLS inside the tunnel, the TLS is
    read (ssl row with its SNI on the same uid, service http,ssl) and, with
    the key log, decrypted: the transaction inside TLS inside the tunnel
    (smtp row tls + decrypted) and its .eml (decrypted: true).

Built captures (pcapgen): a client that sends its first tunnelled request in
the CONNECT's segment, before the answer — tunnelled when answered 200, read
as HTTP on the proxy connection when answered 407.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pcapgen  # noqa: E402

SOURCE = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PCAPCASE = os.environ.get("PCAPCASE", os.path.join(SOURCE, "build", "pcapcase"))
REC = os.path.join(SOURCE, "tests", "recordings", "connect")
TRUTH = json.load(open(os.path.join(REC, "truth.json")))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def analyze(case, pcap, *extra):
    r = subprocess.run([PCAPCASE, "analyze", "-q", "-j", "1", "-o", case, *extra, pcap],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"analyze {os.path.basename(pcap)} {extra}: exit {r.returncode} "
          f"{r.stderr.strip()}")


def rows(case, log):
    path = os.path.join(case, "logs", log + ".ndjson")
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


def sha_file(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest() if os.path.exists(path) else None


def recorded(tmp):
    with_keys = os.path.join(tmp, "keys")
    analyze(with_keys, os.path.join(REC, "connect.pcap"), "--keylog",
            os.path.join(REC, "connect.keys"))
    http = rows(with_keys, "http")
    connects = [h for h in http if h.get("method") == "CONNECT"]
    check([(h["status_code"], h.get("tunnel")) for h in connects] ==
          [(200, "ssl"), (200, "http"), (403, None), (200, "http"), (200, "smtp"),
           (200, "unknown"), (200, "smtp")], f"CONNECT rows: {[(h['status_code'], h.get('tunnel')) for h in connects]}")
    check(connects[5].get("weird") == "connect_tunnel_unidentified",
          f"unknown tunnel's weird: {connects[5].get('weird')}")
    names = ["tls", "plain", "refused", "", "smtp", "unknown", "starttls"]
    uid = {name: connects[i]["uid"] for i, name in enumerate(names) if name}
    check(len(set(h["uid"] for h in connects)) == 6, "one CONNECT row per proxy connection but "
          "the refused/accepted pair")

    services = {c["uid"]: c.get("service") for c in rows(with_keys, "conn")}
    check(services.get(uid["tls"]) == "http,ssl", f"service of the TLS tunnel: {services}")
    check(services.get(uid["smtp"]) == "http,smtp", f"service of the SMTP tunnel: {services}")
    check(services.get(uid["plain"]) == "http", f"service of the HTTP tunnel: {services}")
    check(services.get(uid["unknown"]) == "http", f"service of the unknown tunnel: {services}")
    check(services.get(uid["starttls"]) == "http,ssl", f"service after STARTTLS: {services}")

    ssl = rows(with_keys, "ssl")
    check([(r["uid"], r.get("server_name")) for r in ssl] ==
          [(uid["tls"], TRUTH["server_name"]), (uid["starttls"], "mail.pcapcase.test")],
          f"ssl rows {[(r['uid'], r.get('server_name')) for r in ssl]}")
    s = ssl[0] if ssl else {}
    check(s.get("uid") == uid["tls"], "the ssl row carries the CONNECT's uid")
    check(s.get("server_name") == TRUTH["server_name"], f"SNI {s.get('server_name')}")
    check(s.get("cert_chain_fps") == [TRUTH["cert_sha256"]], f"chain {s.get('cert_chain_fps')}")
    check(s.get("version") == "TLSv13" and s.get("established") is True, "TLS 1.3, established")
    check(s.get("decryption") == "decrypted", f"decryption: {s.get('decryption')}")
    if shutil.which("tshark"):
        ja3 = subprocess.run(["tshark", "-r", os.path.join(REC, "connect.pcap"), "-Y",
                              "tls.handshake.type==1", "-T", "fields", "-e", "tls.handshake.ja3"],
                             capture_output=True, text=True).stdout.split()
        check(ja3 == [r.get("ja3") for r in ssl], f"ja3 {[r.get('ja3') for r in ssl]} vs tshark {ja3}")
    x509 = rows(with_keys, "x509")
    check([x.get("fingerprint") for x in x509] == [TRUTH["cert_sha256"]], "x509 row")
    check(x509 and uid["tls"] in x509[0].get("seen_in", []), "x509 seen_in has the uid")
    check(sha_file(os.path.join(with_keys, "certs", TRUTH["cert_sha256"] + ".der")) ==
          TRUTH["cert_sha256"], "certs/<sha256>.der")

    inner = {(h["uid"], h.get("uri")): h for h in http if h.get("method") == "GET"}
    files = {f["fuid"]: f for f in rows(with_keys, "files")}
    check(len(files) == len(rows(with_keys, "files")), "file ids unique")
    for who, path, decrypted in [("tls", "/tls.bin", True), ("plain", "/plain.bin", None),
                                 ("refused", "/second.bin", None)]:
        h = inner.get((uid[who], path))
        check(h is not None and h.get("trans_depth") == 1, f"inner GET {path} on {uid[who]}")
        if not h:
            continue
        check(h.get("decrypted") is decrypted, f"{path} decrypted: {h.get('decrypted')}")
        f = files.get((h.get("resp_fuids") or [""])[0], {})
        check(f.get("sha256") == TRUTH["files"][path], f"{path} sha256 {f.get('sha256')}")
        check(sha_file(os.path.join(with_keys, f.get("extracted", "-"))) == TRUTH["files"][path],
              f"{path} artifact")

    # SMTP in the tunnel, and SMTP in the tunnel after STARTTLS: with the key log
    # (the client's keys too), the STARTTLS row and then the transaction read
    # inside TLS inside the tunnel
    smtp = rows(with_keys, "smtp")
    got = [(r["uid"], r.get("tls"), r.get("decrypted")) for r in smtp]
    check(got == [(uid["smtp"], False, None), (uid["starttls"], True, None),
                  (uid["starttls"], True, True)], f"smtp rows {got}")
    for r in (smtp[0], smtp[-1]) if smtp else ():
        check(r.get("mailfrom") == "alice@pcapcase.test" and
              r.get("rcptto") == ["bob@pcapcase.test"] and
              r.get("subject") == "through the tunnel", f"smtp row {r}")
    starttls_ssl = [r for r in ssl if r["uid"] == uid["starttls"]]
    check([(r.get("decryption"), r.get("decrypted_protocol")) for r in starttls_ssl] ==
          [("decrypted", "smtp")], f"STARTTLS session decrypted: {starttls_ssl}")
    eml = [f for f in files.values() if f.get("mime_type") == "message/rfc822"]
    check([(f["uid"], f.get("sha256"), f.get("decrypted")) for f in eml] ==
          [(uid["smtp"], TRUTH["message_sha256"], None),
           (uid["starttls"], TRUTH["message_sha256"], True)],
          f"the .eml of each SMTP tunnel: {[(f['uid'], f.get('decrypted')) for f in eml]}")
    for f in eml:
        check(sha_file(os.path.join(with_keys, f.get("extracted", "-"))) == TRUTH["message_sha256"],
              f".eml artifact of {f['uid']}")

    plain = os.path.join(tmp, "nokeys")
    analyze(plain, os.path.join(REC, "connect.pcap"))
    http = rows(plain, "http")
    check([h.get("uri") for h in http if h.get("method") == "GET"] == ["/plain.bin", "/second.bin"],
          "without the key log only the clear-text tunnels' GETs")
    check([r.get("server_name") for r in rows(plain, "ssl")] ==
          [TRUTH["server_name"], "mail.pcapcase.test"], "without the key log: the ssl rows")


CLI, SRV = bytes([10, 77, 0, 5]), bytes([10, 77, 0, 1])
BODY = hashlib.sha256(b"early").digest() * 40


def early_client(tmp, answer, name, connect_body=b""):
    """CONNECT and the first tunnelled request in one segment, then the
    answer and the inner response in one."""
    length = b"Content-Length: %d\r\n" % len(connect_body) if connect_body else b""
    req = (b"CONNECT www.pcapcase.test:80 HTTP/1.1\r\nHost: www.pcapcase.test:80\r\n" + length +
           b"\r\n" + connect_body + b"GET /early.bin HTTP/1.1\r\nHost: www.pcapcase.test\r\n\r\n")
    resp = answer + b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY
    pcap = os.path.join(tmp, name + ".pcap")
    pcapgen.write_pcap(pcap, pcapgen.tcp_session(CLI, SRV, 40001, 3128, req, resp, 1700000000.0))
    case = os.path.join(tmp, name)
    analyze(case, pcap)
    return case


def built(tmp):
    want = hashlib.sha256(BODY).hexdigest()
    case = early_client(tmp, b"HTTP/1.1 200 Connection established\r\n\r\n", "early")
    http = rows(case, "http")
    check([(h["method"], h["trans_depth"], h.get("tunnel")) for h in http] ==
          [("CONNECT", 1, "http"), ("GET", 1, None)], f"early tunnel rows {http}")
    files = rows(case, "files")
    check([f.get("sha256") for f in files] == [want], "early tunnel: the inner body carved")

    # a CONNECT with a body (no proxy wants one): the body is the CONNECT's
    # file, the row keeps its id while it waits for the tunnel's protocol
    case = early_client(tmp, b"HTTP/1.1 200 Connection established\r\n\r\n", "body", b"junk")
    http = rows(case, "http")
    files = {f["fuid"]: f for f in rows(case, "files")}
    check([(h["method"], h.get("tunnel"), h["request_body_len"]) for h in http] ==
          [("CONNECT", "http", 4), ("GET", None, 0)], f"CONNECT with a body: {http}")
    check(http and files.get((http[0].get("orig_fuids") or [""])[0], {}).get("sha256") ==
          hashlib.sha256(b"junk").hexdigest(), "the CONNECT's body is its file")
    check(sorted(f.get("sha256") for f in files.values()) ==
          sorted([want, hashlib.sha256(b"junk").hexdigest()]), "both bodies carved")

    case = early_client(tmp, b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b"Content-Length: 0\r\n\r\n", "refused")
    http = rows(case, "http")
    check([(h["method"], h["trans_depth"], h.get("status_code"), h.get("tunnel")) for h in http] ==
          [("CONNECT", 1, 407, None), ("GET", 2, 200, None)], f"refused CONNECT rows {http}")
    check([f.get("sha256") for f in rows(case, "files")] == [want],
          "refused CONNECT: the next request's body carved")
    check([c.get("service") for c in rows(case, "conn")] == ["http"], "refused: service http")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        recorded(tmp)
        built(tmp)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("CONNECT tunnels: all checks passed")


if __name__ == "__main__":
    main()
