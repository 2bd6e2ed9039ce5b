#!/usr/bin/env bash
# End-to-end, dual stack: the real lnsd in the lab (scripts/lab) with the
# seed's profile plus IPv6 (a pool prefix6, DNS in RAs), lacsim's
# subscribers running IPv6CP, soliciting a Router Advertisement, taking
# its /64 and passing ICMPv6 echoes to the core namespace's kernel and
# back, beside their IPv4 echoes. The RAs are checked in a capture of
# the access side with tshark.
#
# On the core side lnsd has 2001:db8:ffff::1/64 and resolves its gateway6,
# the core namespace's kernel at 2001:db8:ffff::2, by neighbour discovery;
# the kernel routes the subscribers' /48 to lnsd's address and finds lnsd's
# MAC the same way.
#
#   test/e2e/ipv6.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
lnsd="$build/dataplane/lnsd"
dir="$build/e2e-ipv6"
log="$dir/lnsd.log"
sock="$dir/lnsd.sock"
pcap="$dir/access.pcap"
e2e=e2e-ipv6
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
lnsd_pid=""
cap_pid=""

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "$e2e: needs root and network namespaces: skipped"
	exit 77
fi

cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$lnsd_pid" ] && kill -TERM "$lnsd_pid" 2>/dev/null && sleep 1
	[ -n "$lnsd_pid" ] && kill -KILL "$lnsd_pid" 2>/dev/null
	"$top/scripts/lab" down >/dev/null 2>&1
}
trap cleanup EXIT

lnsctl() { "$build/control/lnsctl" -s "$sock" "$@"; }

rm -rf "$dir"
mkdir -p "$dir"
"$top/scripts/lab" up >/dev/null
# the core: 2001:db8:ffff::2/64, the subscribers' /48 through lnsd's core port
ip netns exec lab-core sh -c "
	sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.lab-core0.disable_ipv6=0
	sysctl -qw net.ipv6.conf.lab-core0.accept_dad=0
	ip -6 addr add 2001:db8:ffff::2/64 dev lab-core0 nodad
	ip -6 route add 2001:db8:100::/48 via 2001:db8:ffff::1 dev lab-core0"

conf="$dir/seed-ipv6.yaml"
sed -e 's/^    dns: \[198.51.100.53\]$/    dns: [198.51.100.53]\n    ipv6: true\n    dns6: [2001:db8:ffff::53]/' \
	-e 's/^    exclude: \[203.0.113.100\]$/    exclude: [203.0.113.100]\n    prefix6: 2001:db8:100::\/48/' \
	-e 's/^    gateway: 198.51.100.2$/    gateway: 198.51.100.2\n    address6: 2001:db8:ffff::1\/64\n    gateway6: 2001:db8:ffff::2/' \
	"$top/config/seed.yaml" >"$conf"
cat >>"$conf" <<EOF
management:
  socket: $sock
EOF
grep -q "prefix6: 2001:db8:100::/48" "$conf" && grep -q "ipv6: true" "$conf" &&
	grep -q "gateway6: 2001:db8:ffff::2" "$conf" ||
	{ echo "$e2e: the seed's configuration changed: cannot add IPv6 to it"; exit 1; }

ip netns exec lab-lac timeout 120 tshark -q -i lab-lac0 -w "$pcap" -f "udp port 1701" \
	>/dev/null 2>&1 &
cap_pid=$!
sleep 1
"$lnsd" -c "$conf" >/dev/null 2>"$log" &
lnsd_pid=$!
wait_lnsd_up "$log"
check "lnsd starts with an IPv6 profile" grep -q "l2tp-gw up" "$log"

check "10 dual-stack subscribers: an RA each, echoes to the core both ways on IPv4 and IPv6" \
	lac --user 2500-1 --password cisco --tunnels 2 --sessions 5 --pings 2 \
	--target6 2001:db8:ffff::2
held="$dir/held.txt"
lac --user 2500-1 --password cisco --sessions 3 --pings 1 --target6 2001:db8:ffff::2 \
	--hold 6 >"$held" &
lac_pid=$!
for _ in $(seq 1 100); do
	grep -q holding "$held" && break
	sleep 0.2
done
session_shows_prefix() {
	local t s out
	read -r t s < <(lnsctl show sessions | awk '$1 ~ /^[0-9]+\/[0-9]+$/ { split($1, a, "/"); print a[1], a[2]; exit }')
	out=$(lnsctl show session "$t/$s")
	echo "$out" | tail -25
	echo "$out" | grep -Eq "ipv6cp +Opened" && echo "$out" | grep -Eq "ipv6_prefix +2001:db8:100:[0-9a-f]+::/64"
}
check "lnsctl show session: IPv6CP opened and the subscriber's /64" session_shows_prefix
wait "$lac_pid"
check "held dual-stack sessions pass their echoes and hang up" test $? -eq 0
lac_pid=""

metrics_of() { lnsctl show stats | awk -v k="$1" '$1 == k { print $2; exit }'; }
stats_ok() {
	local up ra rs
	up=$(metrics_of ipv6_up)
	ra=$(metrics_of ra_sent)
	rs=$(metrics_of rx_router_solicits)
	echo "ipv6_up ${up:-0}, ra_sent ${ra:-0}, rx_router_solicits ${rs:-0}"
	[ "${up:-0}" -ge 13 ] && [ "${ra:-0}" -ge 13 ] && [ "${rs:-0}" -ge 13 ]
}
check "lnsctl show stats: 13 sessions with IPv6, an RA and a solicitation answered for each" \
	stats_ok
nd_ok() {
	local st
	st=$(lnsctl show stats | sed -n '/^nd:/,/^[a-z]/p')
	echo "$st"
	echo "$st" | grep -Eq "gateway6_core +(reachable|stale)" &&
		echo "$st" | grep -Eq "rx_solicits +[1-9]" && echo "$st" | grep -Eq "rx_adverts +[1-9]"
}
check "neighbour discovery on the core: lnsd resolved its gateway6 and answered the core's solicitations" \
	nd_ok

kill -TERM "$lnsd_pid"
wait "$lnsd_pid"
rc=$?
lnsd_pid=""
check "SIGTERM: lnsd exits 0" test "$rc" -eq 0
check "the workers decapsulated and encapsulated" \
	bash -c "grep -Eq '^  decap +[1-9]' '$log' && grep -Eq '^  encap +[1-9]' '$log'"

sleep 1
kill "$cap_pid" 2>/dev/null
wait "$cap_pid" 2>/dev/null
cap_pid=""
ras_in_capture() {
	local n bad
	n=$(tshark -r "$pcap" -Y 'icmpv6.type == 134 && icmpv6.opt.prefix == 2001:db8:100::/48 && ipv6.src == fe80::/10 && ipv6.dst == ff02::1 && ipv6.hlim == 255 && icmpv6.opt.rdnss == 2001:db8:ffff::53' 2>/dev/null | wc -l)
	bad=$(tshark -r "$pcap" -Y 'icmpv6.type == 134 && icmpv6.checksum.status != "Good"' 2>/dev/null | wc -l)
	echo "RAs as expected: $n, with a bad checksum: $bad"
	[ "$n" -ge 13 ] && [ "$bad" -eq 0 ]
}
check "tshark: RAs from fe80:: to ff02::1, hop limit 255, a /64 of 2001:db8:100::/48, RDNSS, checksum good" \
	ras_in_capture
summary
