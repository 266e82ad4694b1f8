#!/usr/bin/env python3
"""run.py — the data-driven tests: each folder of tests/data/ with a test.json
is one case (a few small captures the project made, what to run on them, and
the output expected); this runs `pcapcase analyze` on it and compares.

    tests/data/run.py [CASE...]            run the cases (default: all)
    tests/data/run.py --update [CASE...]   rewrite the cases' expected/ files
    tests/data/run.py --list               print the case names

A case folder holds (tests/data/README.md has the details):
    test.json        what the case is about, its captures, the options, and
                     which logs, fields and case.json values to compare
    <captures>       the captures (make_captures.py writes the generated ones)
    expected/        result.json (exit status, stderr, case.json values) and
                     one <log>.ndjson per compared log, the chosen fields only

ctest runs one case per test (data.CASE).  A case passes when the exit status,
stderr (when compared) and every chosen value equal expected/; besides, when
tshark is installed, the values test.json pairs with tshark fields and the
SHA-256 of the HTTP objects tshark exports must agree with ours.

--update writes what pcapcase gives now and prints the difference; it refuses
to run under CI (the CI environment variable is set), so expected output can
only change in a reviewed commit.
"""
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
PCAPCASE = os.path.abspath(os.environ.get("PCAPCASE") or
                           os.path.join(SOURCE_DIR, "build", "pcapcase"))
OUT = "$OUT"  # stands for the case folder in compared stderr


def cases():
    return sorted(d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "test.json")))


def load_spec(case):
    with open(os.path.join(HERE, case, "test.json"), encoding="utf-8") as f:
        return json.load(f)


def json_path(doc, path):
    """The value at a /-separated path (list indexes as numbers), or None."""
    for part in path.split("/"):
        if isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        elif isinstance(doc, dict) and part in doc:
            doc = doc[part]
        else:
            return None
    return doc


def read_ndjson(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_case(case, spec, work):
    """Runs pcapcase on the case; returns ({file name: text}, {log: rows}, case folder)."""
    out = os.path.join(work, "case")
    cmd = [PCAPCASE, "analyze", "--quiet", "-o", out, *spec.get("args", []), *spec["captures"]]
    r = subprocess.run(cmd, cwd=os.path.join(HERE, case), capture_output=True, text=True,
                       timeout=300)
    result = {"exit": r.returncode}
    if spec.get("stderr"):
        result["stderr"] = r.stderr.replace(out, OUT).splitlines()
    if spec.get("case"):
        try:
            with open(os.path.join(out, "case.json"), encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            doc = None
        result["case.json"] = {p: json_path(doc, p) for p in spec["case"]}
    files = {"result.json": json.dumps(result, indent=1, ensure_ascii=False) + "\n"}
    rows = {}
    for log, fields in spec.get("logs", {}).items():
        rows[log] = read_ndjson(os.path.join(out, "logs", log + ".ndjson"))
        chosen = [{k: r[k] for k in fields if k in r} for r in rows[log]]
        files[log + ".ndjson"] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen)
    return files, rows, out


def same_value(ours, theirs):
    """Our log value against tshark's text for it (lists joined with ',')."""
    if ours is None:
        ours = ""
    if isinstance(ours, list):
        parts = theirs.split(",") if theirs else []
        return len(parts) == len(ours) and all(same_value(o, t) for o, t in zip(ours, parts))
    if isinstance(ours, bool):
        return theirs.lower() in (("1", "true") if ours else ("0", "false"))
    if isinstance(ours, int):  # tshark prints some integers in hex (dns.id 0x1a2b)
        try:
            return int(theirs, 0) == ours
        except ValueError:
            return False
    if isinstance(ours, float):
        try:
            return abs(float(theirs) - ours) < 1e-6
        except ValueError:
            return False
    return str(ours) == theirs


def tshark_fields(pcap, display_filter, fields):
    """{field: [value per matching packet]}: one tshark run for all fields."""
    cmd = ["tshark", "-n", "-r", pcap, "-Y", display_filter, "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    lines = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout.splitlines()
    rows = [(line.split("\t") + [""] * len(fields))[:len(fields)] for line in lines]
    return {f: [r[i] for r in rows] for i, f in enumerate(fields)}


def tshark_object_hashes(pcap):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["tshark", "-n", "-r", pcap, "-q", "--export-objects", f"http,{d}"],
                       capture_output=True, timeout=120)
        return sorted(hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest()
                      for f in os.listdir(d))


def tshark_checks(case, spec, rows):
    """Problems found by comparing with tshark (empty when it agrees)."""
    ts = spec.get("tshark")
    if not ts:
        return [], 0
    problems, n = [], 0
    pcaps = [os.path.join(HERE, case, c) for c in spec["captures"]]
    by_filter = {}
    for chk in ts.get("fields", []):
        by_filter.setdefault(chk["filter"], []).append(chk["tshark"])
    answers = {flt: [tshark_fields(p, flt, fields) for p in pcaps]
               for flt, fields in by_filter.items()}
    for chk in ts.get("fields", []):
        theirs = [v for per_pcap in answers[chk["filter"]] for v in per_pcap[chk["tshark"]]]
        ours = [r.get(chk["field"]) for r in rows.get(chk["log"], [])]
        if chk.get("ignore_case"):  # e.g. hex printed upper case by Zeek, lower by tshark
            ours, theirs = [str(o).lower() for o in ours], [t.lower() for t in theirs]
        n += 1
        if len(ours) != len(theirs) or not all(map(same_value, ours, theirs)):
            problems.append(f"{chk['log']}.{chk['field']} {ours!r} but tshark's "
                            f"{chk['tshark']} ({chk['filter']}) {theirs!r}")
    if ts.get("http_objects"):
        theirs = sorted(h for p in pcaps for h in tshark_object_hashes(p))
        ours = sorted(r["sha256"] for r in rows.get("files", []) if not r.get("truncated"))
        n += 1
        if ours != theirs:
            problems.append(f"files.sha256 {ours} but tshark's exported HTTP objects {theirs}")
    return problems, n


def diff(expected, got, name):
    return "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                        f"expected/{name}", f"got/{name}"))


def check(case):
    spec = load_spec(case)
    with tempfile.TemporaryDirectory(prefix="pcapcase-data-") as work:
        files, rows, _ = run_case(case, spec, work)
    failures = []
    for name, got in files.items():
        path = os.path.join(HERE, case, "expected", name)
        if not os.path.exists(path):
            failures.append(f"no expected/{name}: run tests/data/run.py --update {case}, "
                            f"review the output and commit it")
            continue
        with open(path, encoding="utf-8") as f:
            want = f.read()
        if want != got:
            failures.append(diff(want, got, name))
    extra = set(os.listdir(os.path.join(HERE, case, "expected"))) - set(files) \
        if os.path.isdir(os.path.join(HERE, case, "expected")) else set()
    failures += [f"expected/{n} is not compared by test.json (remove it or add its log)"
                 for n in sorted(extra)]
    if shutil.which("tshark"):
        problems, n = tshark_checks(case, spec, rows)
        failures += [f"tshark disagrees: {p}" for p in problems]
        tshark_note = f", tshark agrees on {n - len(problems)} of {n} checks" if n else ""
    else:
        tshark_note = ", tshark not installed: its cross-checks skipped" if spec.get("tshark") else ""
    for f in failures:
        print(f"FAIL {case}: {f}")
    if not failures:
        print(f"ok {case}: {spec.get('about', '')}{tshark_note}")
    return not failures


def update(case):
    spec = load_spec(case)
    with tempfile.TemporaryDirectory(prefix="pcapcase-data-") as work:
        files, _, _ = run_case(case, spec, work)
    exp = os.path.join(HERE, case, "expected")
    os.makedirs(exp, exist_ok=True)
    for name in sorted(set(os.listdir(exp)) - set(files)):
        os.remove(os.path.join(exp, name))
        print(f"{case}: removed expected/{name}")
    for name, got in files.items():
        path = os.path.join(exp, name)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old == got:
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(got)
        print(f"{case}: wrote expected/{name}")
        sys.stdout.write(diff(old or "", got, name))


def main(argv):
    if "--list" in argv:
        print("\n".join(cases()))
        return 0
    updating = "--update" in argv
    names = [a for a in argv if not a.startswith("--")] or cases()
    unknown = [n for n in names if n not in cases()]
    if unknown:
        print(f"run.py: no such case: {' '.join(unknown)} (cases: {' '.join(cases())})")
        return 2
    if not os.access(PCAPCASE, os.X_OK):
        print(f"run.py: {PCAPCASE} is not built (set PCAPCASE to the binary)")
        return 2
    if updating:
        if os.environ.get("CI"):
            print("run.py: refusing --update under CI: expected output changes only in a "
                  "reviewed commit (run it on your machine, check the diff, commit)")
            return 2
        for n in names:
            update(n)
        return 0
    ok = sum(check(n) for n in names)
    if len(names) > 1:
        print(f"data: {ok} of {len(names)} cases passed")
    return 0 if ok == len(names) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
