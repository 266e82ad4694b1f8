#!/usr/bin/env bash
# Record the SMTP CHUNKING/PIPELINING lab capture
# (tests/lab/files/smtp_chunking.pcap) and its truth (smtp_chunking.json):
# smtp_chunking.py's client against Exim 4.96 (Debian exim4-daemon-light,
# which offers PIPELINING and CHUNKING) on the loopback of a private network
# namespace, delivering to Maildirs:
#
#   sudo tests/lab/files/record_smtp_chunking.sh
#                     (root: ip netns, tcpdump; apt-get install exim4-daemon-light)
#
# smtp_chunking.py says what the session holds (BDAT chunks cut inside
# lines, CRLFs and base64, pipelined groups with a refused RCPT, RSET,
# pipelined DATA, binary content ending with BDAT 0 LAST, a message refused
# after BDAT LAST with the next transaction pipelined behind it, a message
# refused after DATA).  The truth is written before anything is sent; the
# capture is kept only when every reply was the expected one and the
# Maildirs hold exactly the accepted messages as sent.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_smtp_chunking.sh
LAB_TOOLS_HINT="apt-get install exim4-daemon-light"
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/../lab_common.sh"
lab_require_root "ip netns, tcpdump"
lab_require_tools exim4 tcpdump ip /usr/bin/python3
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/pcf-chunking.XXXXXX)
chmod 755 "$WORK"
NS=pcf-chunking
PY=/usr/bin/python3
CLIENT=$HERE/smtp_chunking.py
trap lab_cleanup EXIT
inN() { ip netns exec $NS "$@"; }

lab_netns_add $NS
$PY "$CLIENT" truth "$WORK" "$WORK/smtp_chunking.json"

# Exim: local domain lab.example (other domains are refused at RCPT: no
# relaying), AUTH PLAIN for one user, a data ACL that refuses messages with
# "X-Lab-Refuse: yes" (after DATA's dot and after BDAT LAST alike), no ident
# or DNS look-ups and no TLS (the capture holds SMTP only).
mkdir -p "$WORK/spool" "$WORK/log" "$WORK/maildir"
chown Debian-exim:Debian-exim "$WORK/spool" "$WORK/log" "$WORK/maildir"
cat >"$WORK/exim.conf" <<CONF
primary_hostname = mx.lab.example
domainlist local_domains = lab.example
spool_directory = $WORK/spool
log_file_path = $WORK/log/%slog
keep_environment =
daemon_smtp_ports = 25
local_interfaces = 127.0.0.1
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
chunking_advertise_hosts = *
pipelining_advertise_hosts = *
auth_advertise_hosts = *
acl_smtp_rcpt = acl_rcpt
acl_smtp_data = acl_data
smtp_banner = mx.lab.example ESMTP Exim \$version_number
begin acl
acl_rcpt:
  accept domains = +local_domains
  deny message = relay not permitted
acl_data:
  deny condition = \${if eq{\$h_X-Lab-Refuse:}{yes}}
       message = content refused by policy
  accept
begin routers
local:
  driver = accept
  domains = +local_domains
  local_parts = bob : carol
  transport = maildir
begin transports
maildir:
  driver = appendfile
  directory = $WORK/maildir/\$local_part_data
  maildir_format
  user = Debian-exim
  mode = 0600
begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and{{eq{\$auth2}{relay}}{eq{\$auth3}{bdat Secret 9}}}}
  server_set_id = \$auth2
CONF
inN exim4 -C "$WORK/exim.conf" -bdf -odi -oX 25 2>"$WORK/exim.err" &
PIDS+=($!)
lab_wait_port $NS 127.0.0.1 25

lab_tcpdump_start $NS "$WORK/tcpdump.err" -i lo -U -s 0 -w "$WORK/smtp_chunking.pcap" 'tcp port 25'
sleep 1
inN $PY "$CLIENT" send "$WORK" 127.0.0.1 25
sleep 1
lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/tcpdump.err" lo
sleep 1 # deliveries (-odi: before each reply; the last ones may still be writing)
$PY "$CLIENT" check "$WORK" "$WORK/maildir"

cp "$WORK/smtp_chunking.pcap" "$WORK/smtp_chunking.json" "$OUT/"
say "smtp_chunking.pcap: $(stat -c %s "$OUT/smtp_chunking.pcap") bytes"
