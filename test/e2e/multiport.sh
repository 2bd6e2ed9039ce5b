#!/usr/bin/env bash
# End-to-end, several ports a side: the real lnsd on four net_af_packet
# ports, two links to two LACs and two links to one core router.
#
#   mp-lac1 (192.0.2.2/25)    mp-lac1-0 <-> mp-lns-a1  lnsd "lacs1" 192.0.2.1/25
#   mp-lac2 (192.0.2.130/25)  mp-lac2-0 <-> mp-lns-a2  lnsd "lacs2" 192.0.2.129/25
#   mp-core mp-core1 198.51.100.2/25    <-> mp-lns-c1  lnsd "up1" 198.51.100.1/25
#           mp-core2 198.51.100.130/25  <-> mp-lns-c2  lnsd "up2" 198.51.100.129/25
#
# The core routes the subscribers over both links (multipath). Checked:
# each LAC's tunnels are answered from the address it dialled, by its own
# link only; the sessions' packets leave by both core links; when one core
# link goes down, lnsd's ARP for its gateway fails and the sessions move
# to the other link. Needs root and network namespaces; everything it
# makes it removes, pass or fail.
#
#   test/e2e/multiport.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
lnsd="$build/dataplane/lnsd"
lacsim="$build/test/lacsim/lacsim"
dir="$build/e2e-multiport"
log="$dir/lnsd.log"
sock="$dir/lnsd.sock"
conf="$dir/multiport.yaml"
e2e=e2e-multiport
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
lnsd_pid=""
caps=()

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "$e2e: needs root and network namespaces: skipped"
	exit 77
fi

down() {
	for ns in mp-lac1 mp-lac2 mp-core; do ip netns del "$ns" 2>/dev/null; done
	for dev in mp-lns-a1 mp-lns-a2 mp-lns-c1 mp-lns-c2; do ip link del "$dev" 2>/dev/null; done
	true
}
stop_captures() {
	for p in "${caps[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${caps[@]}"; do wait "$p" 2>/dev/null; done
	caps=()
}
cleanup() {
	stop_captures
	[ -n "$lnsd_pid" ] && kill -TERM "$lnsd_pid" 2>/dev/null && sleep 1
	[ -n "$lnsd_pid" ] && kill -KILL "$lnsd_pid" 2>/dev/null
	down
}
trap cleanup EXIT

link() { # lnsd's end, namespace, its end, its address/len
	ip link add "$1" type veth peer name "$3" netns "$2"
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" || true
	ip link set "$1" up
	ip -n "$2" addr add "$4" dev "$3"
	ip -n "$2" link set "$3" up
}

up() {
	down
	for ns in mp-lac1 mp-lac2 mp-core; do
		ip netns add "$ns"
		ip netns exec "$ns" sh -c 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
			ip link set lo up'
	done
	link mp-lns-a1 mp-lac1 mp-lac1-0 192.0.2.2/25
	link mp-lns-a2 mp-lac2 mp-lac2-0 192.0.2.130/25
	link mp-lns-c1 mp-core mp-core1 198.51.100.2/25
	link mp-lns-c2 mp-core mp-core2 198.51.100.130/25
	# a packet to 198.51.100.2 may come in by either link
	ip netns exec mp-core sh -c '
		for k in all default mp-core1 mp-core2; do sysctl -qw net.ipv4.conf.$k.rp_filter=0; done
		ip route add 203.0.113.0/24 nexthop via 198.51.100.1 dev mp-core1 \
			nexthop via 198.51.100.129 dev mp-core2'
}

make_config() {
	mkdir -p "$dir"
	cat >"$dir/ports.yaml" <<'EOF'
ports:
  - name: lacs1
    device: net_af_packet0,iface=mp-lns-a1,qpairs=2
    role: access
    address: 192.0.2.1/25
  - name: lacs2
    device: net_af_packet1,iface=mp-lns-a2,qpairs=2
    role: access
    address: 192.0.2.129/25
  - name: up1
    device: net_af_packet2,iface=mp-lns-c1,qpairs=2
    role: core
    address: 198.51.100.1/25
    gateway: 198.51.100.2
  - name: up2
    device: net_af_packet3,iface=mp-lns-c2,qpairs=2
    role: core
    address: 198.51.100.129/25
    gateway: 198.51.100.130
EOF
	awk -v ports="$dir/ports.yaml" '
		/^ports:/ { while ((getline l < ports) > 0) print l; skip = 1; next }
		skip && /^[a-z]/ { skip = 0 }
		/^  listen:/ { print "  listen: [192.0.2.1, 192.0.2.129]"; next }
		!skip' "$top/config/seed.yaml" >"$conf"
	printf 'management:\n  socket: %s\n' "$sock" >>"$conf"
	grep -q "listen: \[192.0.2.1, 192.0.2.129\]" "$conf" ||
		{ echo "$e2e: the seed's configuration changed: no l2tp.listen to replace"; exit 1; }
}

lac_on() { # namespace, lnsd's address, the LAC's, then lacsim's options
	local ns=$1 server=$2 local=$3
	shift 3
	timeout 120 ip netns exec "$ns" "$lacsim" --server "$server" --local "$local" \
		--target 198.51.100.2 --user 2500-1 --password cisco "$@"
}

capture() { # namespace, interface, file
	command -v tshark >/dev/null || return 0
	ip netns exec "$1" timeout 200 tshark -q -i "$2" -w "$3" >/dev/null 2>&1 &
	caps+=($!)
}

count() { # pcap, display filter
	tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}

lnsctl() { "$build/control/lnsctl" -s "$sock" "$@"; }

up
make_config
capture mp-lac1 mp-lac1-0 "$dir/lac1.pcap"
capture mp-lac2 mp-lac2-0 "$dir/lac2.pcap"
capture mp-core mp-core1 "$dir/core1.pcap"
capture mp-core mp-core2 "$dir/core2.pcap"
sleep 1
"$lnsd" -c "$conf" >/dev/null 2>"$log" &
lnsd_pid=$!
wait_lnsd_up "$log"
check "lnsd starts on two access and two core ports" \
	grep -q "l2tp-gw up: 2 access and 2 core interface(s)" "$log"

lac_on mp-lac1 192.0.2.1 192.0.2.2 --tunnels 2 --sessions 8 --pings 2 >"$dir/lac1.txt" 2>&1 &
lac1=$!
lac_on mp-lac2 192.0.2.129 192.0.2.130 --tunnels 2 --sessions 8 --pings 2 >"$dir/lac2.txt" 2>&1 &
lac2=$!
wait "$lac1"
rc1=$?
wait "$lac2"
rc2=$?
tail -3 "$dir/lac1.txt" "$dir/lac2.txt"
check "LAC 1 at 192.0.2.1: 16 subscribers, echoes to the core and back" test "$rc1" -eq 0
check "LAC 2 at 192.0.2.129, at the same time: 16 subscribers, echoes both ways" \
	test "$rc2" -eq 0

# Subscribers held up across a failure: the core pings each of them
# before and after the first core link goes away. lnsd's ARP for
# 198.51.100.2 then fails (30 s reachable, then probes), and the sessions
# that left by link 1 leave by link 2.
held="$dir/held.txt"
lac_on mp-lac1 192.0.2.1 192.0.2.2 --sessions 6 --pings 1 --hold 70 >"$held" 2>&1 &
held_pid=$!
for _ in $(seq 1 100); do
	grep -q holding "$held" && break
	sleep 0.2
done
subs=$(lnsctl show sessions | awk '$1 ~ /^[0-9]+\/[0-9]+$/ && $3 ~ /^203\.0\.113\./ { print $3 }')
core_reaches_all() {
	local n=0 ok=0
	for a in $subs; do
		n=$((n + 1))
		ip netns exec mp-core ping -n -q -c 1 -W 2 "$a" >/dev/null && ok=$((ok + 1))
	done
	echo "the core reached $ok of $n held subscribers"
	[ "$n" -eq 6 ] && [ "$ok" -eq 6 ]
}
check "6 held subscribers, reached from the core over both links" core_reaches_all
ip -n mp-core link set mp-core1 down
gateway_failed() {
	local t st
	for t in $(seq 1 90); do
		st=$(lnsctl show stats | awk '$1 == "gateway_up1" { print $2 }')
		echo "${t}s: gateway_up1 $st"
		[ "$st" = failed ] && return 0
		sleep 1
	done
	lnsctl show stats | sed -n '/^arp:/,/^[a-z]/p'
	return 1
}
check "core link 1 down: lnsd finds its gateway failed" gateway_failed
check "core link 1 down: the held subscribers still reached from the core, all by link 2" \
	core_reaches_all
# (the held LAC has UDP 1701 on 192.0.2.2: the new one dials from 1702)
check "core link 1 down: new subscribers of both LACs still reach the core" \
	bash -c "$(declare -f lac_on); lacsim=$lacsim; \
		lac_on mp-lac1 192.0.2.1 192.0.2.2 --sessions 6 --pings 2 --local-port 1702 &&
		lac_on mp-lac2 192.0.2.129 192.0.2.130 --sessions 6 --pings 2"
wait "$held_pid"
rc=$?
check "the held subscribers answered the core's echoes, 12, and hung up" \
	bash -c "[ $rc -eq 0 ] && grep -q 'answered 12 echo' '$held'"
kill -TERM "$lnsd_pid"
wait "$lnsd_pid"
rc=$?
lnsd_pid=""
check "SIGTERM: lnsd exits 0" test "$rc" -eq 0
check "no subscriber packet dropped for want of a next hop: a live core link was always chosen" \
	bash -c "! grep -Eq '^  drop_no_next_hop +[1-9]' '$log'"
sleep 1
stop_captures

if command -v tshark >/dev/null; then
	own_link_only() {
		local a b c d
		a=$(count "$dir/lac1.pcap" "l2tp && ip.src == 192.0.2.1")
		b=$(count "$dir/lac1.pcap" "ip.src == 192.0.2.129 || ip.dst == 192.0.2.129")
		c=$(count "$dir/lac2.pcap" "l2tp && ip.src == 192.0.2.129")
		d=$(count "$dir/lac2.pcap" "ip.src == 192.0.2.1 || ip.dst == 192.0.2.1")
		echo "link 1: $a from 192.0.2.1, $b for 192.0.2.129; link 2: $c from 192.0.2.129, $d for 192.0.2.1"
		[ "$a" -gt 0 ] && [ "$b" -eq 0 ] && [ "$c" -gt 0 ] && [ "$d" -eq 0 ]
	}
	check "tshark: each LAC's tunnels are answered from the address it dialled, on its own link" \
		own_link_only
	both_core_links() {
		local a b
		a=$(count "$dir/core1.pcap" "icmp.type == 8 && ip.src == 203.0.113.0/24")
		b=$(count "$dir/core2.pcap" "icmp.type == 8 && ip.src == 203.0.113.0/24")
		echo "echo requests from subscribers: $a on core link 1, $b on core link 2"
		[ "$a" -gt 0 ] && [ "$b" -gt 0 ]
	}
	check "tshark: the subscribers' packets leave lnsd by both core links" both_core_links
fi
summary
