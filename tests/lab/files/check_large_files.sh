#!/usr/bin/env bash
# Files too big to hold in memory, recorded from real clients and servers
# and carved: a check to run by hand (the captures are hundreds of MB, so
# none is kept in the repository, and the run takes a minute or two).
#
#   sudo tests/lab/files/check_large_files.sh [PCAPCASE]   (root: ip netns,
#        tcpdump, smbd, in.tftpd; after tests/lab/files/install.sh)
#
# On the loopback of a private network namespace, with random contents
# made here:
#   - smbclient (SMB3) against samba: get of a 150 MB file, put of a 120 MB
#     file (samba's default 8 MiB reads and writes, several in flight);
#   - tftp-hpa: get of a 70 MB file in 512-byte blocks (136,719 blocks: the
#     block number wraps past 65535 twice).
# Each file must be in files.ndjson whole, with the SHA-256 of what was
# sent, and kept in artifacts/.  Before 2026-12-01 each was `incomplete` or
# `unterminated`, with no hash: bytes past 64 MiB were not kept.
# PCAPCASE: the binary to check (default: build/pcapcase).  KEEP=1 keeps the
# captures and the case folder (their folder is printed).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=check_large_files.sh
LAB_TOOLS_HINT="tests/lab/files/install.sh"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, smbd, in.tftpd"
lab_require_tools smbd smbclient in.tftpd tftp tcpdump ip /usr/bin/python3
PCAPCASE=$(realpath "${1:-$HERE/../../../build/pcapcase}")
WORK=$(mktemp -d /tmp/pcf-large.XXXXXX)
chmod 755 "$WORK"
NS=pcf-large
cleanup() {
  lab_cleanup
  if [ "${KEEP:-0}" = 1 ]; then say "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
lab_netns_add $NS

# contents from a seed: the same files on every run
make_file() { /usr/bin/python3 -c "import random,sys; sys.stdout.buffer.write(random.Random($2).randbytes($3))" >"$1"; }
S=$WORK/samba T=$WORK/tftp R=$WORK/got
mkdir -p "$S/share" "$T/root" "$R"
chmod 777 "$T/root"
make_file "$S/share/disk.img" 1 150000000
make_file "$WORK/upload.bin" 2 120000000
make_file "$T/root/initrd.img" 3 70000000

lab_smb_conf "$S" user "server smb encrypt = off"
lab_smbd $NS "$S"
ip netns exec $NS in.tftpd -L -u root -s "$T/root" &
PIDS+=($!)
sleep 0.5

# a large kernel buffer: 64 KB segments on the loopback outrun tcpdump
lab_tcpdump_start $NS "$WORK/large.err" -i lo -B 1048576 -U -s 0 -w "$WORK/large.pcap" \
  "tcp port 445 or udp"
ip netns exec $NS smbclient -m SMB3 -U 'carol%smb-Secret-4' //127.0.0.1/share \
  -c "get disk.img $R/disk.img; put $WORK/upload.bin upload.bin" >/dev/null
(cd "$R" && ip netns exec $NS tftp 127.0.0.1 -m binary -c get initrd.img "$R/initrd.img")
sleep 3
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/large.err" lo
cmp "$R/disk.img" "$S/share/disk.img"
cmp "$S/share/upload.bin" "$WORK/upload.bin"
cmp "$R/initrd.img" "$T/root/initrd.img"
say "large.pcap: $(stat -c %s "$WORK/large.pcap") bytes; analysing with $PCAPCASE"

"$PCAPCASE" analyze --quiet -o "$WORK/case" "$WORK/large.pcap"
/usr/bin/python3 - "$WORK" <<'PY'
import hashlib, json, os, sys
work = sys.argv[1]
def sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()
want = {"disk.img": sha(f"{work}/samba/share/disk.img"), "upload.bin": sha(f"{work}/upload.bin"),
        "initrd.img": sha(f"{work}/tftp/root/initrd.img")}
rows = [json.loads(l) for l in open(f"{work}/case/logs/files.ndjson")]
bad = 0
for name, h in want.items():
    got = [r for r in rows if r.get("filename") == name]
    ok = (len(got) == 1 and got[0].get("sha256") == h and not got[0].get("truncated")
          and os.path.exists(f"{work}/case/artifacts/{h}"))
    bad += not ok
    print(("ok   " if ok else "FAIL ") + name + ": " +
          json.dumps([{k: r.get(k) for k in ("source", "seen_bytes", "sha256", "truncated_reason")}
                      for r in got]))
sys.exit(1 if bad else 0)
PY
