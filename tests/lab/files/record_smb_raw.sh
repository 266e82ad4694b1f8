#!/usr/bin/env bash
# Record tests/lab/files/smb_raw.pcap and its truth (truth_smb_raw.json):
# SMB1's raw mode and lock-and-X commands against samba, on the loopback of
# a private network namespace.  No current client sends them (smbclient
# never uses raw mode); samba 4.17 still answers them (reply_readbraw,
# reply_writebraw, reply_lockread, reply_writeunlock) when signing is off
# and "read raw" / "write raw" are on.  clients_raw.py (standard library
# only) negotiates LANMAN1.0, logs on as a guest and sends, one request at
# a time:
#
#   READ_RAW of rawread.bin in 16 KiB pieces (the data comes back as a
#   NetBIOS message with no SMB header; the last, at the end of the file,
#   empty); LOCK_AND_READ of lockread.bin; WRITE_RAW of rawwrite.bin (data
#   in the request, the interim answer, the rest raw; then in write-through
#   mode, answered by WRITE_COMPLETE); LOCK_BYTE_RANGE + WRITE_AND_UNLOCK of
#   unlock.bin
#
#   tests/lab/files/record_smb_raw.sh   (root: ip netns, tcpdump, smbd)
#
# Truth = content_smb_raw.py's hashes, computed before anything is sent;
# the capture is kept only when what the client read equals the share's
# files, the share holds what it wrote, and tcpdump lost nothing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_smb_raw.sh
LAB_TOOLS_HINT="tests/lab/files/install.sh"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, smbd"
lab_require_tools smbd tcpdump ip /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-smbraw.XXXXXX)
chmod 755 "$WORK"
NS=pcf-smbraw
PY=/usr/bin/python3
trap lab_cleanup EXIT

lab_netns_add $NS
lab_smb1_guest raw "read raw = yes" "write raw = yes"

# what arrived is what was sent
for f in rawread.bin lockread.bin; do cmp "$R/$f" "$C/share/$f"; done
for f in rawwrite.bin unlock.bin; do cmp "$S/share/$f" "$C/$f"; done
lab_keep smb_raw truth_smb_raw.json
