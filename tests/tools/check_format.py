#!/usr/bin/env python3
"""check_format.py — every C file of the repository follows .clang-format.

Runs `clang-format --dry-run -Werror` over the C sources and headers (the
files git tracks, or every *.c/*.h under src/, charts/ and tests/ outside a
git checkout).  Exits 77 (ctest: skipped) when clang-format is not
installed.  The repository was formatted with clang-format 14; it is
preferred when several versions are installed, since versions differ in
small ways.  To fix a file: clang-format -i FILE."""
import os
import shutil
import subprocess
import sys

ROOT = os.environ.get("SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
SKIP = 77


def clang_format():
    for name in (os.environ.get("CLANG_FORMAT"), "clang-format-14", "clang-format"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def c_files():
    if os.path.isdir(os.path.join(ROOT, ".git")) or os.path.isfile(os.path.join(ROOT, ".git")):
        r = subprocess.run(["git", "-C", ROOT, "ls-files", "*.c", "*.h"], capture_output=True,
                           text=True)
        if r.returncode == 0:
            return sorted(r.stdout.split())
    out = []
    for top in ("src", "charts", "tests"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            out += [os.path.relpath(os.path.join(d, f), ROOT) for f in files
                    if f.endswith((".c", ".h"))]
    return sorted(out)


def main():
    tool = clang_format()
    if not tool:
        print("SKIP format: clang-format is not installed (Debian: apt-get install clang-format)")
        return SKIP
    files = c_files()
    bad = []
    for i in range(0, len(files), 50):
        batch = files[i:i + 50]
        r = subprocess.run([tool, "--dry-run", "-Werror", "--style=file", *batch], cwd=ROOT,
                           capture_output=True, text=True)
        if r.returncode:
            bad += sorted({line.split(":", 1)[0] for line in r.stderr.splitlines()
                           if ": error:" in line})
    version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip()
    for f in bad:
        print(f"FAIL format: {f} does not follow .clang-format (fix: clang-format -i {f})")
    print(f"format: {len(files) - len(bad)} of {len(files)} C files follow .clang-format "
          f"({version})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
