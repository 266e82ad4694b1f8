"""The folders of src/ form layers and data flows one way: a file includes
headers of its own folder and of folders below it, never above, and there is
no include cycle between folders.  The order is docs/design.md's picture:

    cli > pipeline > report > write > case > analysis, compare > model
        > flow, proto > capture, decode > core

(folders on one rung may not include each other).  charts/ is our plotting
library: only write/ and report/ draw, and charts/ includes nothing of src/.
This test reads the #include lines; it needs no build and no corpus."""
import os
import re
import sys

ROOT = os.environ.get("SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src")

# bottom first; folders in one tuple are one rung
RUNGS = [("core",), ("capture", "decode"), ("flow", "proto"), ("model",),
         ("analysis", "compare"), ("case",), ("write",), ("report",), ("pipeline",), ("cli",)]
RANK = {f: i for i, rung in enumerate(RUNGS) for f in rung}
CHART_USERS = {"write", "report"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def includes():
    """(folder, file, line, included folder or 'charts') for every quoted include."""
    for folder in sorted(os.listdir(SRC)):
        d = os.path.join(SRC, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            with open(os.path.join(d, name), encoding="utf-8") as f:
                for no, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    if "/" in target:
                        yield folder, name, no, target.split("/")[0]
                    elif target in ("charts.h",):
                        yield folder, name, no, "charts"
                    elif not os.path.exists(os.path.join(d, target)):
                        yield folder, name, no, "?" + target


def find_cycle(edges):
    """A cycle in the folder graph as a list of folders, or None."""
    state = {}

    def visit(n, path):
        state[n] = 1
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state:
                c = visit(m, path + [m])
                if c:
                    return c
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            c = visit(n, [n])
            if c:
                return c
    return None


def main():
    problems = []
    edges = {}
    folders = set()
    for folder, name, no, target in includes():
        folders.add(folder)
        where = f"src/{folder}/{name}:{no}"
        if target.startswith("?"):
            problems.append(f"{where}: includes {target[1:]}, which is not in src/{folder}/")
            continue
        if target == folder:
            continue
        if target == "charts":
            if folder not in CHART_USERS:
                problems.append(f"{where}: only write/ and report/ draw charts, not {folder}/")
            continue
        edges.setdefault(folder, set()).add(target)
        if folder not in RANK or target not in RANK:
            problems.append(f"{where}: folder {folder if folder not in RANK else target}/ "
                            "has no place in the layer order (add it to this test and "
                            "docs/design.md)")
        elif RANK[target] >= RANK[folder]:
            problems.append(f"{where}: {folder}/ includes {target}/, which is not below it")
    cycle = find_cycle(edges)
    if cycle:
        problems.append("include cycle between folders: " + " -> ".join(cycle))
    for folder in sorted(folders - set(RANK)):
        problems.append(f"src/{folder}/ has no place in the layer order")
    charts = os.path.join(ROOT, "charts")
    for name in sorted(os.listdir(charts)):
        if name.endswith((".c", ".h")):
            with open(os.path.join(charts, name), encoding="utf-8") as f:
                for no, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m and "/" in m.group(1) and m.group(1).split("/")[0] in RANK:
                        problems.append(f"charts/{name}:{no}: the plotting library includes "
                                        f"{m.group(1)} of src/")
    for p in problems:
        print("FAIL:", p)
    if problems:
        print(f"layers: {len(problems)} problem(s)")
        sys.exit(1)
    print(f"layers: ok ({len(folders)} folders, {sum(len(v) for v in edges.values())} "
          "folder-to-folder edges, all downward)")


if __name__ == "__main__":
    main()
