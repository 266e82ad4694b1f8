"""zeekcmp.py — read Zeek's TSV baselines and our NDJSON logs for comparison.

Shared by the end-to-end tests.  Zeek's baselines mask ts and uid (XXXX), so
comparisons use the 5-tuple and the fields both sides have.
"""
import json
import os
import subprocess
import sys

SOURCE_DIR = os.environ.get("SOURCE_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# The external test corpus (Zeek's traces and baselines, tcpdump's captures):
# $PCAPCASE_CORPUS when set, else ../shared/corpus beside the source tree.
# It is not part of the repository; tests that need it are skipped without it.
CORPUS = os.path.abspath(os.environ.get("PCAPCASE_CORPUS") or
                         os.path.join(SOURCE_DIR, "..", "shared", "corpus"))
PCAPCASE = os.environ.get("PCAPCASE") or os.path.join(SOURCE_DIR, "build", "pcapcase")
# The exit status ctest reports as "skipped" (SKIP_RETURN_CODE in CMakeLists.txt).
SKIP = 77


def have_corpus(sub="zeek-traces"):
    """True when the corpus (its folder `sub`) is there."""
    return os.path.isdir(os.path.join(CORPUS, sub))


def corpus_missing(sub="zeek-traces"):
    """The skip reason naming what is missing and how to provide it."""
    return (f"needs the external test corpus ({sub}/), not found at {CORPUS}: "
            f"set PCAPCASE_CORPUS to the corpus folder")


def require_corpus(name, sub="zeek-traces"):
    """Exit as skipped when a test that only reads the corpus has none."""
    if not have_corpus(sub):
        print(f"SKIP {name}: {corpus_missing(sub)}")
        sys.exit(SKIP)


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
    """Collects failures and prints a closing 'N passed, N failed' line.

    Parts of a test that cannot run here (the corpus is missing) are recorded
    with skip(): when nothing failed, the test then exits as skipped, so it
    never reports a pass for checks it did not make."""

    def __init__(self, name):
        self.name, self.passed, self.failed, self.skipped = name, 0, 0, []

    def skip(self, part, reason=None):
        self.skipped.append(part)
        print(f"SKIP {self.name}: {part}: {reason or corpus_missing()}")

    def need_corpus(self, part, sub="zeek-traces"):
        """True when the corpus is there; else records `part` as skipped."""
        if have_corpus(sub):
            return True
        self.skip(part, corpus_missing(sub))
        return False

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {self.name}: {what}")

    def eq(self, got, want, what):
        self.check(got == want, f"{what}: got {got!r}, want {want!r}")

    def done(self):
        skipped = f", {len(self.skipped)} parts skipped" if self.skipped else ""
        print(f"{self.name}: {self.passed} passed, {self.failed} failed{skipped}")
        sys.exit(1 if self.failed else SKIP if self.skipped else 0)
