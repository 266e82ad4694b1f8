# gen.sh — sourced by the benchmark scripts: gen SIZE SEED prints the path of a cached
# gencap capture in $OUTROOT, generating it (with its truth file) the first time.
# Needs OUTROOT and GENCAP set.
gen() {
    local f="$OUTROOT/bench-$1-seed$2.pcap"
    if [ ! -s "$f" ] || [ ! -s "$f.truth.json" ]; then
        echo "generating $f" >&2
        "$GENCAP" -o "$f.tmp" --size "$1" --seed "$2" >&2
        mv "$f.tmp.truth.json" "$f.truth.json"
        mv "$f.tmp" "$f"
    fi
    echo "$f"
}
