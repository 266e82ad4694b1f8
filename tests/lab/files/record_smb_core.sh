#!/usr/bin/env bash
# Record tests/lab/files/smb_core.pcap and its truth (truth_smb_core.json):
# SMB1's older opens, reads and writes against samba, on the loopback of a
# private network namespace.  smbclient cannot make them: samba's client
# library always tries NT_CREATE_ANDX first (and falls back to OPEN_ANDX
# only when the server refuses it), and samba 4.17 answers a core-protocol
# negotiation with "no compatible dialect".  clients_core.py (standard
# library only) negotiates LANMAN1.0, logs on as a guest and sends, one
# request at a time:
#
#   OPEN_ANDX + READ_ANDX + CLOSE of old.bin (answer in 15 words) and of
#   oldx.bin (the extended answer, 19 words); core OPEN + READ + CLOSE of
#   core.bin; core CREATE + WRITE + CLOSE of made.bin; CREATE_NEW + WRITE
#   of new.bin, its last piece by WRITE_AND_CLOSE
#
#   sudo tests/lab/files/record_smb_core.sh   (root: ip netns, tcpdump, smbd)
#
# Truth = content_smb_core.py's hashes, computed before anything is sent;
# the capture is kept only when what the client read equals the share's
# files, the share holds what it wrote, and tcpdump lost nothing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_smb_core.sh
LAB_TOOLS_HINT="tests/lab/files/install.sh"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, smbd"
lab_require_tools smbd tcpdump ip /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-smbcore.XXXXXX)
chmod 755 "$WORK"
NS=pcf-smbcore
PY=/usr/bin/python3
trap lab_cleanup EXIT

lab_netns_add $NS
lab_smb1_guest core

# what arrived is what was sent
for f in old.bin oldx.bin core.bin; do cmp "$R/$f" "$C/share/$f"; done
for f in made.bin new.bin; do cmp "$S/share/$f" "$C/$f"; done
lab_keep smb_core truth_smb_core.json
