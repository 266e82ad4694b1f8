"""Empty FTP transfers (tests/lab/files/ftp_empty.pcap) get the right files row.

The recording (record_ftp_empty.sh): curl against vsftpd 3.0, one control
connection per transfer — a 0-byte RETR and a 0-byte STOR in passive mode
(EPSV) and in active mode (PORT, EPRT), a LIST of an empty directory, a
0-byte RETR over FTPS with PROT P (TLS 1.3, the data connection's session
decrypts but carries no application data; curl's key log), and a 1,200-byte
RETR as the control.  Every transfer was answered 226.  The truth
(ftp_empty.json) was written before anything was sent.

A data connection that carries no byte reaches no analyser by its bytes:
the dispatcher offers it to the table's announced-connection entries
(ftp-data, by addresses and port) at its first FIN or RST, or when it
finishes.  Checked here:

  - with the key log: each transfer has a files row on its data
    connection (conn.ndjson: the port its EPSV/PORT/EPRT announced,
    service ftp-data), 0 bytes, the SHA-256 of the empty string, not
    truncated, no artifact, the sender as is_orig, and its RETR/STOR row in
    ftp.ndjson names that row's fuid; the PROT P one is marked decrypted
    and its ssl row says ftp-data was read inside; the control file is
    carved whole;
  - --jobs 1, 2 and 3 give the same logs;
  - with the control connection's keys only, and with the data session's
    secrets wrong (keys found that open no record), the PROT P transfer's
    row says tls_not_decrypted (no bytes, no digest) on its data connection;
  - the capture cut before the first empty data connection's FIN (after
    the 150): its row is truncated, data_connection_not_closed, without a
    digest; cut after that FIN but before the 226: an empty file (the
    sender's FIN is the end of file), named by the RETR row;
  - tshark (when installed) makes no object of an empty transfer (its
    objects, if any, are ours; docs/differences.md).
"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from keylog_case import LAB, check, have_binary, result, rows, same_logs
import keylog_case

LAB = os.path.join(LAB, "files")
PCAP = os.path.join(LAB, "ftp_empty.pcap")
KEYS = os.path.join(LAB, "ftp_empty.keys")
TRUTH = json.load(open(os.path.join(LAB, "ftp_empty.json")))
XFERS = TRUTH["transfers"]
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def stored_name(t):
    return t.get("stored_as", t["name"])


def sender_is_orig(t):
    """Passive: the client connects (a STOR's file comes from the
    originator); active: the server connects (a RETR's or LIST's does)."""
    return (t["command"] == "STOR") == t["mode"].startswith("passive")


def channel_ports(case):
    """The data channel each control connection announced: uid -> port."""
    return {r["uid"]: r["data_channel.resp_p"] for r in rows(case, "ftp")
            if r.get("data_channel.resp_p")}


def check_rows(case, what):
    files = rows(case, "files")
    check([f.get("filename") for f in files] == [stored_name(t) for t in XFERS],
          f"{what}: a files row per transfer, in order: {[f.get('filename') for f in files]}")
    conns = {c["uid"]: c for c in rows(case, "conn")}
    ports = channel_ports(case)
    ftp = {r["fuid"]: r for r in rows(case, "ftp") if r.get("fuid")}
    for t, f in zip(XFERS, files):
        name = f"{what}: {t['session']}) {t['command']} {t['name'] or '(listing)'} ({t['mode']})"
        check((f["seen_bytes"], f.get("sha256"), f.get("truncated"), f.get("truncated_reason"))
              == (t["size"], t["sha256"], False, None),
              f"{name}: size, SHA-256, whole: {f}")
        check(f.get("is_orig") is sender_is_orig(t), f"{name}: is_orig {f.get('is_orig')}")
        check(f.get("decrypted", False) is (t["tls"] is not None), f"{name}: decrypted")
        if t["size"]:
            art = os.path.join(case, "artifacts", t["sha256"])
            check(f.get("extracted") == "artifacts/" + t["sha256"] and os.path.exists(art),
                  f"{name}: carved to artifacts/")
        else:  # an empty body is never an artifact file (as HTTP's)
            check("extracted" not in f, f"{name}: no artifact for an empty file")
            # typed as `file` types an empty file (libmagic of no bytes)
            check((f.get("mime_type"), f.get("description")) == ("application/x-empty", "empty"),
                  f"{name}: typed empty: {f.get('mime_type')} {f.get('description')}")
        c = conns.get(f["uid"])
        check(c is not None and c["id.resp_p"] != 21, f"{name}: on a data connection: {c}")
        if c:
            check(c["id.resp_p"] in ports.values(),
                  f"{name}: its connection goes to an announced port ({c['id.resp_p']})")
            check(c.get("service") == ("ssl" if t["tls"] else "ftp-data"),
                  f"{name}: the data connection's service {c.get('service')}")
        if t["command"] in ("RETR", "STOR"):
            r = ftp.get(f["fuid"])
            check(r is not None and r["command"] == t["command"] and
                  r["arg"].endswith("/" + stored_name(t)) and r.get("reply_code") == 226 and
                  ports.get(r["uid"]) == (c or {}).get("id.resp_p"),
                  f"{name}: its {t['command']} row names the row (fuid, arg, 226, port): {r}")
    ssl = [r for r in rows(case, "ssl") if r["id.resp_p"] != 21]
    check([(r.get("decryption"), r.get("decrypted_protocol")) for r in ssl]
          == [("decrypted", "ftp-data")],
          f"{what}: the PROT P data connection decrypted, ftp-data inside: {ssl}")


def control_keys_only(out):
    """The key log without the data connection's session (sessions are in
    handshake order: the control connection's first)."""
    lines = open(KEYS).read().splitlines()
    randoms = list(dict.fromkeys(line.split()[1] for line in lines))
    check(len(randoms) == 2, f"the key log has {len(randoms)} sessions")
    with open(out, "w") as f:
        f.writelines(line + "\n" for line in lines if line.split()[1] == randoms[0])


def wrong_data_keys(out):
    """The key log with the data connection's secrets zeroed: its keys are
    found but open no record."""
    lines = open(KEYS).read().splitlines()
    randoms = list(dict.fromkeys(line.split()[1] for line in lines))
    with open(out, "w") as f:
        for line in lines:
            label, rnd, secret = line.split()
            if rnd == randoms[1]:
                secret = "0" * len(secret)
            f.write(f"{label} {rnd} {secret}\n")


def check_not_decrypted(case, what="control keys only"):
    files = rows(case, "files")
    f = files[XFERS.index(next(t for t in XFERS if t["tls"]))] if len(files) == len(XFERS) else {}
    check((f.get("filename"), f.get("seen_bytes"), "sha256" in f, f.get("truncated"),
           f.get("truncated_reason")) == ("empty.txt", 0, False, True, "tls_not_decrypted"),
          f"{what}: the PROT P transfer says tls_not_decrypted: {f}")
    ssl = {r["uid"] for r in rows(case, "ssl") if r["id.resp_p"] != 21}
    check(f.get("uid") in ssl, f"{what}: the row is on the data connection")
    check(sum(1 for g in files if g.get("sha256") == EMPTY_SHA256) == 5,
          f"{what}: the plain empty transfers are still empty files")


def read_pcap(path):
    """(global header, [(record header, packet bytes)]) of a pcap file."""
    data = open(path, "rb").read()
    recs, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        recs.append((data[off:off + 16], data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return data[:24], recs


def tcp_of(pkt):
    """(src port, dst port, flags) of an Ethernet/IPv4/TCP packet."""
    ihl = (pkt[14] & 0x0F) * 4
    sport, dport = struct.unpack_from(">HH", pkt, 14 + ihl)
    return sport, dport, pkt[14 + ihl + 13]


def cut_capture(out, keep_fin):
    """The capture up to the first data connection's first FIN (excluded,
    or included with keep_fin), nothing after: the capture ends before the
    226 (and, without the FIN, before the data connection closed)."""
    head, recs = read_pcap(PCAP)
    TCP_FIN = 0x01
    for i, (_, pkt) in enumerate(recs):
        sport, dport, flags = tcp_of(pkt)
        if flags & TCP_FIN and 21 not in (sport, dport):
            break
    n = i + 1 if keep_fin else i
    with open(out, "wb") as f:
        f.write(head)
        for h, p in recs[:n]:
            f.write(h + p)
    return n


def check_cut(work):
    """The first transfer (a 0-byte RETR) when the capture ends early."""
    for keep_fin, want in ((False, (0, False, True, "data_connection_not_closed")),
                           (True, (0, True, False, None))):
        pcap = os.path.join(work, f"cut{int(keep_fin)}.pcap")
        n = cut_capture(pcap, keep_fin)
        case = os.path.join(work, f"cut{int(keep_fin)}")
        keylog_case.analyze(pcap, case)
        files = rows(case, "files")
        f = files[0] if files else {}
        what = f"capture cut at frame {n} ({'after' if keep_fin else 'before'} the data FIN)"
        check(len(files) == 1 and f.get("filename") == "empty.txt", f"{what}: one row: {files}")
        check((f.get("seen_bytes"), f.get("sha256") == EMPTY_SHA256, f.get("truncated", False),
               f.get("truncated_reason")) == want, f"{what}: {f}")
        # only a transfer known whole is typed empty; one cut short may have had bytes
        check(f.get("mime_type") == ("application/x-empty" if keep_fin else None),
              f"{what}: mime_type {f.get('mime_type')}")
        data = [c for c in rows(case, "conn") if c["id.resp_p"] != 21]
        check([c["uid"] for c in data] == [f.get("uid")] and data[0].get("service") == "ftp-data",
              f"{what}: on the data connection, service ftp-data: {data}")
        ftp = [r for r in rows(case, "ftp") if r["command"] == "RETR"]
        check([r.get("reply_code") for r in ftp] == [None], f"{what}: the RETR has no reply")
        if keep_fin:  # taken at the FIN; without one only when the capture ends, after
            # the control connection's rows were written (docs/manual.md)
            check([r.get("fuid") for r in ftp] == [f.get("fuid")],
                  f"{what}: the RETR row names it: {ftp}")


def check_tshark(case, work):
    """tshark 4.0.17 exports no object from this capture (docs/differences.md):
    an empty transfer puts no byte on its data connection, so its ftp-data
    dissector never runs; and it ties the control file's data connection to
    curl's TYPE I (sent between EPSV and RETR), not to a RETR.  Whatever it
    exports must be ours, and none of it empty."""
    if not shutil.which("tshark"):
        print("tshark not installed: its check is skipped")
        return
    d = os.path.join(work, "tshark")
    os.mkdir(d)
    subprocess.run(["tshark", "-r", PCAP, "-q", "--export-objects", f"ftp-data,{d}"],
                   capture_output=True, check=True)
    objs = [open(os.path.join(d, n), "rb").read() for n in sorted(os.listdir(d))]
    ours = {f.get("sha256") for f in rows(case, "files")}
    check(all(o and hashlib.sha256(o).hexdigest() in ours for o in objs),
          f"tshark's ftp-data objects are ours and none is empty: {[len(o) for o in objs]}")
    print(f"tshark exports {len(objs)} ftp-data objects")


def main():
    if not have_binary():
        return 1
    with tempfile.TemporaryDirectory() as work:
        cases = {}
        for jobs in (1, 2, 3):
            cases[jobs] = os.path.join(work, f"keys-j{jobs}")
            keylog_case.analyze(PCAP, cases[jobs], KEYS, jobs)
        check_rows(cases[1], "with keys")
        for jobs in (2, 3):
            same_logs(cases[1], cases[jobs], f"--jobs {jobs}")
        ctl = os.path.join(work, "control.keys")
        control_keys_only(ctl)
        case = os.path.join(work, "control-keys")
        keylog_case.analyze(PCAP, case, ctl)
        check_not_decrypted(case)
        bad = os.path.join(work, "wrong.keys")
        wrong_data_keys(bad)
        case = os.path.join(work, "wrong-keys")
        keylog_case.analyze(PCAP, case, bad)
        check_not_decrypted(case, "the data session's keys wrong")
        ssl = [r.get("decryption") for r in rows(case, "ssl") if r["id.resp_p"] != 21]
        check(ssl == ["not_authenticated"], f"the data session's keys wrong: its ssl row says {ssl}")
        check_cut(work)
        check_tshark(cases[1], work)
    return result("ftp_empty: every empty transfer has its empty file row")


if __name__ == "__main__":
    sys.exit(main())
