"""analyze --keylog on FTP over explicit TLS (tests/lab/files/ftps.pcap).

The recording (record_ftps.sh): curl --ssl-reqd (AUTH SSL) and Python's
ftplib (AUTH TLS) against vsftpd 3.0 with PROT P, so the data connections
are TLS too, each resuming its control connection's session (vsftpd's
require_ssl_reuse): EPSV RETR and STOR in TLS 1.3, PASV RETR and LIST in
TLS 1.2, and an active-mode (PORT) RETR in TLS 1.2 — there vsftpd opens the
data connection and the FTP client, its responder, sends the ClientHello.
The truth (ftps.json) is every transfer's SHA-256 and size, written from
the files at record time (LIST: the listing's bytes on the wire), and the
login.  Checked here:

  - with the key log: each control connection is read on after AUTH, its
    ftp.ndjson rows (EPSV/PASV/PORT, RETR, STOR) marked decrypted; each data
    connection is decrypted and its file carved (files.ndjson: the truth's
    SHA-256 and size, the name, decrypted: true, source FTP; the artifact
    holds those bytes) and named in its RETR/STOR row's fuid; the five
    logins are in credentials.ndjson, the password not in the report;
    ssl.ndjson says decrypted, ftp or ftp-data inside;
  - --jobs 1, 2 and 3 give the same logs;
  - a key log with the control connections' keys only: the commands and
    logins are read, no file is carved, the data connections say no_key;
  - without a key log: TLS rows only;
  - tshark (when installed) decrypts each data connection to the bytes we
    carved (`-z follow,tls,raw`).
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
PCAP = os.path.join(LAB, "ftps.pcap")
KEYS = os.path.join(LAB, "ftps.keys")


def analyze(case, keylog=None, jobs=1):
    keylog_case.analyze(PCAP, case, keylog, jobs)

TRUTH = json.load(open(os.path.join(LAB, "ftps.json")))
XFERS = TRUTH["transfers"]





def is_control(r):
    return r["id.resp_p"] == 21


def check_ssl(case, data_keys=True):
    ssl = rows(case, "ssl")
    check(len(ssl) == 2 * len(XFERS), f"one ssl row per control and data connection: {len(ssl)}")
    for r in ssl:
        if is_control(r):
            want = ("decrypted", "ftp")
        else:
            want = ("decrypted", "ftp-data") if data_keys else ("no_key", None)
        got = (r.get("decryption"), r.get("decrypted_protocol"))
        check(got == want, f"ssl {r['id.orig_p']}->{r['id.resp_p']}: {got}, want {want}")
    check({r["version"] for r in ssl} == {"TLSv13", "TLSv12"}, "TLS 1.3 and 1.2 sessions")
    conn = rows(case, "conn")
    check(len(conn) == 2 * len(XFERS) and all(c.get("service") == "ssl" for c in conn),
          f"conn.ndjson: {len(conn)} connections, service ssl: {[c.get('service') for c in conn]}")


def check_files(case):
    files = {f["sha256"]: f for f in rows(case, "files")}
    check(len(files) == len(XFERS), f"one file per transfer: {len(files)}")
    ftp = rows(case, "ftp")
    by_fuid = {r["fuid"]: r for r in ftp if r.get("fuid")}
    for t in XFERS:
        f = files.get(t["sha256"])
        what = f"{t['command']} {t['name'] or '(listing)'} ({t['mode']}, {t['tls']})"
        check(f is not None, f"{what}: carved with the truth's SHA-256")
        if not f:
            continue
        check((f.get("source"), f.get("seen_bytes"), f.get("decrypted"), f.get("truncated", False))
              == ("FTP", t["size"], True, False),
              f"{what}: source, size, decrypted, whole: {f}")
        check(f.get("filename") == (t["name"] or None), f"{what}: file name {f.get('filename')}")
        art = os.path.join(case, "artifacts", f["sha256"])
        check(os.path.exists(art) and hashlib.sha256(open(art, "rb").read()).hexdigest() == t["sha256"],
              f"{what}: artifacts/ holds the bytes")
        if t["command"] in ("RETR", "STOR"):
            r = by_fuid.get(f["fuid"])
            check(r is not None and r["command"] == t["command"] and
                  r["arg"].endswith("/" + t["name"]) and r.get("decrypted") is True and
                  r.get("reply_code") == 226,
                  f"{what}: the ftp row names the file (fuid, arg, decrypted, 226): {r}")
        # passive: the client connects (a STOR's file comes from the
        # originator); active: the server connects (a RETR's file does)
        sender_is_orig = (t["command"] == "STOR") == t["mode"].startswith("passive")
        check(f.get("is_orig") is sender_is_orig, f"{what}: is_orig {f.get('is_orig')}")
    channels = [r for r in ftp if r.get("data_channel.resp_p")]
    check(sorted(r["command"] for r in channels) == ["EPSV", "EPSV", "PASV", "PASV", "PORT"],
          f"the data channels announced inside TLS: {[r['command'] for r in channels]}")
    active = [r for r in channels if r["command"] == "PORT"]
    check(active and active[0]["data_channel.passive"] is False, "PORT: an active channel")
    check(all(r.get("decrypted") is True for r in ftp), "every ftp row is marked decrypted")


def check_logins(case):
    creds = rows(case, "credentials")
    check([(c["proto"], c["username"], c.get("mechanism"), c.get("secret"), c.get("outcome"),
            c.get("decrypted")) for c in creds]
          == [("ftp", TRUTH["user"], "USER/PASS", TRUTH["password"], "accepted", True)] * 5,
          f"five accepted USER/PASS logins, marked decrypted: {creds}")
    found = [f["type"] for f in rows(case, "findings")]
    check("cleartext_credentials" not in found,
          f"logins inside TLS are no cleartext_credentials finding: {found}")
    html = open(os.path.join(case, "report.html"), encoding="utf-8").read()
    check(TRUTH["password"] not in html, "the password is not in the report")
    check(TRUTH["user"] in html, "the user name is in the report")


def check_unread(case):
    """Control keys only: every transfer leaves a files row without bytes
    saying its data connection was TLS that could not be decrypted, on that
    connection, named by its RETR/STOR row."""
    files = rows(case, "files")
    check([(f.get("filename"), f["seen_bytes"], f.get("truncated_reason"), "sha256" in f,
            "extracted" in f) for f in files]
          == [(t["name"] or None, 0, "tls_not_decrypted", False, False) for t in XFERS],
          f"control keys only: a row per transfer, no bytes, the reason: {files}")
    data = {c["uid"] for c in rows(case, "conn") if not is_control(c)}
    check(all(f["uid"] in data for f in files), "control keys only: rows on the data connections")
    for t, f in zip(XFERS, files):
        sender_is_orig = (t["command"] == "STOR") == t["mode"].startswith("passive")
        check(f["is_orig"] is sender_is_orig, f"control keys only: {t['name']} is_orig")
    ftp = [r for r in rows(case, "ftp") if r["command"] in ("RETR", "STOR")]
    check([r.get("fuid") for r in ftp] == [f["fuid"] for f in files if f.get("filename")],
          f"control keys only: the RETR/STOR rows name those rows: {[r.get('fuid') for r in ftp]}")


def control_keys_only(out):
    """The key log without the data connections' sessions: sessions are in
    handshake order, each control connection's before its data
    connection's."""
    lines = open(KEYS).read().splitlines()
    randoms = list(dict.fromkeys(line.split()[1] for line in lines))
    check(len(randoms) == 2 * len(XFERS), f"the key log has {len(randoms)} sessions")
    keep = set(randoms[0::2])
    with open(out, "w") as f:
        f.write("".join(line + "\n" for line in lines if line.split()[1] in keep))


def tshark_agrees(case):
    if not shutil.which("tshark"):
        print("tshark not installed: its check is skipped")
        return
    syn = subprocess.run(["tshark", "-r", PCAP, "-T", "fields", "-e", "tcp.stream", "-e",
                          "tcp.srcport", "-e", "tcp.dstport", "-Y",
                          "tcp.flags.syn == 1 && tcp.flags.ack == 0"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    stream = {(int(s), int(d)): int(n) for n, s, d in (l.split("\t") for l in syn if l)}
    carved = {f["uid"]: f["sha256"] for f in rows(case, "files")}
    data = [c for c in rows(case, "conn") if not is_control(c)]
    check(len(data) == len(XFERS), f"{len(data)} data connections")
    for c in data:
        n = stream.get((c["id.orig_p"], c["id.resp_p"]))
        out = subprocess.run(["tshark", "-r", PCAP, "-o", f"tls.keylog_file:{KEYS}", "-q", "-z",
                              f"follow,tls,raw,{n}"], capture_output=True, text=True,
                             check=True).stdout
        body = out.split("Node 1:", 1)[-1].split("\n", 1)[-1].split("=====")[0]
        plain = bytes.fromhex("".join(line.strip() for line in body.splitlines()))
        check(hashlib.sha256(plain).hexdigest() == carved.get(c["uid"]),
              f"tshark's plaintext of stream {n} ({len(plain)} bytes) is the file we carved")


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, "j1")
        analyze(full, KEYS, 1)
        check_ssl(full)
        check_files(full)
        check_logins(full)
        for j in (2, 3):
            other = os.path.join(tmp, f"j{j}")
            analyze(other, KEYS, j)
            same_logs(full, other, f"--jobs {j} (against --jobs 1)")
        tshark_agrees(full)
        keys = os.path.join(tmp, "control.keys")
        control_keys_only(keys)
        case = os.path.join(tmp, "control")
        analyze(case, keys)
        check_ssl(case, data_keys=False)
        check_unread(case)
        check(len(rows(case, "credentials")) == 5, "control keys only: the logins")
        case = os.path.join(tmp, "nokeys")
        analyze(case)
        check(not rows(case, "files") and not rows(case, "credentials") and not rows(case, "ftp"),
              "without keys: no file, no login, no ftp row")
        check(len(rows(case, "ssl")) == 10 and all("decryption" not in r for r in rows(case, "ssl")),
              "without a key log: ten ssl rows, nothing said of decryption")
    return result()


if __name__ == "__main__":
    sys.exit(main())
