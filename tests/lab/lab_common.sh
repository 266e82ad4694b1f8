# shellcheck shell=bash
# lab_common.sh — what the lab's recording scripts share; each of them
# (tests/lab/record*.sh, tests/lab/files/record*.sh) sources it:
#
#   LAB_NAME=record_tls.sh
#   . "$HERE/lab_common.sh"
#
# It gives the checks before a recording (root, tools), fresh network
# namespaces, waiting for a server's port, tcpdump started and stopped so
# that a recording that lost packets is never kept, and the cleanup after
# it all: `trap lab_cleanup EXIT` stops the tcpdump still running, the
# processes in PIDS and every process left inside the namespaces made by
# lab_netns_add, deletes those namespaces, and removes WORK (the script's
# temp folder) unless KEEP_WORK is set.  Messages start with LAB_NAME.
# Not a script of its own: it only defines functions and variables.
# shellcheck disable=SC2034 # PIDS and the rest are the sourcing script's

PIDS=()           # processes the script started (servers, tcpdumps): killed at the end
LAB_NAMESPACES=() # made by lab_netns_add: deleted at the end
LAB_USERS=()      # made by lab_vsftpd_tls: deleted at the end
TCPDUMP_PID=      # the tcpdump lab_tcpdump_start started last, until it is stopped

say() { echo "[$(date +%T)] $*" >&2; }

# lab_require_root [WHY]: exits 3 unless the script runs as root.
lab_require_root() {
  [ "$(id -u)" = 0 ] || { echo "$LAB_NAME: needs root${1:+ ($1)}" >&2; exit 3; }
}

# lab_require_tools TOOL...: exits 3 naming the first one not installed
# (LAB_TOOLS_HINT, when set, says where to get them).
lab_require_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null ||
      { echo "$LAB_NAME: $t not found${LAB_TOOLS_HINT:+ ($LAB_TOOLS_HINT)}" >&2; exit 3; }
  done
}

# lab_netns_add NS...: a fresh network namespace for each (one left by an
# earlier run is deleted first), its loopback up; lab_cleanup deletes them.
lab_netns_add() {
  local ns
  for ns in "$@"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    ip netns exec "$ns" ip link set lo up
    LAB_NAMESPACES+=("$ns")
  done
}

# The processes still running inside the lab's namespaces.
lab_ns_pids() {
  local ns
  for ns in "${LAB_NAMESPACES[@]}"; do ip netns pids "$ns" 2>/dev/null; done
}

# Run on exit (trap lab_cleanup EXIT).  A deleted namespace lives on while a
# process is inside it: hence the kills (TERM, then KILL) before deleting.
lab_cleanup() {
  set +e
  local p ns left
  [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null
  for p in "${PIDS[@]:-}" $(lab_ns_pids); do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  if [ ${#LAB_NAMESPACES[@]} -gt 0 ]; then
    sleep 0.5
    for p in "${PIDS[@]:-}" $(lab_ns_pids); do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
    sleep 0.2
    left=$(lab_ns_pids)
    [ -z "$left" ] || echo "$LAB_NAME: processes left in the lab namespaces: $left" >&2
    for ns in "${LAB_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  else
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
  fi
  for p in "${LAB_USERS[@]:-}"; do [ -n "$p" ] && userdel "$p" 2>/dev/null; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}

# free_ports N: N TCP ports free on 127.0.0.1 now, on one line.
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# lab_nginx_head: the start of an nginx config for `nginx -c FILE -p "$WORK"`
# as root (LAB.md): in the foreground, one worker, its pid, logs and
# temporary files all in WORK (WORK/tmp must exist); it ends inside the
# http block, where the caller adds its types and servers and the "}".
lab_nginx_head() {
  cat <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err warn;
events { worker_connections 64; }
http {
  access_log $WORK/access.log;
  client_body_temp_path $WORK/tmp/body; proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fcgi; uwsgi_temp_path $WORK/tmp/uwsgi; scgi_temp_path $WORK/tmp/scgi;
EOF
}

# lab_dovecot_conf DIR MECHANISMS: the dovecot.conf of the mail recordings
# on stdout: POP3 and IMAP on 127.0.0.1 without TLS, the users of
# DIR/users (passwd-file), Maildirs under DIR/mail/USER, everything dovecot
# writes in DIR/run and DIR/log, auth_mechanisms MECHANISMS.
lab_dovecot_conf() {
  cat <<CONF
base_dir = $1/run
state_dir = $1/run
log_path = $1/log
protocols = pop3 imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = $2
mail_location = maildir:$1/mail/%u/Maildir
passdb {
  driver = passwd-file
  args = $1/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$1/mail/%u
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0666
  }
}
service imap-login {
  chroot =
}
service pop3-login {
  chroot =
}
CONF
}

# lab_vsftpd_tls DIR USER PASSWORD [CONF_LINE]...: the vsftpd.conf of the FTPS
# recordings, written to DIR/vsftpd.conf: vsftpd on 127.0.0.1 in the
# foreground, the local user USER (made here with PASSWORD, through PAM; lab_cleanup
# deletes it) rooted at DIR/root, passive ports 30200-30300, a self-signed
# certificate for ftp.lab.example made here, TLS forced on logins and on data
# (PROT P), data connections resuming the control connection's TLS session
# (vsftpd's default require_ssl_reuse, as real servers do), its log in DIR;
# then each CONF_LINE (write_enable=YES, implicit_ssl=YES, listen_port=990, ...).
lab_vsftpd_tls() {
  local dir=$1 user=$2 pass=$3
  shift 3
  mkdir -p "$dir/root/pub" "$dir/empty"
  useradd -M -d "$dir/root" -s /bin/sh "$user" 2>/dev/null || true # pam_shells wants a shell from /etc/shells
  LAB_USERS+=("$user")
  echo "$user:$pass" | chpasswd
  openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=ftp.lab.example -days 3650 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  {
    cat <<CONF
listen=YES
listen_address=127.0.0.1
background=NO
anonymous_enable=NO
local_enable=YES
local_root=$dir/root
secure_chroot_dir=$dir/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
pasv_min_port=30200
pasv_max_port=30300
connect_from_port_20=NO
xferlog_enable=YES
vsftpd_log_file=$dir/vsftpd.log
ssl_enable=YES
rsa_cert_file=$dir/cert.pem
rsa_private_key_file=$dir/key.pem
ssl_ciphers=HIGH
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
debug_ssl=YES
CONF
    printf '%s\n' "$@"
  } >"$dir/vsftpd.conf"
}

# lab_wait_port NS HOST PORT: returns once something accepts connections on
# HOST:PORT inside namespace NS ("": this one); exits 3 after 5 s.
lab_wait_port() {
  local ns=$1 host=$2 port=$3 probe="exec 3<>/dev/tcp/$2/$3"
  for _ in $(seq 50); do
    if [ -n "$ns" ]; then
      ip netns exec "$ns" bash -c "$probe" 2>/dev/null && return 0
    else
      bash -c "$probe" 2>/dev/null && return 0
    fi
    sleep 0.1
  done
  echo "$LAB_NAME: nothing on $host:$port" >&2
  exit 3
}

# lab_tcpdump_start NS ERRFILE TCPDUMP_ARGUMENTS...: tcpdump inside
# namespace NS ("": this one), its messages (and at the end its counts) in
# ERRFILE; returns once it listens (5 s at most), its pid in TCPDUMP_PID.
# Started with ip netns exec directly, not through a shell function (which
# would fork a subshell), so that the pid is tcpdump's own.
lab_tcpdump_start() {
  local ns=$1 err=$2
  shift 2
  if [ -n "$ns" ]; then
    ip netns exec "$ns" tcpdump "$@" >/dev/null 2>"$err" &
  else
    tcpdump "$@" >/dev/null 2>"$err" &
  fi
  TCPDUMP_PID=$!
  for _ in $(seq 50); do grep -qs "listening on" "$err" && break; sleep 0.1; done
}

# lab_tcpdump_stop PID ERRFILE [lo]: stops that tcpdump (SIGINT: it writes
# out what it holds and prints its counts) and exits 1, showing ERRFILE,
# when it lost packets: any dropped by the kernel, or with "lo" (where the
# filter sees each packet twice, going out and coming in) "received by
# filter" other than twice "captured" — a tcpdump stopped before it read its
# buffer loses packets without counting them as drops.
lab_tcpdump_stop() {
  local pid=$1 err=$2 lost=false captured received
  kill -INT "$pid"
  wait "$pid" 2>/dev/null || true
  [ "$pid" != "$TCPDUMP_PID" ] || TCPDUMP_PID=
  grep -qx "0 packets dropped by kernel" "$err" || lost=true
  if [ "${3:-}" = lo ]; then
    captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$err")
    received=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$err")
    [ -n "$captured" ] && [ "$received" = $((2 * captured)) ] || lost=true
  fi
  if $lost; then
    echo "$LAB_NAME: tcpdump lost packets ($(basename "$err")); re-run" >&2
    cat "$err" >&2
    exit 1
  fi
}

# lab_smb_conf DIR MODE [GLOBAL_LINE]...: the smb.conf of the SMB recordings,
# written to DIR/smb.conf (the directories it names made here; DIR/share,
# the one share's folder, is the caller's to fill): samba as a standalone
# server on 445 of lo only, no NetBIOS, no printers, signing off, all its
# state and its log in DIR; then MODE:
#   user   the account carol (root mapped: DIR/users.map, written here;
#          lab_smbd gives it the password smb-Secret-4), the share writable
#   guest  every logon a guest (nobody), the share writable and guests only
# and each GLOBAL_LINE ("server min protocol = NT1", "read raw = yes", ...)
# in [global].
lab_smb_conf() {
  local dir=$1 mode=$2
  shift 2
  mkdir -p "$dir/private" "$dir/lock" "$dir/state" "$dir/cache" "$dir/pid" "$dir/ncalrpc"
  case $mode in
  user)
    echo 'root = carol' >"$dir/users.map"
    set -- "username map = $dir/users.map" "$@"
    ;;
  guest) set -- "map to guest = Bad User" "guest account = nobody" "$@" ;;
  *) echo "$LAB_NAME: lab_smb_conf: mode user or guest, not $mode" >&2; exit 3 ;;
  esac
  {
    cat <<CONF
[global]
  workgroup = LAB
  netbios name = LABSRV
  server role = standalone server
  passdb backend = tdbsam:$dir/private/passdb.tdb
  private dir = $dir/private
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  pid directory = $dir/pid
  ncalrpc dir = $dir/ncalrpc
  log file = $dir/log
  interfaces = lo
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  server signing = disabled
  load printers = no
  printcap name = /dev/null
CONF
    printf '  %s\n' "$@"
    printf '[share]\n  path = %s\n  read only = no\n' "$dir/share"
    [ "$mode" != guest ] || printf '  guest ok = yes\n  guest only = yes\n'
  } >"$dir/smb.conf"
}

# lab_smbd NS DIR: smbd with DIR/smb.conf (lab_smb_conf) inside namespace NS,
# its output in DIR/smbd.out; carol's password set first when DIR/users.map
# exists (mode user); returns once it listens on 127.0.0.1:445.  setsid:
# smbd's parent signals its process group when it ends.
lab_smbd() {
  local ns=$1 dir=$2
  if [ -e "$dir/users.map" ]; then
    printf 'smb-Secret-4\nsmb-Secret-4\n' |
      ip netns exec "$ns" smbpasswd -c "$dir/smb.conf" -s -a root >/dev/null
  fi
  ip netns exec "$ns" setsid smbd --foreground --no-process-group -s "$dir/smb.conf" \
    </dev/null >"$dir/smbd.out" 2>&1 &
  PIDS+=($!)
  lab_wait_port "$ns" 127.0.0.1 445
}

# lab_capture NS NAME FILTER COMMAND...: COMMAND run inside namespace NS
# while tcpdump records FILTER on its lo into WORK/NAME.pcap; exits 1 when
# tcpdump lost packets (lab_tcpdump_stop).
lab_capture() {
  local ns=$1 name=$2 filter=$3
  shift 3
  lab_tcpdump_start "$ns" "$WORK/$name.err" -i lo -U -s 0 -w "$WORK/$name.pcap" "$filter"
  ip netns exec "$ns" "$@"
  sleep 2 # tcpdump, slowed by a loaded machine, reads its buffer
  lab_tcpdump_stop "$TCPDUMP_PID" "$WORK/$name.err" lo
}

# lab_keep NAME TRUTH: WORK/NAME.pcap and WORK/c/content.json (the truth the
# content script wrote) kept in OUT as NAME.pcap and TRUTH.
lab_keep() {
  cp "$WORK/$1.pcap" "$OUT/$1.pcap"
  cp "$WORK/c/content.json" "$OUT/$2"
  say "$1.pcap: $(stat -c %s "$OUT/$1.pcap") bytes"
}

# lab_smb1_guest KIND [GLOBAL_LINE]...: record_smb_KIND.sh's recording
# (KIND core or raw) inside namespace NS: content_smb_KIND.py's files made
# in WORK/c (C=WORK/c/KIND, its share/ the share's files), samba as
# lab_smb_conf's guest server down to LANMAN1 with reads and writes
# synchronous (aio read/write size 0) and each GLOBAL_LINE, then
# clients_KIND.py 127.0.0.1 C R recorded into WORK/smb_KIND.pcap (R=WORK/got:
# the files it read; S=WORK/samba: the server's, its share in S/share).
lab_smb1_guest() {
  local kind=$1
  shift
  "$PY" "$HERE/content_smb_$kind.py" "$WORK/c"
  C=$WORK/c/$kind
  R=$WORK/got
  S=$WORK/samba
  mkdir -p "$R" "$S"
  cp -r "$C/share" "$S/share"
  chmod -R a+rwX "$S/share"
  lab_smb_conf "$S" guest "server min protocol = LANMAN1" \
    "aio read size = 0" "aio write size = 0" "$@"
  lab_smbd "$NS" "$S"
  lab_capture "$NS" "smb_$kind" 'tcp port 445' "$PY" "$HERE/clients_$kind.py" 127.0.0.1 "$C" "$R"
}
