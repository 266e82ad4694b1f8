"""docs/pcapcase.1 and docs/manual.md keep in step with --help: every long
option a command's --help lists is documented in both."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import zeekcmp as z  # noqa: E402

SRC = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")


def main():
    c = z.Checker("docs_in_step")
    man = open(os.path.join(SRC, "docs", "pcapcase.1")).read().replace("\\-", "-")
    manual = open(os.path.join(SRC, "docs", "manual.md")).read()
    for cmd in ("analyze", "compare", "carve", "trace", "summary"):
        r = subprocess.run([z.PCAPCASE, cmd, "--help"], capture_output=True, text=True)
        c.eq(r.returncode, 0, f"{cmd} --help exit status")
        opts = set(re.findall(r"--[a-z][a-z-]+", r.stdout)) - {"--help"}
        c.check(len(opts) > 0, f"{cmd} --help lists options")
        for o in sorted(opts):
            c.check(o in man, f"man page lacks {cmd} {o}")
            c.check(o in manual, f"manual lacks {cmd} {o}")
    c.done()


if __name__ == "__main__":
    main()
