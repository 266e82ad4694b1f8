"""The password-guessing finding on a real recording and on the corpus's
FTP brute force.

tests/lab/files/password_guessing.pcap (record_password_guessing.sh, truth
in password_guessing.json): curl and smbclient against servers that check
every password:

  - IMAP: erin refused with 12 different passwords, then accepted: one
    finding, kind brute_force, high, naming the accepted login's frame;
  - POP3: dave refused 10 times with the same old password: kind
    same_password, low;
  - SMTP: carol refused twice, then accepted: a typo, no finding at the
    default threshold (10), a brute_force one at --threshold
    guess_min_rejected=2;
  - SMB: 10 accounts refused, one password each (NTLMv2): kind spray, the
    ten users, no password count (a challenge/response hides it).

Built: a POP3 client refused 10 times with an old password, then accepted
with the new one: same_password, low (a client set right, not a guess that
worked).  Built web form logins (no outcome: the answer to a form does not
say): 12 passwords for one user is brute_force, 6 users with one password a
spray, one user logging in 12 times with the same password nothing.

Each finding's evidence frames are its rejected logins' frames in
credentials.ndjson (then the accepted one); tshark counts the same
refusals (IMAP NO, POP3 -ERR, SMB2 STATUS_LOGON_FAILURE).  --threshold
guess_min_rejected=13 silences the IMAP finding (12 refusals): the
threshold is a floor, not a hint.  --jobs 2 gives the same logs.  With the
corpus: Zeek's ftp/bruteforce.pcap, 30 passwords for "bro", each refused
(tshark's 530 replies), and no beaconing finding: its 30 connections 2 s
apart scored 85.5 as a beacon until refused logins were left out of the
beacon series.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from keylog_case import LAB, PCAPCASE, check, have_binary, result, rows, same_logs
import keylog_case

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

PCAP = os.path.join(LAB, "files", "password_guessing.pcap")
TRUTH = json.load(open(os.path.join(LAB, "files", "password_guessing.json")))
BRUTE = os.path.join(z.CORPUS, "zeek-traces", "ftp", "bruteforce.pcap")


def analyze(pcap, case, *extra):
    r = subprocess.run([PCAPCASE, "analyze", "-q", "-o", case, *extra, pcap],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"analyze {' '.join(extra)} exit {r.returncode}: {r.stderr}")


def guessing(case):
    """The password_guessing findings by protocol."""
    out = {}
    for f in rows(case, "findings"):
        if f["type"] == "password_guessing":
            check(f["details"]["proto"] not in out, f"one finding per protocol: {f['summary']}")
            out[f["details"]["proto"]] = f
    return out


def frames(f):
    return [n for e in f["evidence"] for n in e["frames"]]


def tshark_count(pcap, flt):
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", flt, "-T", "fields", "-e",
                        "frame.number"], capture_output=True, text=True, check=True)
    return len(r.stdout.split())


def check_lab(tmp):
    case = os.path.join(tmp, "lab")
    keylog_case.analyze(PCAP, case, None, 1)
    creds = rows(case, "credentials")
    by = {}
    for c in creds:
        by.setdefault((c["proto"], c.get("outcome")), []).append(c["frame"])
    g = guessing(case)
    check(sorted(g) == ["imap", "pop3", "smb"], f"findings for imap, pop3, smb only: {sorted(g)}")

    imap = g.get("imap")
    if imap:
        d = imap["details"]
        want = TRUTH["imap"]
        check((d["kind"], d["rejected"], d.get("passwords"), d["users"], d["accounts"]) ==
              ("brute_force", len(want["wrong"]), len(set(want["wrong"])), [want["user"]], 1),
              f"imap: a brute force, 12 passwords for erin: {d}")
        check(imap["severity"] == "high" and d.get("accepted_user") == "erin" and
              d.get("accepted_frame") == by[("imap", "accepted")][0] and
              f'then "erin" was accepted (password_guessing.pcap frame {d.get("accepted_frame")})'
              in imap["summary"],
              f"imap: the accepted guess is named, high: {imap['severity']} {imap['summary']}")
        check(frames(imap) == by[("imap", "rejected")] + by[("imap", "accepted")],
              f"imap: evidence = the refused logins' frames, then the accepted one: "
              f"{frames(imap)}")
    pop3 = g.get("pop3")
    if pop3:
        d = pop3["details"]
        check((d["kind"], d["rejected"], d.get("passwords"), d["users"], pop3["severity"]) ==
              ("same_password", 10, 1, ["dave"], "low"),
              f"pop3: one old password again and again, low: {d} {pop3['severity']}")
        check(frames(pop3) == by[("pop3", "rejected")], "pop3: evidence frames")
    smb = g.get("smb")
    if smb:
        d = smb["details"]
        check((d["kind"], d["rejected"], d["accounts"], d["users"], d["server_count"]) ==
              ("spray", 10, 10, sorted(TRUTH["smb"]["users"]), 1),
              f"smb: a spray over the ten accounts: {d}")
        check("passwords" not in d, "smb: NTLM hides the passwords, so no count is claimed")
        check(smb["severity"] == "medium" and "10 accounts tried" in smb["summary"],
              f"smb: {smb['severity']} {smb['summary']}")
        check(frames(smb) == by[("smb", "rejected")], "smb: evidence frames")
    if shutil.which("tshark"):
        for proto, flt in (("imap", 'imap.response.status == "NO"'),
                           ("pop3", 'pop.response.indicator == "-ERR"'),
                           ("smb", "smb2.cmd == 1 && smb2.nt_status == 0xc000006d")):
            n = tshark_count(PCAP, flt)
            check(proto in g and g[proto]["details"]["rejected"] == n,
                  f"{proto}: tshark counts {n} refusals")
    else:
        print("tshark not installed: its counts are skipped")

    low = os.path.join(tmp, "low")
    analyze(PCAP, low, "--threshold", "guess_min_rejected=2")
    smtp = guessing(low).get("smtp")
    check(smtp is not None and (smtp["details"]["kind"], smtp["details"]["rejected"],
                                smtp["details"].get("passwords"),
                                smtp["details"].get("accepted_user")) ==
          ("brute_force", 2, 2, "carol"),
          f"smtp at guess_min_rejected=2: two passwords refused, then carol accepted: "
          f"{smtp and smtp['details']}")
    high = os.path.join(tmp, "high")
    analyze(PCAP, high, "--threshold", "guess_min_rejected=13")
    check("imap" not in guessing(high) and "pop3" not in guessing(high),
          "guess_min_rejected=13: 12 and 10 refusals raise nothing")
    other = os.path.join(tmp, "j2")
    keylog_case.analyze(PCAP, other, None, 2)
    same_logs(case, other, "--jobs 2 (against --jobs 1)")


def check_fixed_client(tmp):
    """Built: a POP3 client refused 10 times with one old password, then
    accepted with the new one, each login on its own connection: a client
    set right, not a guess that worked (low, not high)."""
    import pcapgen as g
    cli, srv = (g.Host(bytes([10, 0, 0, i]), bytes([2, 0, 0, 0, 0, i])) for i in (1, 2))
    frames = []
    for i, (pw, ok) in enumerate([(b"old-Pass", False)] * 10 + [(b"new-Pass", True)]):
        cv = g.TcpConversation(cli, srv, 41000 + i, 110, 1700000000.0 + 60 * i).handshake()
        cv.send(False, b"+OK ready\r\n")
        cv.send(True, b"USER dave\r\n")
        cv.send(False, b"+OK\r\n")
        cv.send(True, b"PASS " + pw + b"\r\n")
        cv.send(False, b"+OK logged in\r\n" if ok else b"-ERR auth failed\r\n")
        cv.send(True, b"QUIT\r\n")
        cv.send(False, b"+OK bye\r\n")
        cv.close()
        frames += cv.frames
    pcap = os.path.join(tmp, "fixed.pcap")
    g.write_pcap(pcap, frames)
    case = os.path.join(tmp, "fixed")
    analyze(pcap, case)
    pop3 = guessing(case).get("pop3")
    check(pop3 is not None and (pop3["severity"], pop3["details"]["kind"],
                                pop3["details"].get("accepted_user")) ==
          ("low", "same_password", "dave"),
          f"an old password 10 times, then the new one: low, same_password: "
          f"{pop3 and (pop3['severity'], pop3['details'])}")


def form_posts(tmp, name, logins):
    """One client posting each (user, password) to a login form, each on its
    own connection, answered 200 with the form again, at a guessing tool's
    uneven pace (0.3-7 s apart)."""
    import pcapgen as g
    cli, srv = (g.Host(bytes([10, 0, 0, i]), bytes([2, 0, 0, 0, 0, i])) for i in (7, 8))
    frames = []
    t = 1700000000.0
    for i, (user, pw) in enumerate(logins):
        t += (0.3, 2.1, 0.8, 5.0, 1.2, 7.0, 0.5, 3.3)[i % 8]
        body = b"username=" + user + b"&password=" + pw + b"&submit=Log+in"
        cv = g.TcpConversation(cli, srv, 42000 + i, 80, t).handshake()
        cv.send(True, b"POST /wp-login.php HTTP/1.1\r\nHost: blog.example\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        page = b"<html><form method=post><input name=password type=password></form></html>"
        cv.send(False, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
                str(len(page)).encode() + b"\r\n\r\n" + page)
        cv.close()
        frames += cv.frames
    pcap = os.path.join(tmp, name + ".pcap")
    g.write_pcap(pcap, frames)
    case = os.path.join(tmp, name)
    analyze(pcap, case)
    return pcap, case


def check_forms(tmp):
    """Form logins carry no outcome: every login is a try, and only many
    different passwords (or users) are guessing."""
    pcap, case = form_posts(tmp, "form-brute", [(b"admin", b"guess%d" % i) for i in range(12)])
    form = guessing(case).get("http-form")
    kinds = sorted(f["type"] for f in rows(case, "findings"))
    check(kinds == ["cleartext_credentials", "password_guessing"],
          f"form brute force: guessing and clear-text passwords, nothing else: {kinds}")
    creds = [c for c in rows(case, "credentials") if c["proto"] == "http-form"]
    check(len(creds) == 12 and {c.get("outcome") for c in creds} == {None},
          f"12 form logins without an outcome: {[(c['username'], c.get('outcome')) for c in creds]}")
    check(form is not None, "12 passwords for admin in a login form: a password_guessing finding")
    if form:
        d = form["details"]
        check((form["severity"], d["kind"], d["attempts"], d.get("passwords"), d["users"],
               d["servers"], "rejected" in d) ==
              ("medium", "brute_force", 12, 12, ["admin"], ["10.0.0.8:80"], False),
              f"form brute force: medium, 12 tries of 12 passwords: {form['severity']} {d}")
        check(frames(form) == [c["frame"] for c in creds],
              f"form brute force: the evidence is the 12 posts' frames: {frames(form)}")
        check("do not say which logins worked" in form["summary"],
              f"the summary says form answers carry no verdict: {form['summary']}")
        if shutil.which("tshark"):
            n = tshark_count(pcap, 'http.request.method == "POST" && urlencoded-form')
            check(n == 12, f"tshark counts {n} form posts")
    _, case = form_posts(tmp, "form-spray", [(b"user%d" % (i // 2), b"Winter2024")
                                             for i in range(12)])
    form = guessing(case).get("http-form")
    check(form is not None and (form["details"]["kind"], form["details"]["accounts"]) ==
          ("spray", 6), f"6 users with one password: a spray: {form and form['details']}")
    _, case = form_posts(tmp, "form-pin", [(b"", b"%04d" % i) for i in range(12)])
    form = guessing(case).get("http-form")
    check(form is not None and "12 passwords tried for one account (no user name sent)" in
          form["summary"], f"a PIN form without a user field: {form and form['summary']}")
    _, case = form_posts(tmp, "form-same", [(b"alice", b"S3cret!")] * 12)
    check(not guessing(case), "alice logging in 12 times with her one password is no guessing")


def check_corpus(tmp):
    if not os.path.exists(BRUTE):
        print("SKIPPED (corpus): ftp/bruteforce.pcap:", z.corpus_missing())
        return
    case = os.path.join(tmp, "bf")
    analyze(BRUTE, case)
    g = guessing(case)
    ftp = g.get("ftp")
    check(sorted(g) == ["ftp"], f"bruteforce.pcap: one finding, ftp: {sorted(g)}")
    kinds = sorted(f["type"] for f in rows(case, "findings"))
    check(kinds == ["cleartext_credentials", "password_guessing"],
          f"bruteforce.pcap: the refused logins are no beacon (it scored 85.5 as one): {kinds}")
    if not ftp:
        return
    d = ftp["details"]
    check((d["kind"], d["rejected"], d.get("passwords"), d["users"], d["servers"]) ==
          ("brute_force", 30, 30, ["bro"], ["192.168.56.101:21"]),
          f"bruteforce.pcap: 30 passwords for bro: {d}")
    rejected = [c["frame"] for c in rows(case, "credentials") if c.get("outcome") == "rejected"]
    check(frames(ftp) == rejected[:20], "bruteforce.pcap: the first 20 refused logins' frames")
    if shutil.which("tshark"):
        n = tshark_count(BRUTE, "ftp.response.code == 530")
        check(n == 30, f"bruteforce.pcap: tshark counts {n} 530 replies")


def main():
    if not have_binary():
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        check_lab(tmp)
        check_fixed_client(tmp)
        check_forms(tmp)
        check_corpus(tmp)
    return result("ok: password guessing found, sprays and old passwords told apart")


if __name__ == "__main__":
    sys.exit(main())
