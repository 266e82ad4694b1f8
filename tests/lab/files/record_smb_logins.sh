#!/usr/bin/env bash
# Record the SMB logins lab capture (tests/lab/files/smb_logins.pcap):
# smbclient against samba (lab_smb_conf's user mode, the account carol with
# the password smb-Secret-4) on the loopback of a private network namespace,
# each an NTLMv2 login over SMB3 then SMB1 (NT1):
#
#   SMB3  carol with a wrong password (NT_STATUS_LOGON_FAILURE), ls refused
#   SMB3  carol with her password, ls
#   NT1   carol with a wrong password, then with hers, ls
#
#   sudo tests/lab/files/record_smb_logins.sh   (root: ip netns, tcpdump, smbd)
#
# The committed capture is what the tests use; this script is how it was
# made (tests/e2e/test_smb_logins.py knows the passwords).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_smb_logins.sh
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_TOOLS_HINT="tests/lab/files/install.sh"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, smbd"
lab_require_tools smbd smbclient tcpdump ip
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-smblogins.XXXXXX)
chmod 755 "$WORK"
NS=pcf-smblogins
trap lab_cleanup EXIT
lab_netns_add $NS
S=$WORK/samba
mkdir -p "$S/share"
echo "a file on the share" >"$S/share/hello.txt"
lab_smb_conf "$S" user "server smb encrypt = off" "server min protocol = NT1" "ntlm auth = yes"
lab_smbd $NS "$S"

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/smb_logins.pcap" 'tcp port 445'
sleep 1
try() { # PROTOCOL PASSWORD: 0 when the login and ls worked
    ip netns exec $NS smbclient -m "$1" --option="client min protocol=NT1" -U "carol%$2" \
        //127.0.0.1/share -c ls >/dev/null 2>&1
}
if try SMB3 not-the-password; then echo "record_smb_logins.sh: wrong password accepted" >&2; exit 1; fi
try SMB3 smb-Secret-4
if try NT1 not-the-password; then echo "record_smb_logins.sh: wrong password accepted" >&2; exit 1; fi
try NT1 smb-Secret-4
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
cp "$WORK/smb_logins.pcap" "$OUT/"
echo "smb_logins.pcap: $(stat -c %s "$OUT/smb_logins.pcap") bytes" >&2
