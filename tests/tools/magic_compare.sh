#!/bin/sh
# Build and run tests/tools/magic_compare.c against build/'s engine:
#   tests/tools/magic_compare.sh [-s|-y] CARVED_DIR [ROUNDS]
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
cc -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$B/magic_compare" "$ROOT/tests/tools/magic_compare.c" \
    "$B/libpcapcase_engine.a" $(pkg-config --libs libmagic libcrypto zlib) -lm
exec "$B/magic_compare" "$@"
