"""Every capture in the corpus goes through `pcapcase analyze` cleanly, and
through `pcapcase compare` against its neighbour in the list.

830 tcpdump test captures (many truncated or malformed) and Zeek's traces:
no crash, no hang, no sanitizer report; exit status 0, 1 (damaged input) or
3 (not a capture), each with a one-line error naming the file.  Under the
ASan/UBSan build this is the sanitizer sweep the hostile-input issue asks for.
The compare pairs are mostly unrelated captures, so the matcher's probe falls
back to reading both, every packet waits out its window, and timestamps that
go backwards reach the charts' time bins.
"""
import concurrent.futures
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SAN_ENV = dict(os.environ,
               ASAN_OPTIONS="exitcode=86:detect_leaks=1:halt_on_error=1",
               UBSAN_OPTIONS="exitcode=87:halt_on_error=1:print_stacktrace=1")


def corpus_files():
    out = []
    for sub in ("tcpdump-tests", "zeek-traces"):
        for root, _, files in os.walk(os.path.join(z.CORPUS, sub)):
            for f in files:
                if f.startswith(("LICENSE", "README")) or f.endswith((".txt", ".md", ".out")):
                    continue
                out.append(os.path.join(root, f))
    return sorted(out)


def run_one(job):
    path, other = job
    with tempfile.TemporaryDirectory() as d:
        cmd = ([z.PCAPCASE, "analyze", "--quiet", "--jobs", "1", "-o", d, path] if other is None
               else [z.PCAPCASE, "compare", "--quiet", "-o", d, path, other])
        out = "case.json" if other is None else "compare.json"
        if other is not None:
            path = f"compare {path} {other}"
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=SAN_ENV)
        except subprocess.TimeoutExpired:
            return path, "hang (over 120 s)"
        err = r.stderr
        if r.returncode not in (0, 1, 3):
            return path, f"exit status {r.returncode}: {err[-2000:]}"
        if "Sanitizer" in err or "runtime error" in err:
            return path, "sanitizer report: " + err[-2000:]
        for line in err.splitlines():
            if not line.startswith("pcapcase: "):
                return path, f"stderr line not in 'pcapcase: ...' form: {line!r}"
        if r.returncode == 3 and not any(os.path.basename(p) in err for p in cmd[-2:]):
            return path, "exit 3 without naming the file"
        if r.returncode in (0, 1) and not os.path.exists(os.path.join(d, out)):
            return path, "no " + out
        return path, None


def corpus_checker(name):
    """The checker and the corpus's captures (skips without the corpus)."""
    z.require_corpus(name, "zeek-traces")
    z.require_corpus(name, "tcpdump-tests")
    c = z.Checker(name)
    files = corpus_files()
    c.check(len(files) > 900, f"corpus has {len(files)} files, expected > 900")
    return c, files


def check_each(c, run, jobs):
    """run(job) -> (what, problem or None) for every job, on every core;
    returns how many were run."""
    n = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for what, problem in ex.map(run, jobs):
            c.check(problem is None, f"{what}: {problem}")
            n += 1
    return n


def main():
    c, files = corpus_checker("corpus_sweep")
    jobs = [(f, None) for f in files]
    jobs += [(files[i], files[i + 1]) for i in range(0, len(files) - 1, 2)]
    check_each(c, run_one, jobs)
    c.done()


if __name__ == "__main__":
    main()
