"""docs/pcapcase.1, docs/manual.md and docs/cli.md keep in step with --help:
every long option a command's --help lists is documented in all three.
docs/findings.md's threshold table is `pcapcase analyze --threshold list`: the
same names, defaults and meanings in the same order (one table in
src/case/findings.c feeds the CLI, case.json, the report's Method section and
this doc)."""
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
    contract = open(os.path.join(SRC, "docs", "cli.md")).read()
    for cmd in ("analyze", "compare", "carve", "trace", "summary", "merge"):
        r = subprocess.run([z.PCAPCASE, cmd, "--help"], capture_output=True, text=True)
        c.eq(r.returncode, 0, f"{cmd} --help exit status")
        opts = set(re.findall(r"--[a-z][a-z-]+", r.stdout)) - {"--help"}
        c.check(len(opts) > 0, f"{cmd} --help lists options")
        for o in sorted(opts):
            c.check(o in man, f"man page lacks {cmd} {o}")
            c.check(o in manual, f"manual lacks {cmd} {o}")
            c.check(o in contract, f"docs/cli.md lacks {cmd} {o}")
    # every command `pcapcase --help` lists is in all three documents
    r = subprocess.run([z.PCAPCASE, "--help"], capture_output=True, text=True)
    cmds = re.findall(r"^  ([a-z]+)  ", r.stdout, re.M)
    c.check("verify" in cmds, f"--help lists the commands ({cmds})")
    for cmd in cmds:
        c.check(f"pcapcase {cmd}" in man, f"man page lacks pcapcase {cmd}")
        c.check(f"pcapcase {cmd}" in manual, f"manual lacks pcapcase {cmd}")
        c.check(f"pcapcase {cmd}" in contract, f"docs/cli.md lacks pcapcase {cmd}")
    r = subprocess.run([z.PCAPCASE, "analyze", "--threshold", "list"], capture_output=True,
                       text=True)
    cli = [tuple(re.split(r"\s{2,}", line.strip(), maxsplit=2)) for line in r.stdout.splitlines()
           if line.strip()]
    doc = re.findall(r"^\| `([a-z0-9_]+)` \| ([^|]+?) \| ([^|]+?) \|$",
                     open(os.path.join(SRC, "docs", "findings.md")).read(), re.M)
    c.check(len(cli) > 10, f"--threshold list prints the table ({len(cli)} rows)")
    c.eq(doc, cli, "docs/findings.md threshold table = --threshold list")
    c.done()


if __name__ == "__main__":
    main()
