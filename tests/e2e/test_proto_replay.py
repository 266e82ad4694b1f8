"""The pure parsers of issue 18 (src/proto/: FTP, SMTP, POP3, IMAP, the
Internet message/MIME parser, SMB1/2/3, NTLMSSP, TFTP, the file assembler)
on real traffic, through tests/tools/proto_replay.c, before and apart from
their analysers:

- our recordings (tests/lab/files/*.pcap, made by record.sh with real
  clients and servers): every file, message and MIME part has the SHA-256
  of its truth (truth.json, made before the transfer), every login appears
  with its user, password and the server's verdict, and the NetNTLMv2
  hashcat lines of the SMB logins verify against the known password
  (NTOWFv2 and NTProofStr recomputed here);
- the corpus, when present: Zeek's smtp.log fields row by row, Zeek's
  ftp.log commands, replies and data channels, and tshark's SMB export
  objects among the files the SMB parser assembles.

Conversations are reassembled by tshark (an independent implementation);
tshark is needed (./setup.sh test installs it), without it the test skips.
"""
import hashlib
import hmac
import json
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import protoreplay as pr  # noqa: E402
import zeekcmp as z  # noqa: E402

SKIP = getattr(z, "SKIP", 77)
LAB = os.path.join(os.path.dirname(__file__), "..", "lab", "files")
PORTS = {"ftp": {21}, "smtp": {25, 587}, "pop3": {110}, "imap": {143}, "smb": {445, 139}}


def md4(data):
    """MD4 (RFC 1320): OpenSSL 3 keeps it in the legacy provider only."""
    def f(x, y, z_):
        return (x & y) | (~x & z_)

    def g(x, y, z_):
        return (x & y) | (x & z_) | (y & z_)

    def h(x, y, z_):
        return x ^ y ^ z_

    def rot(v, s):
        v &= 0xFFFFFFFF
        return ((v << s) | (v >> (32 - s))) & 0xFFFFFFFF
    msg = data + b"\x80" + b"\0" * ((55 - len(data)) % 64) + struct.pack("<Q", len(data) * 8)
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        aa, bb, cc, dd = a, b, c, d
        # The three rounds: each its function, word order, shifts and constant.
        order = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)
        rounds = ((f, range(16), (3, 7, 11, 19), 0),
                  (g, [(i % 4) * 4 + i // 4 for i in range(16)], (3, 5, 9, 13), 0x5A827999),
                  (h, order, (3, 9, 11, 15), 0x6ED9EBA1))
        for fn, words, shifts, t in rounds:
            for i in range(16):
                k, s = words[i], shifts[i % 4]
                if i % 4 == 0:
                    a = rot(a + fn(b, c, d) + x[k] + t, s)
                elif i % 4 == 1:
                    d = rot(d + fn(a, b, c) + x[k] + t, s)
                elif i % 4 == 2:
                    c = rot(c + fn(d, a, b) + x[k] + t, s)
                else:
                    b = rot(b + fn(c, d, a) + x[k] + t, s)
        a, b, c, d = (a + aa) & 0xFFFFFFFF, (b + bb) & 0xFFFFFFFF, \
            (c + cc) & 0xFFFFFFFF, (d + dd) & 0xFFFFFFFF
    return struct.pack("<4I", a, b, c, d)


def netntlmv2_ok(line, password):
    """Does a hashcat 5600 line (user::domain:challenge:ntproofstr:blob)
    come from this password?  [MS-NLMP] 3.3.2."""
    user, _, domain, chal, proof, blob = line.split(":")
    nt_hash = md4(password.encode("utf-16-le"))
    ntowf = hmac.new(nt_hash, (user.upper() + domain).encode("utf-16-le"), "md5").digest()
    want = hmac.new(ntowf, bytes.fromhex(chal) + bytes.fromhex(blob), "md5").hexdigest()
    return want == proof


def events(pcap, proto):
    out = []
    for _, text in sorted(pr.conversations(pcap, PORTS[proto]).items()):
        out += pr.replay(proto, text)
    return out


def lab(c):
    truth = json.load(open(os.path.join(LAB, "truth.json")))
    files = {k: v["sha256"] for k, v in truth["files"].items()}
    creds = {k: tuple(v) for k, v in truth["creds"].items()}
    pcap = lambda n: os.path.join(LAB, n + ".pcap")  # noqa: E731

    # FTP: commands, logins, and the data connections the parser announced
    ev = events(pcap("ftp"), "ftp")
    txns = [e for e in ev if e["ev"] == "ftp"]
    cmds = [t["command"] for t in txns]
    for verb in ("PORT", "EPRT", "PASV", "EPSV", "RETR", "STOR", "APPE"):
        c.check(verb in cmds, f"ftp: a {verb} command in the recording")
    logins = [(e["user"], e["secret"], e["outcome"]) for e in ev if e["ev"] == "credential"]
    c.eq(logins.count((*creds["ftp"], "accepted")), 7, "ftp: alice's accepted logins")
    c.check(("anonymous", "guest@lab", "accepted") in logins, "ftp: the anonymous login")
    v6 = [t for t in txns if t.get("data_channel.addr") == "::1" or
          (t["command"] == "EPSV" and t["reply_code"] == 229)]
    c.check(any(t["command"] == "EPRT" and t.get("data_channel.addr") == "::1" for t in v6),
            "ftp: an IPv6 EPRT data channel")
    checked, channel = 0, None
    for t in txns:
        if "data_channel.port" in t:
            channel = t
        elif t["command"] in ("RETR", "STOR", "APPE") and channel:
            sha = pr.ftp_data_sha256(pcap("ftp"), channel["data_channel.port"],
                                     channel["data_channel.passive"], t["command"] == "RETR")
            want = {"report.bin": files["ftp/pub/report.bin"],
                    "notes.txt": files["ftp/pub/notes.txt"],
                    "up.bin": files["ftp/upload.bin" if t["command"] == "STOR"
                                    else "ftp/append.bin"]}[t["arg"]]
            c.eq(sha, want, f"ftp: {t['command']} {t['arg']} over port "
                            f"{channel['data_channel.port']}")
            c.check(t["file_size"] in (-1, 20000, 4165), f"ftp: {t['arg']} announced size")
            checked += 1
            channel = None
    c.eq(checked, 8, "ftp: transfers matched to their data channels")

    # mail: every message and part, every login
    parts1 = [p["sha256"] for p in truth["messages"]["msg1"]]
    parts2 = [p["sha256"] for p in truth["messages"]["msg2"]]
    for proto, want_logins in (("smtp", {"AUTH PLAIN", "AUTH LOGIN"}),
                               ("pop3", {"USER/PASS", "APOP", "AUTH PLAIN"}),
                               ("imap", {"LOGIN", "AUTHENTICATE PLAIN"})):
        ev = events(pcap(proto), proto)
        msgs = [e["sha256"] for e in ev if e["ev"] == "message" and e["complete"]]
        c.check(files["mail/msg1.eml"] in msgs and files["mail/msg2.eml"] in msgs,
                f"{proto}: both messages whole, by SHA-256")
        got = [e["sha256"] for e in ev if e["ev"] == "part"]
        c.check(all(h in got for h in parts1 + parts2), f"{proto}: every MIME part decoded")
        names = {e["filename"] for e in ev if e["ev"] == "part"}
        c.check("Rechnung März.pdf" in names, f"{proto}: the RFC 2231 file name decoded")
        subj = {e["subject"] for e in ev if e["ev"] == "message"}
        c.check("Quartalszahlen für März — vertraulich" in subj,
                f"{proto}: the RFC 2047 subject decoded")
        cr = [e for e in ev if e["ev"] == "credential"]
        c.eq({e["mechanism"] for e in cr}, want_logins, f"{proto}: login mechanisms")
        user, password = creds[proto]
        for e in cr:
            c.eq((e["user"], e["outcome"]), (user, "accepted"), f"{proto}: {e['mechanism']} login")
            if e["mechanism"] != "APOP":
                c.eq(e["secret"], password, f"{proto}: {e['mechanism']} password")
            else:  # the digest is MD5(timestamp + password), RFC 1939 7
                ts, digest = e["secret"].split(" ")
                c.eq(digest, hashlib.md5((ts + password).encode()).hexdigest(), "pop3: APOP")
    ev = events(pcap("smtp"), "smtp")
    rows = [e for e in ev if e["ev"] == "smtp"]
    c.eq([(r["mailfrom"], sorted(r["rcptto"])) for r in rows],
         [("mallory@example.org", ["dropbox@example.net", "other@example.net"]),
          ("ops@example.org", ["dropbox@example.net"])], "smtp: envelopes")
    c.eq([r["last_reply"] for r in rows], ["250 OK queued as lab-1", "250 OK queued as lab-2"],
         "smtp: last replies")

    # SMB 3 and SMB 1: files both ways, NTLMv2 logins that verify
    for name in ("smb2", "smb1"):
        ev = events(pcap(name), "smb")
        got = {e["name"].lstrip("\\"): e.get("sha256") for e in ev if e["ev"] == "smb_file"}
        c.eq(got.get("secret.docx"), files["smb/share/secret.docx"], f"{name}: file read")
        c.eq(got.get(f"exfil-{name}.zip"), files["smb/exfil.zip"], f"{name}: file written")
        cr = [e for e in ev if e["ev"] == "credential"]
        c.eq([(e["mechanism"], e["user"]) for e in cr], [("NetNTLMv2", "carol")],
             f"{name}: NTLM login")
        c.check(all(netntlmv2_ok(e["secret"], creds["smb"][1]) for e in cr),
                f"{name}: the hashcat line verifies with the password")
        c.check(not any(netntlmv2_ok(e["secret"], "wrong") for e in cr),
                f"{name}: ... and not with another one")

    # TFTP: both transfers
    got = {}
    for text in pr.tftp_transfers(pcap("tftp")):
        for e in pr.replay("tftp", text):
            got[e["name"]] = e["sha256"]
    c.eq(got, {"firmware.bin": files["tftp/root/firmware.bin"],
               "config.txt": files["tftp/config.txt"]}, "tftp: get and put")


# ---------------------------------------------------------------- corpus

def split_set(v):
    return sorted(x.strip() for x in (v or "").split(",") if x.strip())


SMTP_FIELDS = ("helo", "mailfrom", "date", "from", "msg_id", "in_reply_to", "subject",
               "x_originating_ip", "first_received", "second_received", "last_reply",
               "user_agent", "reply_to")
SMTP_SETS = ("rcptto", "to", "cc")
# Zeek tests whose smtp.log comes from traffic we do not see as SMTP here
# (SMTP inside an HTTP CONNECT tunnel).
SMTP_SKIP = {"scripts.base.protocols.http.http-connect",
             # Zeek stops analysing after too many invalid transactions (a Zeek knob)
             "scripts.base.protocols.smtp.mail-transactions-invalid-disable-analyzer"}
# Header fields Zeek leaves empty because a gap fell in the message: we keep
# the fields read before and after the gap (the message is marked missing).
SMTP_GAP = {"scripts.base.protocols.smtp.bdat-gap"}


def ours_smtp_rows(ev):
    """smtp.log-like rows: the transaction plus its message's headers."""
    rows, headers = [], None
    for e in ev:
        if e["ev"] == "message":
            headers = e
        elif e["ev"] == "smtp":
            r = {"helo": e["helo"], "mailfrom": e["mailfrom"], "rcptto": e["rcptto"],
                 "last_reply": e["last_reply"], "trans_depth": str(e["trans_depth"])}
            if headers and e["has_message"]:
                for k in ("date", "from", "to", "cc", "reply_to", "msg_id", "in_reply_to",
                          "subject", "x_originating_ip", "first_received", "second_received",
                          "user_agent"):
                    r[k] = headers.get(k)
            headers = None
            rows.append(r)
    return rows


def corpus_smtp(c):
    n = 0
    for d, traces in sorted(z.baseline_traces().items()):
        path = os.path.join(z.CORPUS, "zeek-expected", d, "smtp.log")
        if not os.path.exists(path) or d in SMTP_SKIP:
            continue
        ours = []
        for t in traces:
            ours += ours_smtp_rows(events(t, "smtp"))
        zrows = z.read_zeek_log(path)
        n += 1
        c.eq(len(ours), len(zrows), f"{d}: smtp rows")
        for zr, r in zip(zrows, ours):
            for f in SMTP_FIELDS:
                if f in zr and not (d in SMTP_GAP and zr[f] is None):
                    c.eq(r.get(f), zr[f], f"{d} depth {zr.get('trans_depth')} {f}")
            for f in SMTP_SETS:
                if f in zr and not (d in SMTP_GAP and zr[f] is None):
                    got = r.get(f)
                    got = sorted(got) if isinstance(got, list) else split_set(got)
                    c.eq(got, split_set(zr[f]), f"{d} depth {zr.get('trans_depth')} {f}")
            if "trans_depth" in zr:
                c.eq(r["trans_depth"], zr["trans_depth"], f"{d}: trans_depth")
    return n


FTP_SKIP = {
    # Zeek logs these with test-specific settings (cut command lengths,
    # pending-command limits, hidden passwords) that are Zeek knobs, not protocol
    "scripts.base.protocols.ftp.ftp-max-arg-length",
    "scripts.base.protocols.ftp.ftp-max-command-length",
    "scripts.base.protocols.ftp.ftp-max-pending-commands",
    "scripts.base.protocols.ftp.ftp-max-user-length",
    "scripts.base.protocols.ftp.ftp-password-pass-command-hidden",
    "scripts.base.protocols.ftp.ftp-missing-reply-code",
    "scripts.base.protocols.ftp.ftp-invalid-reply-code",
    "scripts.base.protocols.ftp.ftp-missing-space-after-reply-code",
    # the capture ends inside the RETR's transfer; Zeek pairs the RETR with
    # the 221 that answered QUIT, we leave the RETR unanswered
    "scripts.base.protocols.ftp.ftp-multiline-reply",
}


# What a successful reply to these commands can be (RFC 959); errors aside.
REPLY_CODES = {"PASV": {"227", "421", "425", "500", "501", "502", "530"},
               "EPSV": {"229", "421", "425", "500", "501", "502", "530"}}


def corpus_ftp(c):
    n = 0
    for d, traces in sorted(z.baseline_traces().items()):
        path = os.path.join(z.CORPUS, "zeek-expected", d, "ftp.log")
        if not os.path.exists(path) or d in FTP_SKIP:
            continue
        ours = []
        for t in traces:
            ours += [e for e in events(t, "ftp") if e["ev"] == "ftp"]
        n += 1
        pool = list(ours)
        for zr in z.read_zeek_log(path):
            if zr["command"] in REPLY_CODES and zr["reply_code"] not in REPLY_CODES[zr["command"]]:
                continue  # Zeek paired the command with another's reply (after a gap)
            m = next((o for o in pool if o["command"] == zr["command"] and
                      str(o["reply_code"]) == zr["reply_code"] and
                      o["reply_msg"] == zr["reply_msg"]), None) or \
                next((o for o in pool if o["command"] == zr["command"] and
                      str(o["reply_code"]) == zr["reply_code"]), None)
            c.check(m is not None, f"{d}: no {zr['command']} {zr['reply_code']}")
            if not m:
                continue
            pool.remove(m)
            c.eq(m["reply_msg"], zr["reply_msg"], f"{d} {zr['command']} reply_msg")
            if zr.get("data_channel.resp_p"):
                c.eq(str(m.get("data_channel.port")), zr["data_channel.resp_p"],
                     f"{d} {zr['command']} data channel port")
                c.eq("T" if m.get("data_channel.passive") else "F",
                     zr["data_channel.passive"], f"{d} {zr['command']} passive")
            if zr["command"] in ("PASS", "USER") and zr.get("password") not in (None, "<hidden>"):
                c.eq(m["password"], zr["password"], f"{d} password")
    return n


ORACLE = os.path.join(os.path.dirname(__file__), "files_oracle.tsv")
# tshark SMB objects the parser, replayed one connection at a time, does not
# produce (docs/differences.md, "SMB objects not assembled" and "SMB 3
# multichannel": 5 of the 6 move on another connection of their session,
# which `analyze` follows and this replay cannot).
SMB_EXPECTED_MISSING = 6


def corpus_smb(c):
    want, got_total = {}, 0
    for line in open(ORACLE, encoding="utf-8"):
        if line.startswith("#"):
            continue
        trace, kind, size, sha, name = line.rstrip("\n").split("\t")
        if kind == "smb" and trace.startswith("zeek-traces/"):
            want.setdefault(trace, set()).add(sha)
    for trace, shas in sorted(want.items()):
        ours = {e.get("sha256") for e in events(os.path.join(z.CORPUS, trace), "smb")
                if e["ev"] == "smb_file"}
        hit = len(shas & ours)
        got_total += hit
        if hit < len(shas):
            print(f"  smb {trace}: {hit}/{len(shas)} of tshark's objects")
    total = sum(len(s) for s in want.values())
    print(f"smb: {got_total} of {total} tshark objects assembled")
    c.check(total - got_total <= SMB_EXPECTED_MISSING,
            f"smb: {total - got_total} tshark objects missing, at most {SMB_EXPECTED_MISSING}")


def oracle_rows(kind):
    rows = {}
    for line in open(ORACLE, encoding="utf-8"):
        if line.startswith("#"):
            continue
        trace, k, size, sha, name = line.rstrip("\n").split("\t")
        if k == kind:
            rows.setdefault(trace, set()).add(sha)
    return rows


# The capture holds 24 KB (with holes) of a 5.4 GB RETR: tshark exports the
# bytes it saw glued together; the file is partial (docs/differences.md).
FTP_DATA_PARTIAL = {"zeek-traces/ftp/bigtransfer.pcap"}


def corpus_ftp_data(c):
    """tshark's ftp-data objects: found on the data connections the FTP
    parser announced (PORT/EPRT/PASV/EPSV), paired with RETR/STOR/APPE."""
    want = oracle_rows("ftp-data")
    total = hit = 0
    for trace, shas in sorted(want.items()):
        if trace in FTP_DATA_PARTIAL:
            continue
        pcap = os.path.join(z.CORPUS, trace)
        ours, channel = set(), None
        for e in events(pcap, "ftp"):
            if e["ev"] != "ftp":
                continue
            if "data_channel.port" in e:
                channel = e
            elif e["command"] in ("RETR", "STOR", "APPE") and channel:
                ours.add(pr.ftp_data_sha256(pcap, channel["data_channel.port"],
                                            channel["data_channel.passive"],
                                            e["command"] == "RETR"))
                channel = None
        total += len(shas)
        hit += len(shas & ours)
        c.eq(sorted(shas - ours), [], f"{trace}: tshark's ftp-data objects on announced channels")
    print(f"ftp-data: {hit} of {total} tshark objects on the data channels the parser announced")


def corpus_tftp(c):
    for trace, shas in sorted(oracle_rows("tftp").items()):
        ours = {e["sha256"] for t in pr.tftp_transfers(os.path.join(z.CORPUS, trace))
                for e in pr.replay("tftp", t)}
        c.eq(sorted(shas - ours), [], f"{trace}: tshark's tftp objects")


STARTTLS = (("tls/smtp-starttls.pcap", "smtp"), ("tls/imap-starttls.pcap", "imap"),
            ("tls/pop3-starttls.pcap", "pop3"))


def corpus_starttls(c):
    for trace, proto in STARTTLS:
        ev = events(os.path.join(z.CORPUS, "zeek-traces", trace), proto)
        c.eq(sum(1 for e in ev if e["ev"] == "starttls"), 1, f"{trace}: STARTTLS seen")


KRB5_TRACES = ("krb/kinit.pcap", "krb/kerberos_tso.pcapng")
NTLM_HTTP_TRACES = ("erspan.pcap",)


def corpus_ntlm_http(c):
    """NTLM over HTTP: the shared NTLMSSP parser against tshark's fields."""
    import subprocess
    n = 0
    for t in NTLM_HTTP_TRACES:
        pcap = os.path.join(z.CORPUS, "zeek-traces", t)
        out = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "ntlmssp", "-T", "fields",
                              "-e", "http.authorization", "-e", "http.www_authenticate",
                              "-e", "ntlmssp.auth.username", "-e", "ntlmssp.auth.domain"],
                             capture_output=True, text=True).stdout
        lines, want = [], []
        for row in out.splitlines():
            auth, www, user, dom = (row.split("\t") + ["", "", "", ""])[:4]
            if www:
                lines.append("< " + www.split(",")[0])
            if auth:
                lines.append("> " + auth)
            if user:
                want.append((user, dom))
        got = [(e["user"], e["domain"]) for e in pr.replay("ntlm-http", "\n".join(lines) + "\n")
               if e["ev"] == "credential"]
        c.eq(got, want, f"{t}: NTLM logins over HTTP")
        n += len(got)
    c.check(n >= 1, "NTLM over HTTP compared")


def corpus_krb5(c):
    """Kerberos AS-REQ pre-authentication against tshark's own reading."""
    n = 0
    for t in KRB5_TRACES:
        for line, (cname, realm, etype, cipher) in pr.krb5_messages(os.path.join(z.CORPUS, "zeek-traces", t)):
            ev = pr.replay("krb5", line)
            c.eq(len(ev), 1, f"{t}: one pre-authentication per AS-REQ")
            if ev:
                e = ev[0]
                c.eq((e["cname"], e["realm"], e["etype"]), (cname, realm, etype), f"{t}: names")
                c.eq(e["hashcat"], f"$krb5pa${etype}${cname}${realm}${cipher}", f"{t}: hashcat line")
            n += 1
    c.check(n >= 7, f"Kerberos AS-REQs with pre-authentication compared ({n})")


def main():
    if not shutil.which("tshark"):
        print("SKIP: tshark is needed to reassemble the conversations (./setup.sh test)")
        sys.exit(SKIP)
    if not os.path.exists(pr.REPLAY):
        print(f"SKIP: {pr.REPLAY} not built")
        sys.exit(SKIP)
    c = z.Checker("proto_replay")
    lab(c)
    if os.path.isdir(z.CORPUS):
        ns = corpus_smtp(c)
        nf = corpus_ftp(c)
        corpus_smb(c)
        corpus_krb5(c)
        corpus_ntlm_http(c)
        corpus_ftp_data(c)
        corpus_tftp(c)
        corpus_starttls(c)
        print(f"compared {ns} Zeek smtp.log and {nf} ftp.log baselines")
        c.check(ns >= 15 and nf >= 7, "enough Zeek baselines compared")
    else:
        print("corpus absent: only the lab recordings were checked")
    c.done()


if __name__ == "__main__":
    main()
