#!/usr/bin/env bash
# Record tests/recordings/router-local/: the same traffic on both sides of a
# router that drops packets (tbf), with the traffic a router never forwards
# mixed in — what `pcapcase compare` must count as local to a point, not as
# loss (issue 23).
#
#   sudo tests/lab/record_router.sh
#
#   prl-cli                 prl-rtr                           prl-srv
#   cli0 10.77.0.10/24 ---- rc0 10.77.0.1 | rs0 203.0.113.1 ---- srv0 203.0.113.10/24
#        169.254.7.10/16        169.254.7.1                         2001:db8:113::10/64
#        2001:db8:77::10/64     2001:db8:77::1 | 2001:db8:113::1
#   capture A: cli0             tbf both ways: drops under the bulk transfers
#                                                                  capture B: srv0
#
# Mixed in: ARP (no static neighbours); IPv6 link-local addresses coming up
# (DAD from ::, MLD reports to ff02::16, router solicitations) on every link;
# neighbour discovery for the global IPv6 addresses; UDP to 255.255.255.255,
# to the client's and the server's subnet broadcast, to 224.0.0.251, between
# 169.254/16 addresses (the router answers with ICMP port unreachable from
# 169.254.7.1), to 239.1.2.3 with TTL 1 and to ff05::1:3 with hop limit 1.
# The router originates nothing else (no ICMP errors but the 169.254 one:
# every routed packet has a live destination).
#
# truth.json: the router's qdisc drop counters (the losses compare must
# find, per direction), and per capture the packets that cannot cross the
# router, counted with tshark display filters (an oracle independent of
# pcapcase).  Needs root, iproute2, ethtool, tcpdump, tshark, python3.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # read by lab_common.sh
LAB_NAME=record_router.sh
# shellcheck source=tests/lab/lab_common.sh
. "$HERE/lab_common.sh"
lab_require_tools python3 tcpdump tshark ip tc ethtool
lab_require_root "ip netns, tc, tcpdump"

REPO=$(cd "$HERE/../.." && pwd)
OUT="$REPO/tests/recordings/router-local"
PY=$(python3 -c 'import sys; print(sys.executable)')
WORK=$(mktemp -d /tmp/prl.XXXXXX)
NS_C=prl-cli NS_R=prl-rtr NS_S=prl-srv
trap lab_cleanup EXIT
trap 'echo "record_router.sh: interrupted; nothing written" >&2; exit 130' INT TERM

inC() { ip netns exec $NS_C "$@"; }
inR() { ip netns exec $NS_R "$@"; }
inS() { ip netns exec $NS_S "$@"; }

lab_netns_add $NS_C $NS_R $NS_S
ip link add cli0 netns $NS_C type veth peer name rc0 netns $NS_R
ip link add srv0 netns $NS_S type veth peer name rs0 netns $NS_R
# IPv6 stays off until the captures run, so that link-local addresses, DAD
# and MLD happen while they record.
for pair in "$NS_C cli0" "$NS_R rc0" "$NS_R rs0" "$NS_S srv0"; do
  set -- $pair
  ip netns exec $1 sysctl -qw net.ipv6.conf.$2.disable_ipv6=1
done
inC ip addr add 10.77.0.10/24 brd + dev cli0
inC ip addr add 169.254.7.10/16 brd + dev cli0
inR ip addr add 10.77.0.1/24 brd + dev rc0
inR ip addr add 169.254.7.1/16 brd + dev rc0
inR ip addr add 203.0.113.1/24 brd + dev rs0
inS ip addr add 203.0.113.10/24 brd + dev srv0
inR sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# Offloads off: otherwise tcpdump sees 64 KB super-segments (docs: LAB.md).
for pair in "$NS_C cli0" "$NS_R rc0" "$NS_R rs0" "$NS_S srv0"; do
  set -- $pair
  ip netns exec $1 ip link set $2 up
  ip netns exec $1 ethtool -K $2 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
done
inC ip route add default via 10.77.0.1
inS ip route add default via 203.0.113.1
inR tc qdisc add dev rc0 root tbf rate 4mbit burst 10kb limit 20kb   # toward the client
inR tc qdisc add dev rs0 root tbf rate 4mbit burst 10kb limit 20kb   # toward the server

cat > "$WORK/peer.py" <<'EOF'
"""Traffic for the recording: `serve` (server side: bulk TCP both ways) and
`client` (the bulk transfers), `udp ADDR PORT [ttl]` (one datagram)."""
import socket, sys, threading

PORT = 8080

def serve():
    t = threading.Thread(target=serve_on, args=(socket.AF_INET6, "2001:db8:113::10"), daemon=True)
    t.start()
    serve_on(socket.AF_INET, "203.0.113.10")

def serve_on(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    while True:
        try:
            s.bind((addr, PORT)); break
        except OSError:  # the IPv6 address is not there yet
            import time; time.sleep(0.2)
    s.listen(4)
    while True:
        c, _ = s.accept()
        cmd = c.recv(16)
        if cmd.startswith(b"GET"):
            n = int(cmd.split()[1]); c.sendall(bytes(i % 251 for i in range(n)))
        else:
            n = int(cmd.split()[1]); got = 0
            while got < n:
                b = c.recv(65536)
                if not b: break
                got += len(b)
            c.sendall(b"OK")
        c.close()

def transfer(cmd, n, addr="203.0.113.10"):
    c = socket.create_connection((addr, PORT))
    c.sendall(f"{cmd} {n}".encode().ljust(16))
    if cmd == "PUT":
        c.sendall(bytes(i % 241 for i in range(n)))
    got = 0
    while True:
        b = c.recv(65536)
        if not b: break
        got += len(b)
    c.close()
    return got

def udp(addr, port, ttl=None):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        if ttl is not None:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    elif ttl is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
    s.sendto(b"local traffic that no router forwards", (addr, port))

if sys.argv[1] == "serve":
    serve()
elif sys.argv[1] == "get":
    print(transfer("GET", int(sys.argv[2])))
elif sys.argv[1] == "get6":
    print(transfer("GET", int(sys.argv[2]), "2001:db8:113::10"))
elif sys.argv[1] == "put":
    print(transfer("PUT", int(sys.argv[2])))
elif sys.argv[1] == "udp":
    udp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else None)
EOF

capture_start() {  # ns iface file -> CAP_PID
  lab_tcpdump_start $1 "$WORK/$(basename "$3").err" -Z root -U --immediate-mode -B 16384 -n -i $2 \
    -s 128 -w "$3"
  CAP_PID=$TCPDUMP_PID; PIDS+=($CAP_PID)
  sleep 0.3
}
capture_stop() { lab_tcpdump_stop "$1" "$WORK/$(basename "$2").err"; }  # pid file
drops() { inR tc -s qdisc show dev $1 | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1; }

ip netns exec $NS_S "$PY" "$WORK/peer.py" serve & PIDS+=($!)
sleep 0.5
D_RC0=$(drops rc0) D_RS0=$(drops rs0)
say "capturing"
capture_start $NS_C cli0 "$WORK/a.pcap"; PA=$CAP_PID
capture_start $NS_S srv0 "$WORK/b.pcap"; PB=$CAP_PID

say "IPv6 comes up on every link: link-local addresses, DAD, MLD, router solicitations"
for pair in "$NS_C cli0" "$NS_R rc0" "$NS_R rs0" "$NS_S srv0"; do
  set -- $pair
  ip netns exec $1 sysctl -qw net.ipv6.conf.$2.disable_ipv6=0
done
inC ip -6 addr add 2001:db8:77::10/64 dev cli0
inR ip -6 addr add 2001:db8:77::1/64 dev rc0
inR ip -6 addr add 2001:db8:113::1/64 dev rs0
inS ip -6 addr add 2001:db8:113::10/64 dev srv0
sleep 3   # DAD and the first MLD reports
inC ip -6 route add default via 2001:db8:77::1
inS ip -6 route add default via 2001:db8:113::1

say "local datagrams"
inC "$PY" "$WORK/peer.py" udp 255.255.255.255 9999
inC "$PY" "$WORK/peer.py" udp 10.77.0.255 9999          # the client's subnet broadcast
inS "$PY" "$WORK/peer.py" udp 203.0.113.255 9999        # the server's subnet broadcast
inC "$PY" "$WORK/peer.py" udp 203.0.113.255 9999        # the same from the other side
inC "$PY" "$WORK/peer.py" udp 224.0.0.251 5353
inC "$PY" "$WORK/peer.py" udp 169.254.7.1 9999          # the router answers: port unreachable
inC "$PY" "$WORK/peer.py" udp 239.1.2.3 9999 1
inC "$PY" "$WORK/peer.py" udp ff05::1:3 9999 1
inS "$PY" "$WORK/peer.py" udp 255.255.255.255 9999
say "routed traffic: datagrams both ways, a small transfer over IPv6"
inC "$PY" "$WORK/peer.py" udp 203.0.113.10 9999
inS "$PY" "$WORK/peer.py" udp 10.77.0.10 9999          # (port unreachable from the client)
inC "$PY" "$WORK/peer.py" udp 2001:db8:113::10 9999
[ "$(inC "$PY" "$WORK/peer.py" get6 20000)" = 20000 ] || { echo "record_router.sh: IPv6 transfer failed" >&2; exit 1; }
sleep 0.5
say "bulk: 300 KB download, 200 KB upload, through the 4 Mbit/s tbf"
GOT=$(inC "$PY" "$WORK/peer.py" get 300000)
PUT=$(inC "$PY" "$WORK/peer.py" put 200000)
[ "$GOT" = 300000 ] && [ "$PUT" = 2 ] || { echo "record_router.sh: transfers failed ($GOT, $PUT)" >&2; exit 1; }
sleep 1
capture_stop $PA "$WORK/a.pcap"; capture_stop $PB "$WORK/b.pcap"
DROP_BA=$(( $(drops rc0) - D_RC0 ))   # toward the client: B to A
DROP_AB=$(( $(drops rs0) - D_RS0 ))   # toward the server: A to B
say "router dropped $DROP_AB A->B and $DROP_BA B->A"

# Packets that cannot cross the router, by tshark (oracle for the tests).
LOCAL='!ip && !ipv6 || ip.ttl <= 1 || ipv6.hlim <= 1 || (icmpv6.type >= 133 && icmpv6.type <= 137) || ipv6.src == fe80::/10 || ipv6.src == :: || ipv6.dst == fe80::/10 || ipv6.dst == ff02::/16 || ipv6.dst == ff01::/16 || ip.src == 169.254.0.0/16 || ip.dst == 169.254.0.0/16 || ip.src == 0.0.0.0 || ip.dst == 224.0.0.0/24 || ip.dst == 255.255.255.255 || ip.dst == 10.77.0.255 || ip.dst == 203.0.113.255'
count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }
mkdir -p "$OUT"
cp "$WORK/a.pcap" "$OUT/a.pcap"; cp "$WORK/b.pcap" "$OUT/b.pcap"
cat > "$OUT/truth.json" <<EOF
{
  "generated_by": "tests/lab/record_router.sh",
  "recorded_at": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "a": {"file": "a.pcap", "packets": $(count "$OUT/a.pcap" 'frame'), "local": $(count "$OUT/a.pcap" "$LOCAL"),
        "non_ip": $(count "$OUT/a.pcap" '!ip && !ipv6'), "point": "client side of the router (cli0)"},
  "b": {"file": "b.pcap", "packets": $(count "$OUT/b.pcap" 'frame'), "local": $(count "$OUT/b.pcap" "$LOCAL"),
        "non_ip": $(count "$OUT/b.pcap" '!ip && !ipv6'), "point": "server side of the router (srv0)"},
  "router_dropped": {"a_to_b": $DROP_AB, "b_to_a": $DROP_BA},
  "local_filter": "$LOCAL",
  "tbf": "rate 4mbit burst 10kb limit 20kb on both router interfaces"
}
EOF
say "written: $(ls -l "$OUT" | tail -n +2 | awk '{print $NF" "$5}' | tr '\n' ' ')"
