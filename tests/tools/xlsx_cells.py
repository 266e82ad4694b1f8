#!/usr/bin/env python3
"""xlsx_cells.py — compare the cell data of two workbooks pcapcase wrote.

    tests/tools/xlsx_cells.py A.xlsx B.xlsx

Reads every sheet of both (tests/e2e/test_report.py's reader: inline and shared strings,
numbers, booleans, formulas flagged) and the column widths, and prints the first
differences; exit status 0 when the sheets, their order, every cell and every width are
the same, 1 otherwise.  The zip bytes may differ (compression, file order); the data may
not.  Used to check that a change to src/report/xlsx.c keeps the workbook's content.
"""
import os
import sys
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from test_report import NS, sheet_rows  # noqa: E402


def widths(xlsx):
    """{sheet name: [(min, max, width)]} from each sheet's <cols>."""
    zf = zipfile.ZipFile(xlsx)
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for s in wb.find("m:sheets", NS):
        root = ET.fromstring(zf.read("xl/" + target[s.get("{%s}id" % NS["r"])]))
        out[s.get("name")] = [(c.get("min"), c.get("max"), c.get("width"))
                              for c in root.iter("{%s}col" % NS["m"])]
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = sys.argv[1:]
    sa, sb = sheet_rows(a), sheet_rows(b)
    bad = 0
    if list(sa) != list(sb):
        print(f"sheets differ: {list(sa)} vs {list(sb)}")
        bad += 1
    for name in sa:
        ra, rb = sa[name], sb.get(name)
        if ra != rb:
            bad += 1
            rb = rb or []
            print(f"{name}: {len(ra)} vs {len(rb)} rows")
            for i, (x, y) in enumerate(zip(ra, rb)):
                if x != y:
                    print(f"  row {i}: {x!r}\n      vs {y!r}")
                    break
    wa, wb = widths(a), widths(b)
    for name in wa:
        if wa[name] != wb.get(name):
            bad += 1
            print(f"{name}: column widths differ")
    cells = sum(len(r) for rows in sa.values() for r in rows)
    print(f"{'same' if not bad else 'DIFFERENT'}: {len(sa)} sheets, {cells} cells")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
