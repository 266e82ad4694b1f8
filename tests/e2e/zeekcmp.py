"""zeekcmp.py — read Zeek's TSV baselines and our NDJSON logs for comparison.

Shared by the end-to-end tests.  Zeek's baselines mask ts and uid (XXXX), so
comparisons use the 5-tuple and the fields both sides have.
"""
import json
import os
import subprocess
import sys

CORPUS = os.environ.get("CORPUS_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "corpus")
PCAPCASE = os.environ.get("PCAPCASE") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "pcapcase")


def read_zeek_log(path):
    """Rows of a Zeek TSV log as dicts (unset '-' becomes None)."""
    fields, rows, sep = None, [], "\t"
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split(sep)[1:]
            elif line.startswith("#") or not line:
                continue
            elif fields is None:
                fields = line.split(sep)  # zeek-cut output: a bare header line
            elif fields:
                vals = line.split(sep)
                rows.append({k: (None if v == "-" else v) for k, v in zip(fields, vals)})
    return rows


def read_ndjson(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def baseline_traces():
    """{baseline_dir: [trace paths]} from zeek-expected/index.tsv."""
    out = {}
    with open(os.path.join(CORPUS, "zeek-expected", "index.tsv")) as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[1].strip():
                out[parts[0]] = [os.path.join(CORPUS, "zeek-traces", t)
                                 for t in parts[1].split()]
    return out


def analyze(traces, outdir, extra=()):
    """Run pcapcase analyze; returns (exit status, stderr)."""
    r = subprocess.run([PCAPCASE, "analyze", "--quiet", "-o", outdir, *extra, *traces],
                       capture_output=True, text=True, timeout=600)
    return r.returncode, r.stderr


class Checker:
    """Collects failures and prints a closing 'N passed, N failed' line."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {self.name}: {what}")

    def eq(self, got, want, what):
        self.check(got == want, f"{what}: got {got!r}, want {want!r}")

    def done(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)
