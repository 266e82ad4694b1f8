#!/bin/bash
# xlsx_builds.sh — do two builds of pcapcase write the same workbook cells?
#
#   tests/tools/xlsx_builds.sh OLD_PCAPCASE NEW_PCAPCASE < LIST
#
# LIST names one capture per line.  Each is analysed by both binaries
# (--jobs 1, SOURCE_DATE_EPOCH fixed so case.json's creation time is the
# same) and the two report.xlsx compared with tests/tools/xlsx_cells.py:
# every sheet, cell and column width.  Prints DIFF and the first differences
# for a capture whose workbooks differ, NONE when neither wrote one, and a
# closing count; exit status 1 when any differ.  Used to check that the
# workbook writer of our own (src/report/xlsx_book.c) kept libxlsxwriter's
# cells, e.g.  ls sample_pcaps/*.pcap* | tests/tools/xlsx_builds.sh A B
set -u
old=$1 new=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1795402995
n=0 same=0 bad=0
while read -r p; do
    n=$((n + 1))
    rm -rf "$work/a" "$work/b"
    timeout 600 "$old" analyze --jobs 1 -o "$work/a" --quiet "$p" >/dev/null 2>&1
    timeout 600 "$new" analyze --jobs 1 -o "$work/b" --quiet "$p" >/dev/null 2>&1
    if [ ! -f "$work/a/report.xlsx" ] && [ ! -f "$work/b/report.xlsx" ]; then
        echo "NONE $p"
        continue
    fi
    if out=$(python3 "$here/xlsx_cells.py" "$work/a/report.xlsx" "$work/b/report.xlsx" 2>&1); then
        same=$((same + 1))
    else
        bad=$((bad + 1))
        echo "DIFF $p"
        echo "$out" | head -8
    fi
done
echo "$n captures: $same the same, $bad different"
[ "$bad" -eq 0 ]
