#!/usr/bin/env bash
# End-to-end, one-armed: the real lnsd on a single net_af_packet port, a
# trunk to an 802.1Q switch in a namespace of its own. The LAC and the core
# hang off the switch on access ports, so what lnsd sees and sends on its
# port is tagged. This machine's kernel has neither bridges nor VLAN
# devices, so the switch is test/e2e/vlan_switch.py on packet sockets:
#
#   lnsd --- oa-lns <-> oa-trunk [vlan_switch.py in oa-sw] oa-lacp  <-> oa-lac0  (LAC)
#                                                          oa-corep <-> oa-core0 (core)
#
# Round 1: access on VLAN 100 (192.0.2.1), core on VLAN 200 (198.51.100.1),
# two port entries on one device. Round 2: one port with role both, LAC and
# core on VLAN 100 and one subnet. Needs root and network namespaces;
# everything it makes it removes, pass or fail.
#
#   test/e2e/onearm.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
lnsd="$build/dataplane/lnsd"
lacsim="$build/test/lacsim/lacsim"
e2e=e2e-onearm
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
lnsd_pid=""
cap_pid=""
log="$build/e2e-onearm-lnsd.log"
pcap="$build/e2e-onearm.pcap"

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "$e2e: needs root and network namespaces: skipped"
	exit 77
fi

sw_pid=""
down() {
	[ -n "$sw_pid" ] && kill "$sw_pid" 2>/dev/null && wait "$sw_pid" 2>/dev/null
	sw_pid=""
	for ns in oa-sw oa-lac oa-core; do ip netns del "$ns" 2>/dev/null; done
	ip link del oa-lns 2>/dev/null
	true
}
cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$lnsd_pid" ] && kill -TERM "$lnsd_pid" 2>/dev/null && sleep 1
	[ -n "$lnsd_pid" ] && kill -KILL "$lnsd_pid" 2>/dev/null
	down
}
trap cleanup EXIT

# The switch with the core's port on core_vlan; the core at core_addr routes
# the subscribers through via.
up() { # core_vlan core_addr/len via
	down
	ip netns add oa-sw
	ip netns add oa-lac
	ip netns add oa-core
	ip link add oa-lns type veth peer name oa-trunk netns oa-sw
	sysctl -qw net.ipv6.conf.oa-lns.disable_ipv6=1 || true
	ip link set oa-lns up
	ip -n oa-sw link add oa-lacp type veth peer name oa-lac0 netns oa-lac
	ip -n oa-sw link add oa-corep type veth peer name oa-core0 netns oa-core
	ip netns exec oa-sw sh -c '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
		for p in oa-trunk oa-lacp oa-corep; do ip link set $p up; done'
	ip netns exec oa-lac sh -c '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
		ip link set lo up
		ip addr add 192.0.2.2/24 dev oa-lac0
		ip link set oa-lac0 up'
	ip netns exec oa-core sh -c "
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
		ip link set lo up
		ip addr add $2 dev oa-core0
		ip link set oa-core0 up
		ip route add 203.0.113.0/24 via $3"
	# checksums in software: the switch forwards frames as the kernels wrote them
	ip netns exec oa-lac ethtool -K oa-lac0 tx off >/dev/null 2>&1
	ip netns exec oa-core ethtool -K oa-core0 tx off >/dev/null 2>&1
	ip netns exec oa-sw timeout 300 python3 "$top/test/e2e/vlan_switch.py" --trunk oa-trunk \
		--port oa-lacp:100 --port "oa-corep:$1" >>"$build/e2e-onearm-switch.log" 2>&1 &
	sw_pid=$!
	sleep 0.5
}

# The seed's configuration with its two ports replaced by $1 (a YAML ports list).
config() { # ports-file out-file
	awk -v ports="$1" '
		/^ports:/ { while ((getline l < ports) > 0) print l; skip = 1; next }
		skip && /^[a-z]/ { skip = 0 }
		!skip' "$top/config/seed.yaml" >"$2"
}

start_lnsd() { # config
	"$lnsd" -c "$1" >/dev/null 2>"$log" &
	lnsd_pid=$!
	wait_lnsd_up "$log"
}

stop_lnsd() {
	kill -TERM "$lnsd_pid"
	wait "$lnsd_pid"
	local rc=$?
	lnsd_pid=""
	return "$rc"
}

lac_oa() { # target, then lacsim's options
	local target=$1
	shift
	timeout 120 ip netns exec oa-lac "$lacsim" --server 192.0.2.1 --local 192.0.2.2 \
		--target "$target" --user 2500-1 --password cisco "$@"
}

# Did tshark see, on the trunk, frames tagged vlan that match the filter?
tagged() { # vlan, display filter
	[ "$(tshark -r "$pcap" -Y "vlan.id == $1 && $2" 2>/dev/null | wc -l)" -gt 0 ]
}

capture() {
	cap_pid=""
	command -v tshark >/dev/null || return 0
	ip netns exec oa-sw timeout 120 tshark -q -i oa-trunk -w "$pcap" >/dev/null 2>&1 &
	cap_pid=$!
	sleep 1
}

end_capture() {
	[ -n "$cap_pid" ] || return 0
	sleep 0.5
	kill "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
	cap_pid=""
}

: >"$build/e2e-onearm-switch.log"
ports="$build/e2e-onearm-ports.yaml"
conf="$build/e2e-onearm.yaml"

# Round 0: one device, one VLAN, two roles: refused with its place
cat >"$ports" <<'EOF'
ports:
  - name: access
    device: net_af_packet0,iface=oa-lns,qpairs=2
    role: access
    vlan: 100
    address: 192.0.2.1/24
  - name: core
    device: net_af_packet0,iface=oa-lns,qpairs=2
    role: core
    vlan: 100
    address: 198.51.100.1/24
EOF
config "$ports" "$conf"
refused_same_vlan() {
	local out
	out=$(timeout 60 "$lnsd" -c "$conf" 2>&1) && return 1
	echo "$out" | grep -q "e2e-onearm.yaml:[0-9]*:[0-9]*: port 'core': device also used by port 'access'"
}
check "access and core on one device and one VLAN: refused, naming file:line:column" \
	refused_same_vlan

# Round 1: a trunk with the LACs on VLAN 100 and the core on VLAN 200
up 200 198.51.100.2/24 198.51.100.1
awk '/name: core/ { core = 1 } core && /vlan: 100/ { sub(/100/, "200") } { print }' "$ports" \
	>"$ports.tmp" && mv "$ports.tmp" "$ports"
printf '    gateway: 198.51.100.2\n' >>"$ports"
config "$ports" "$conf"
capture
start_lnsd "$conf"
check "two VLANs on one port: lnsd starts" grep -q "l2tp-gw up" "$log"
check "two VLANs: 20 subscribers over 2 tunnels, echoes to the core and back" \
	lac_oa 198.51.100.2 --tunnels 2 --sessions 10 --pings 2
check "two VLANs: UDP to the core, its port-unreachable answers come back" \
	lac_oa 198.51.100.2 --sessions 5 --pings 1 --udp
end_capture
check "two VLANs: SIGTERM, lnsd exits 0" stop_lnsd
if [ -f "$pcap" ]; then
	check "the trunk carries L2TP tagged 100 and the subscribers' ICMP tagged 200" \
		bash -c "$(declare -f tagged); pcap=$pcap; tagged 100 l2tp && tagged 200 'icmp && !l2tp' \
			&& ! tagged 100 'icmp && !l2tp' && ! tagged 200 l2tp"
	check "ARP on each VLAN: lnsd answers for 192.0.2.1 on 100, asks for its gateway on 200" \
		bash -c "$(declare -f tagged); pcap=$pcap; \
			tagged 100 'arp.opcode == 2 && arp.src.proto_ipv4 == 192.0.2.1' &&
			tagged 200 'arp.opcode == 1 && arp.src.proto_ipv4 == 198.51.100.1'"
fi
check "no frame dropped for its VLAN" bash -c "! grep -q drop_wrong_vlan '$log'"

# Round 2: role both, one address, LAC and core on VLAN 100 and one subnet
up 100 192.0.2.3/24 192.0.2.1
cat >"$ports" <<'EOF'
ports:
  - name: trunk
    device: net_af_packet0,iface=oa-lns,qpairs=2
    role: both
    vlan: 100
    address: 192.0.2.1/24
    gateway: 192.0.2.3
EOF
config "$ports" "$conf"
capture
start_lnsd "$conf"
check "role both: lnsd starts" grep -q "l2tp-gw up" "$log"
check "role both: 20 subscribers, echoes to the core on the same VLAN and back" \
	lac_oa 192.0.2.3 --tunnels 2 --sessions 10 --pings 2
end_capture
check "role both: SIGTERM, lnsd exits 0" stop_lnsd
check "role both: subscriber packets decapsulated and encapsulated on the one port" \
	bash -c "grep -Eq '^  decap +[1-9]' '$log' && grep -Eq '^  encap +[1-9]' '$log'"
if [ -f "$pcap" ]; then
	check "role both: everything lnsd sent is tagged 100" \
		bash -c "[ \"\$(tshark -r '$pcap' -Y 'eth.src == $(cat /sys/class/net/oa-lns/address 2>/dev/null || echo 0) && !vlan' 2>/dev/null | wc -l)\" -eq 0 ]"
fi
summary
