#!/usr/bin/env bash
# Record tests/lab/files/smb1_more.pcap and its truth (truth_smb1_more.json):
# smbclient against samba over SMB1 (NT1) only, on the loopback of a private
# network namespace, for what SMB1 names by path rather than by file id
# (renames, deletes, directories, attributes) and for 64-bit offsets:
#
#   session 1 (-m NT1, unicode): put moved.bin, rename it (SMB_COM_RENAME)
#     and del it (SMB_COM_DELETE); put forced.bin, `rename -f` it (replace:
#     TRANS2_SET_PATH_INFORMATION with rename information) and del it;
#     mkdir/rmdir newdir; setmode attr.txt +r then -r; get sub\deep.bin;
#     del w*.tmp (a wildcard: two files); deltree tree (tree\a.txt,
#     tree\inner\b.txt)
#   session 2 (--option='client max protocol=NT1'): reget huge.bin (a
#     sparse file of 4 GiB + 40,000 bytes, the client's copy cut at 4 GiB:
#     READ_ANDX at offset 4 GiB, OffsetHigh 1)
#   session 3 (clients_smb1.py: samba's client library forced to SMB1, for
#     what smbclient has no command for): 30,000 bytes written at offset
#     4 GiB of uphuge.bin (WRITE_ANDX, OffsetHigh 1; smbclient 4.17's reput
#     writes at offset 0); disp.bin put, opened again and marked
#     delete-on-close (TRANS2_SET_FILE_INFORMATION, disposition); doc.bin
#     created with FILE_DELETE_ON_CLOSE (NT_CREATE_ANDX), written, closed
#   session 4 (-m NT1, unicode = no): put oem.bin, rename, del with OEM
#     (8-bit) names
#
#   sudo tests/lab/files/record_smb1_more.sh   (root: ip netns, tcpdump, smbd)
#
# Truth = content_smb1_more.py's hashes, computed before anything is sent;
# the capture is kept only when what arrived equals what was sent (cmp), the
# server's share holds what the commands should have left, and tcpdump lost
# nothing.  Reads and writes are synchronous on the server (aio read size
# = 0): smbclient keeps READs in flight past the end of the file and sends
# its CLOSE before their answers, and samba 4.17's smbd crashed in
# close_file_smb on that with asynchronous reads.  The 4 GiB files are sparse on both sides: only their last bytes
# are data, and the capture stays small.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_smb1_more.sh
LAB_TOOLS_HINT="tests/lab/files/install.sh"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump, smbd"
lab_require_tools smbd smbclient smbpasswd tcpdump ip truncate /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-smb1.XXXXXX)
chmod 755 "$WORK"
NS=pcf-smb1
PY=/usr/bin/python3
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS
$PY "$HERE/content_smb1_more.py" "$WORK/c"
C=$WORK/c/smb1
R=$WORK/got
mkdir -p "$R" && chmod 777 "$R"
FOUR_GIB=4294967296

# tail FILE SIZE TAILFILE: a sparse FILE of SIZE bytes ending with TAILFILE's bytes
sparse_with_tail() {
  truncate -s "$2" "$1"
  dd if="$3" of="$1" bs=1 seek=$(($2 - $(stat -c %s "$3"))) conv=notrunc status=none
}

S=$WORK/samba
mkdir -p "$S"
cp -r "$C/share" "$S/share"
rm "$S/share/huge.tail"
sparse_with_tail "$S/share/huge.bin" $((FOUR_GIB + $(stat -c %s "$C/share/huge.tail"))) "$C/share/huge.tail"
truncate -s $FOUR_GIB "$S/share/uphuge.bin"
chmod -R a+rwX "$S/share"
lab_smb_conf "$S" user "server min protocol = NT1" "ntlm auth = yes" "lanman auth = no" \
  "server smb encrypt = off" "store dos attributes = yes" "map readonly = yes" \
  "aio read size = 0" "aio write size = 0"
lab_smbd $NS "$S"

# the client's copy of huge.bin, cut at 4 GiB (reget goes on from there)
truncate -s $FOUR_GIB "$R/huge.bin"
chmod a+rw "$R"/*

smb() { inN smbclient -U 'carol%smb-Secret-4' --option='client min protocol=NT1' "$@" //127.0.0.1/share; }
lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/smb1_more.pcap" 'tcp port 445'
cd "$R"
smb -m NT1 -c "\
put $C/moved.bin moved.bin; rename moved.bin moved2.bin; del moved2.bin; \
put $C/forced.bin forced.bin; rename forced.bin forced2.bin -f; del forced2.bin; \
mkdir newdir; rmdir newdir; \
setmode attr.txt +r; setmode attr.txt -r; \
get sub\\deep.bin $R/deep.bin; \
del w*.tmp; \
deltree tree" >"$WORK/s1.out"
smb --option='client max protocol=NT1' -c "\
reget huge.bin $R/huge.bin" >"$WORK/s2.out"
printf '[global]\n  client min protocol = NT1\n  client max protocol = NT1\n' >"$WORK/client.conf"
inN $PY "$HERE/clients_smb1.py" 127.0.0.1 share carol smb-Secret-4 "$C" "$WORK/client.conf"
smb -m NT1 --option='unicode=no' -c "\
put $C/oem.bin oem.bin; rename oem.bin oem2.bin; del oem2.bin" >"$WORK/s3.out"
cd - >/dev/null
sleep 2 # tcpdump, slowed by a loaded machine, reads its buffer
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo

# what arrived is what was sent; the share holds what the commands left
cmp "$R/deep.bin" "$C/share/sub/deep.bin"
cmp <(tail -c +$((FOUR_GIB + 1)) "$R/huge.bin") "$C/share/huge.tail"
[ "$(stat -c %s "$S/share/uphuge.bin")" = $((FOUR_GIB + $(stat -c %s "$C/uphuge.tail"))) ]
cmp <(tail -c +$((FOUR_GIB + 1)) "$S/share/uphuge.bin") "$C/uphuge.tail"
for gone in moved.bin moved2.bin forced.bin forced2.bin newdir w1.tmp w2.tmp tree oem.bin oem2.bin \
  disp.bin doc.bin; do
  [ ! -e "$S/share/$gone" ] || { echo "$LAB_NAME: $gone is still on the share" >&2; exit 1; }
done
[ -e "$S/share/attr.txt" ] && [ -e "$S/share/sub/deep.bin" ]
lab_keep smb1_more truth_smb1_more.json
