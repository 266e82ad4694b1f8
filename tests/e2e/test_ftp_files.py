"""FTP through `pcapcase analyze` (issue 18, the FTP analyser): the control
connection gives ftp.ndjson, every data connection announced by PORT, EPRT,
PASV or EPSV is carved with its file name, and a file the capture holds only
in part is never taken for the whole.

- Our recording (tests/lab/files/ftp.pcap: curl against pyftpdlib, passive
  and active, IPv4 and IPv6, RETR, STOR, APPE): every file is an artifact
  with the truth's SHA-256 and a files.ndjson row naming it; the PORT
  transfer's data connection opens before the server's 200 reply.
- Zeek's traces (corpus): ftp/ipv4.pcap's ftp.ndjson against Zeek's ftp.log
  field by field; ftp/bigtransfer.pcap's 5 GB RETR, of which the capture
  holds 23 822 bytes, is partial with its missing ranges, and its artifact is
  the bytes seen (tshark's export of it).
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "lab", "files")


def rows(out, log):
    path = os.path.join(out, "logs", f"{log}.ndjson")
    return z.read_ndjson(path) if os.path.exists(path) else []


def lab(c):
    truth = json.load(open(os.path.join(LAB, "truth.json")))["files"]
    with tempfile.TemporaryDirectory() as out:
        rc, err = z.analyze([os.path.join(LAB, "ftp.pcap")], out)
        c.eq(rc, 0, f"lab ftp: exit status ({err[:200]})")
        arts = set(os.listdir(os.path.join(out, "artifacts")))
        files = [r for r in rows(out, "files") if r.get("source") == "FTP"]
        ftp = rows(out, "ftp")
        conns = rows(out, "conn")
        again = tempfile.mkdtemp()
        z.analyze([os.path.join(LAB, "ftp.pcap")], again)
        same = all(open(os.path.join(out, "logs", f)).read() ==
                   open(os.path.join(again, "logs", f)).read()
                   for f in ("ftp.ndjson", "files.ndjson", "conn.ndjson"))
    for name in ("ftp/pub/report.bin", "ftp/pub/notes.txt", "ftp/upload.bin", "ftp/append.bin"):
        c.check(truth[name]["sha256"] in arts, f"lab ftp: {name} carved")
    got = sorted((r["filename"], r["sha256"]) for r in files)
    want = sorted([("report.bin", truth["ftp/pub/report.bin"]["sha256"])] * 3 +
                  [("notes.txt", truth["ftp/pub/notes.txt"]["sha256"])] * 3 +
                  [("up.bin", truth["ftp/upload.bin"]["sha256"]),
                   ("up.bin", truth["ftp/append.bin"]["sha256"])])
    c.eq(got, want, "lab ftp: files.ndjson rows (filename, sha256)")
    c.check(all(r.get("mime_type") for r in files), "lab ftp: every file has a mime_type")
    c.eq([r["command"] for r in ftp],
         ["EPSV", "RETR", "PASV", "RETR", "PORT", "RETR", "EPRT", "RETR", "EPSV", "STOR",
          "EPSV", "APPE", "EPSV", "RETR", "EPRT", "RETR"], "lab ftp: ftp.ndjson commands")
    fuids = {r["fuid"] for r in files}
    c.check(all(r.get("fuid") in fuids for r in ftp if r["command"] in ("RETR", "STOR", "APPE")),
            "lab ftp: each transfer's fuid is a files.ndjson row")
    port = next(r for r in ftp if r["command"] == "PORT")
    c.eq((port["data_channel.passive"], port["data_channel.resp_p"]), (False, 55487),
         "lab ftp: PORT data channel")
    c.eq(next(r["arg"] for r in ftp if r["command"] == "RETR"),
         "ftp://127.0.0.1/pub/report.bin", "lab ftp: RETR url from the working directory")
    c.eq(sorted({r.get("password") for r in ftp}), ["<hidden>", "guest@lab"],
         "lab ftp: passwords hidden except the anonymous guest's")
    services = [r.get("service") for r in conns]
    c.eq((services.count("ftp"), services.count("ftp-data")), (8, 8),
         "lab ftp: conn.ndjson services")
    c.check(same, "lab ftp: a second run writes the same logs")


def corpus(c):
    if not c.need_corpus("Zeek's FTP traces"):
        return
    with tempfile.TemporaryDirectory() as out:
        z.analyze([os.path.join(z.CORPUS, "zeek-traces", "ftp", "ipv4.pcap")], out)
        ours = rows(out, "ftp")
    zrows = z.read_zeek_log(os.path.join(z.CORPUS, "zeek-expected",
                                         "scripts.base.protocols.ftp.ftp-ipv4", "ftp.log"))
    c.eq(len(ours), len(zrows), "ipv4: ftp rows")
    for zr, r in zip(zrows, ours):
        for f, v in zr.items():
            if f in ("ts", "uid", "fuid"):
                continue
            got = r.get(f)
            got = ("T" if got else "F") if isinstance(got, bool) else got
            c.eq(None if got is None else str(got), v, f"ipv4 {zr['command']} {f}")
    with tempfile.TemporaryDirectory() as out:
        z.analyze([os.path.join(z.CORPUS, "zeek-traces", "ftp", "bigtransfer.pcap")], out)
        big = [r for r in rows(out, "files") if r.get("filename") == "rand.txt"]
        arts = set(os.listdir(os.path.join(out, "artifacts")))
    c.eq(len(big), 1, "bigtransfer: one rand.txt")
    if big:
        r = big[0]
        c.eq((r["seen_bytes"], r["missing_bytes"], r["truncated"], r["truncated_reason"]),
             (23822, 5416642848, True, "gap"), "bigtransfer: partial")
        c.eq(r["missing_ranges"][0], {"start": 14480, "end": 380370192},
             "bigtransfer: the first hole")
        c.eq(r["sha256"], "5a5119d1e1511dfdbcb2cdbc244852bb8ad15107ec25ef2a395b7aa688133e38",
             "bigtransfer: the bytes seen (tshark's export)")
        c.check(r["sha256"] + ".partial" in arts and r["sha256"] not in arts,
                "bigtransfer: the bytes seen are an artifact named .partial, not as a whole file")
        c.eq(r.get("extracted"), "artifacts/" + r["sha256"] + ".partial",
             "bigtransfer: extracted names the .partial")


def main():
    c = z.Checker("ftp_files")
    lab(c)
    corpus(c)
    c.done()


if __name__ == "__main__":
    main()
