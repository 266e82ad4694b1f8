"""TLS and X.509 against Zeek's ssl.log / x509.log baselines and tshark.

- x509.ndjson: fingerprint, serial, subject, issuer, validity, key and
  signature algorithms, key length and SAN DNS names equal Zeek's;
- ssl.ndjson: version, cipher, server_name and the certificate chain
  fingerprints equal Zeek's, matched by connection 4-tuple;
- every certificate tshark sees in a Certificate message
  (tls.handshake.certificate) is in certs/<sha256>.der with the same bytes;
- JA3 equals tshark's tls.handshake.ja3.
"""
import glob
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

X509_FIELDS = ("certificate.serial", "certificate.subject", "certificate.issuer",
               "certificate.key_alg", "certificate.sig_alg", "certificate.key_type",
               "certificate.key_length", "certificate.version")


def as_text(v):
    if isinstance(v, float):
        return f"{v:.6f}"
    return str(v)


# DTLS (TLS over UDP) and post-quantum ML-DSA certificates (OpenSSL 3.0 has no
# names for them) are not covered yet: docs/differences.md.
SKIP = {"scripts.base.protocols.ssl.dtls", "scripts.base.protocols.ssl.dtls-stun-dpd",
        "scripts.base.protocols.ssl.fragment", "scripts.base.protocols.ssl.ml-dsa-44-cert",
        # GridFTP's GSI handshake travels base64-encoded inside FTP ADAT commands
        "scripts.base.protocols.ftp.gridftp"}


def zeek(c):
    n = 0
    for d, traces in sorted(z.baseline_traces().items()):
        if d in SKIP:
            continue
        xp = os.path.join(z.CORPUS, "zeek-expected", d, "x509.log")
        sp = os.path.join(z.CORPUS, "zeek-expected", d, "ssl.log")
        if not os.path.exists(xp) and not os.path.exists(sp):
            continue
        with tempfile.TemporaryDirectory() as out:
            rc, err = z.analyze(traces, out)
            c.check(rc in (0, 1), f"{d}: exit {rc}: {err}")
            x509 = {r["fingerprint"]: r for r in z.read_ndjson(os.path.join(out, "logs", "x509.ndjson"))}
            ssl = z.read_ndjson(os.path.join(out, "logs", "ssl.ndjson"))
        if os.path.exists(xp):
            zx = [r for r in z.read_zeek_log(xp) if r.get("fingerprint")]
            if zx:
                n += 1
            for r in zx:
                o = x509.get(r["fingerprint"])
                c.check(o is not None, f"{d}: certificate {r['fingerprint'][:16]} missing")
                if not o:
                    continue
                for f in X509_FIELDS:
                    if r.get(f) is not None:
                        c.eq(as_text(o.get(f)), r[f], f"{d} {r['fingerprint'][:12]} {f}")
                for f in ("certificate.not_valid_before", "certificate.not_valid_after"):
                    if r.get(f):
                        c.eq(as_text(o.get(f)), r[f], f"{d} {r['fingerprint'][:12]} {f}")
                if r.get("san.dns"):
                    c.eq(",".join(o.get("san.dns", [])), r["san.dns"], f"{d} san.dns")
        if os.path.exists(sp):
            zs = [r for r in z.read_zeek_log(sp) if r.get("id.orig_h")]
            key = lambda r: (r["id.orig_h"], str(r["id.orig_p"]), r["id.resp_h"],  # noqa: E731
                             str(r["id.resp_p"]))
            ours = {key(r): r for r in ssl}
            for r in zs:
                o = ours.get(key(r))
                c.check(o is not None, f"{d}: no ssl row for {key(r)}")
                if not o:
                    continue
                for f in ("version", "cipher", "server_name"):
                    if r.get(f):
                        c.eq(o.get(f), r[f], f"{d} {key(r)} {f}")
                if r.get("cert_chain_fps") and r["cert_chain_fps"] != "(empty)":
                    c.eq(",".join(o.get("cert_chain_fps", [])), r["cert_chain_fps"],
                         f"{d} {key(r)} cert_chain_fps")
    return n


def tshark(c):
    traces = sorted(glob.glob(os.path.join(z.CORPUS, "zeek-traces", "tls", "*.pcap")))
    n = 0
    for t in traces:
        certs = subprocess.run(["tshark", "-r", t, "-Y", "tls.handshake.type==11", "-T", "fields",
                                "-E", "occurrence=a", "-E", "aggregator=;", "-e",
                                "tls.handshake.certificate"], capture_output=True, text=True,
                               timeout=120).stdout.split()
        ja3 = set(subprocess.run(["tshark", "-r", t, "-Y", "tls.handshake.type==1", "-T", "fields",
                                  "-e", "tls.handshake.ja3"], capture_output=True, text=True,
                                 timeout=120).stdout.split())
        ders = set()
        for line in certs:
            for h in line.split(";"):
                if h:
                    ders.add(bytes.fromhex(h.replace(":", "")))
        if not ders and not ja3:
            continue
        n += 1
        with tempfile.TemporaryDirectory() as out:
            z.analyze([t], out)
            for der in ders:
                fp = hashlib.sha256(der).hexdigest()
                p = os.path.join(out, "certs", fp + ".der")
                c.check(os.path.exists(p) and open(p, "rb").read() == der,
                        f"{os.path.basename(t)}: certificate {fp[:16]} not saved as tshark saw it")
            ours = {r.get("ja3") for r in z.read_ndjson(os.path.join(out, "logs", "ssl.ndjson"))}
            c.eq(sorted(ja3 - ours), [], f"{os.path.basename(t)}: tshark JA3s missing")
    return n


def main():
    z.require_corpus("tls_baselines")
    c = z.Checker("tls_baselines")
    n = zeek(c)
    m = tshark(c)
    print(f"compared {n} Zeek x509 baselines and {m} traces with tshark")
    c.check(n >= 5 and m >= 10, "enough traces compared")
    c.done()


if __name__ == "__main__":
    main()
