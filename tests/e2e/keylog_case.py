"""keylog_case.py — what the tests of decrypted lab recordings share
(test_starttls_decrypted, test_ftps_decrypted, test_implicit_tls_decrypted,
test_dot_decrypted): running analyze on one capture with or without a key
log, reading a log back, comparing the logs of two runs, and collecting
failures so that a test reports all of them before it exits non-zero.
"""
import json
import os
import shutil
import subprocess
import tempfile

SOURCE = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PCAPCASE = os.environ.get("PCAPCASE", os.path.join(SOURCE, "build", "pcapcase"))
LAB = os.path.join(SOURCE, "tests", "lab")
failures = []


def check(cond, what):
    """Record a failure (and print it) unless cond holds."""
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def analyze(pcap, case, keylog=None, jobs=1):
    """pcapcase analyze PCAP into folder case, with --keylog when given."""
    args = [PCAPCASE, "analyze", "-q", "-j", str(jobs), "-o", case]
    if keylog:
        args += ["--keylog", keylog]
    r = subprocess.run(args + [pcap], capture_output=True, text=True)
    check(r.returncode == 0, f"analyze (keylog {keylog}, -j {jobs}) exit {r.returncode}: {r.stderr}")


def rows(case, log):
    """The rows of case/logs/LOG.ndjson, [] when the log was not written."""
    path = os.path.join(case, "logs", log + ".ndjson")
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


def same_logs(case, other, what):
    """Every log of case is byte-identical in other."""
    for log in sorted(os.listdir(os.path.join(case, "logs"))):
        a = open(os.path.join(case, "logs", log), "rb").read()
        b = open(os.path.join(other, "logs", log), "rb").read()
        check(a == b, f"logs/{log}: {what} gives the same bytes")


def have_binary():
    if os.path.exists(PCAPCASE):
        return True
    print("no pcapcase binary", PCAPCASE)
    return False


def result(ok_message="ok"):
    """The exit status: 1 after failures, else 0."""
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(ok_message)
    return 0


def tshark_imf_agrees(case, pcap, keys, smtp_stuffed=False):
    """tshark (when installed), given the key log, exports IMF objects
    (SMTP and IMAP messages; none for POP3): each must be our .eml or our
    message as sent (the SMTP one keeps its stuffed dots, as our
    encoded_extracted does).  smtp_stuffed: one of them must be the latter."""
    if not shutil.which("tshark"):
        print("tshark not installed: its check is skipped")
        return
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["tshark", "-o", f"tls.keylog_file:{keys}", "-r", pcap, "-q",
                        "--export-objects", f"imf,{d}"], capture_output=True, check=True)
        objs = [open(os.path.join(d, n), "rb").read() for n in sorted(os.listdir(d))]
    msgs = [f for f in rows(case, "files") if f.get("declared_mime_type") == "message/rfc822"]
    ours = {open(os.path.join(case, "artifacts", f["sha256"]), "rb").read() for f in msgs}
    as_sent = {open(os.path.join(case, f["encoded_extracted"]), "rb").read()
               for f in msgs if f.get("encoded_extracted")}
    check(len(objs) >= 2, f"tshark exports the SMTP and IMAP messages: {len(objs)} objects")
    for o in objs:
        check(o in ours or o in as_sent,
              f"tshark's IMF object ({len(o)} bytes) is our .eml or our message as sent")
    if smtp_stuffed:
        check(any(o in as_sent for o in objs), "the SMTP message as sent (dot-stuffed) is tshark's")
