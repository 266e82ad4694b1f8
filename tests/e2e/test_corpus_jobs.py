"""Every capture in the corpus gives the same case with one worker and with
three (`analyze --jobs 1` against `--jobs 3`): every log byte for byte, the
same artifact names, the same damage table in case.json.

test_determinism.py checks this on the project's captures and eleven corpus
traces on every run; this is the long form over every corpus file (1,638,
tcpdump's malformed captures included, where what the reader hands a worker
and in which order matters most).  4.8 minutes on two idle cores with the
release build (2026-12-02), so it is not part of `./setup.sh test`, whose
corpus run is long already: `./setup.sh sweep` runs it.
"""
import filecmp
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402
from test_corpus_sweep import check_each, corpus_checker  # noqa: E402


def analyze(path, out, jobs):
    try:
        r = subprocess.run([z.PCAPCASE, "analyze", "--quiet", "--jobs", jobs, "-o", out, path],
                           capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None
    return r.returncode


def listing(d, sub):
    p = os.path.join(d, sub)
    return sorted(os.listdir(p)) if os.path.isdir(p) else []


def damage(d):
    try:
        with open(os.path.join(d, "case.json"), encoding="utf-8") as f:
            return [e.get("damaged") for e in json.load(f)["evidence"]]
    except (OSError, ValueError, KeyError):
        return None


def run_one(path):
    with tempfile.TemporaryDirectory() as d:
        one, three = os.path.join(d, "j1"), os.path.join(d, "j3")
        s1, s3 = analyze(path, one, "1"), analyze(path, three, "3")
        if s1 is None or s3 is None:
            return path, "hang (over 300 s)"
        if s1 != s3:
            return path, f"exit status {s1} with --jobs 1, {s3} with --jobs 3"
        if s1 == 3:  # not a capture: nothing written either way
            return path, None
        logs = listing(one, "logs")
        if logs != listing(three, "logs"):
            return path, f"log files differ: {logs} / {listing(three, 'logs')}"
        differ = [f for f in logs if not filecmp.cmp(os.path.join(one, "logs", f),
                                                     os.path.join(three, "logs", f), shallow=False)]
        if differ:
            return path, f"logs differ: {differ}"
        if listing(one, "artifacts") != listing(three, "artifacts"):
            return path, "artifact names differ"
        if damage(one) != damage(three):
            return path, f"damage tables differ: {damage(one)} / {damage(three)}"
        return path, None


def main():
    c, files = corpus_checker("corpus_jobs")
    c.eq(check_each(c, run_one, files), len(files), "captures compared")
    c.done()


if __name__ == "__main__":
    main()
