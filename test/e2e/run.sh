#!/usr/bin/env bash
# End-to-end: the real lnsd on net_af_packet in the lab (scripts/lab), the
# LAC simulator dialling from the lab's LAC namespace, echoes answered by
# the core namespace's kernel through lnsd's dataplane. Needs root and
# network namespaces; everything it makes it removes, pass or fail.
#
#   test/e2e/run.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
lnsd="$build/dataplane/lnsd"
lacsim="$build/test/lacsim/lacsim"
log="$build/e2e-lnsd.log"
pcap="$build/e2e-access.pcap"
e2e=e2e
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
lnsd_pid=""
cap_pid=""

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "e2e: needs root and network namespaces: skipped"
	exit 77
fi

syslog_pid=""
cleanup() {
	if [ -n "$syslog_pid" ]; then
		kill "$syslog_pid" 2>/dev/null
		rm -f /dev/log
	fi
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$lnsd_pid" ] && kill -TERM "$lnsd_pid" 2>/dev/null && sleep 1
	[ -n "$lnsd_pid" ] && kill -KILL "$lnsd_pid" 2>/dev/null
	"$top/scripts/lab" down >/dev/null 2>&1
}
trap cleanup EXIT

lnsd_alive() { kill -0 "$lnsd_pid" 2>/dev/null; }

"$top/scripts/lab" up >/dev/null
if command -v tshark >/dev/null; then
	ip netns exec lab-lac timeout 300 tshark -q -i lab-lac0 -w "$pcap" -f "udp port 1701 or (ip[6:2] & 0x1fff != 0)" \
		>/dev/null 2>&1 &
	cap_pid=$!
fi
show_out="$build/e2e-show.txt"
conf="$build/e2e-seed.yaml" # a copy: the reload checks rewrite it
# The LAC side's MTU is 1400, and so is lnsd's access MTU: big packets are
# fragmented both ways, by lnsd toward the LAC and by the LAC's kernel back.
# and tunnels close 2 s after their last call rather than the seed's 10
# and the access port has a second address (an alias) that LACs may use as well
sed -e 's/^    mtu: 1500$/    mtu: 1400/' -e 's/no_sessions_left_s: 10/no_sessions_left_s: 2/' \
	-e 's/^    address: 192.0.2.1\/24$/    address: 192.0.2.1\/24\n    aliases: [192.0.2.5]/' \
	-e 's/^  listen: \[192.0.2.1\]$/  listen: [192.0.2.1, 192.0.2.5]/' \
	"$top/config/seed.yaml" >"$conf"
ip netns exec lab-lac ip link set lab-lac0 mtu 1400
# without offloads, so that the LAC's kernel really sends IPv4 fragments
# rather than one large GSO packet through the veth
ip netns exec lab-lac ethtool -K lab-lac0 tx off gso off tso off >/dev/null 2>&1
: >"$show_out"
refuses_to_start() { # config file, expected message
	local out rc
	out=$(timeout 60 "$lnsd" -c "$1" 2>&1)
	rc=$?
	echo "$out" | tail -3
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo "$out" | grep -q "$2"
}
bad="$build/e2e-bad.yaml"
sed 's/  rx_window: 300/  rx_window: 300\n  hello: 30/' "$conf" >"$bad"
check "a configuration with an unknown key: lnsd refuses to start, naming file:line:column" \
	refuses_to_start "$bad" "e2e-bad.yaml:[0-9]*:[0-9]*: unknown key 'hello' in l2tp"
sed 's/  listen: \[192.0.2.1, 192.0.2.5\]/  listen: [192.0.2.9]/' "$conf" >"$bad"
check "an L2TP listen address that is not an access port's: refused" \
	refuses_to_start "$bad" "e2e-bad.yaml:[0-9]*:[0-9]*: l2tp.listen: 192.0.2.9 is not one of the access ports' addresses"
"$lnsd" -c "$conf" >"$show_out" 2>"$log" &
lnsd_pid=$!
wait_lnsd_up "$log"
check "lnsd starts on the lab's ports" grep -q "l2tp-gw up" "$log"

check "one subscriber: setup, echoes both ways, CDN teardown" \
	lac --user 2500-1 --password cisco --pings 3
via_alias() {
	timeout 60 ip netns exec lab-lac "$lacsim" --server 192.0.2.5 --local 192.0.2.2 \
		--target 198.51.100.2 --user 2500-1 --password cisco --sessions 3 --pings 2
}
check "a LAC at the access port's alias: answered from it, sessions pass echoes" via_alias
check "40 subscribers over 4 tunnels, torn down by StopCCN" \
	lac --user 2500-1 --password cisco --tunnels 4 --sessions 10 --pings 2 --teardown stopccn
proxied_calls() {
	local before
	before=$(grep -c "(proxy)" "$log")
	lac --user 2500-1 --password cisco --tunnels 2 --sessions 5 --pings 1 --proxy >/dev/null &&
		[ "$(($(grep -c "(proxy)" "$log") - before))" -eq 10 ]
}
check "UDP from 10 subscribers to the core; its port-unreachable answers come back" \
	lac --user 2500-1 --password cisco --tunnels 2 --sessions 5 --pings 2 --udp
check "10 calls with proxy LCP and proxy CHAP from the LAC: taken, no renegotiation" proxied_calls
check "1 000 sessions over 10 tunnels, in 5 rounds of 200 (the pool holds 240): each passes \
echoes and hangs up by CDN, the pool gets every address back" \
	lac --user 2500-1 --password cisco --tunnels 10 --sessions 20 --rounds 5 --pings 1
# Traffic from the core: lacsim holds 10 sessions up, lnsd lists them on
# SIGUSR1, the core namespace's kernel pings each subscriber address.
core_pings_every_subscriber() {
	local out="$build/e2e-hold.txt" addrs n=0 ok=0 pid rc
	lac --user 2500-1 --password cisco --tunnels 2 --sessions 5 --pings 1 --hold 8 >"$out" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q holding "$out" && break
		sleep 0.2
	done
	kill -USR1 "$lnsd_pid"
	sleep 0.5
	grep -q " tunnels, 10 sessions" "$show_out" || { echo "show: $(cat "$show_out")"; return 1; }
	addrs=$(awk '$1 ~ /^[0-9]+\/[0-9]+$/ && $3 ~ /^203\.0\.113\./ { print $3 }' "$show_out")
	for a in $addrs; do
		n=$((n + 1))
		ip netns exec lab-core ping -n -q -c 1 -W 2 "$a" >/dev/null && ok=$((ok + 1))
	done
	# 1400 bytes of ICMP: over both MTUs once encapsulated, both ways
	big=0
	ip netns exec lab-core ping -n -q -c 2 -W 2 -s 1400 -M dont "${addrs%%$'\n'*}" >/dev/null &&
		big=1
	wait "$pid"
	rc=$?
	echo "core pinged $ok of $n subscribers, big echoes back: $big; $(grep answered "$out")"
	[ "$rc" -eq 0 ] && [ "$n" -eq 10 ] && [ "$ok" -eq 10 ] && [ "$big" -eq 1 ] &&
		grep -q "answered 12 echo" "$out"
}
check "10 subscribers listed by SIGUSR1 and reached from the core (1400-byte echoes too)" \
	core_pings_every_subscriber
# The LAC moves to another MAC (a replaced box, a failover without a virtual
# MAC): once lnsd hears its ARP, the sessions' entries follow and traffic
# from the core reaches the subscribers at the new MAC.
lac_moves() {
	local out="$build/e2e-move.txt" addrs n=0 ok=0 pid rc
	lac --user 2500-1 --password cisco --sessions 3 --pings 1 --hold 8 >"$out" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q holding "$out" && break
		sleep 0.2
	done
	ip netns exec lab-lac ip link set lab-lac0 address 02:00:00:00:aa:01
	ip netns exec lab-lac ip neigh flush dev lab-lac0
	ip netns exec lab-lac ping -n -q -c 1 -W 1 192.0.2.1 >/dev/null 2>&1 # its ARP for us
	sleep 0.5
	: >"$show_out"
	kill -USR1 "$lnsd_pid"
	sleep 0.5
	addrs=$(awk '$1 ~ /^[0-9]+\/[0-9]+$/ && $3 ~ /^203\.0\.113\./ { print $3 }' "$show_out")
	for a in $addrs; do
		n=$((n + 1))
		ip netns exec lab-core ping -n -q -c 1 -W 2 "$a" >/dev/null && ok=$((ok + 1))
	done
	wait "$pid"
	rc=$?
	echo "after the move: core reached $ok of $n; $(grep -c 'at a new MAC: 3 sessions follow' "$log") log lines"
	[ "$rc" -eq 0 ] && [ "$n" -eq 3 ] && [ "$ok" -eq 3 ] &&
		grep -q "192.0.2.2 at a new MAC: 3 sessions follow" "$log"
}
check "the LAC at a new MAC: its 3 sessions' entries follow, the core still reaches them" lac_moves
# xl2tpd (Debian's) as the LAC: tunnel authentication, a call, its pppd
# failing (no kernel PPP here), its CDN, and lnsd's StopCCN after the
# no-sessions-left delay.
xl2tpd_dials_in() {
	local dir="$build/e2e-xl2tpd" pid rc=1
	rm -rf "$dir"
	mkdir -p "$dir"
	cat >"$dir/xl2tpd.conf" <<-EOF
		[global]
		port = 1701
		listen-addr = 192.0.2.2
		force userspace = yes
		debug tunnel = yes
		debug state = yes
		[lac lnsd]
		lns = 192.0.2.1
		hostname = hgw
		autodial = yes
		redial = no
		pppoptfile = $dir/options
	EOF
	printf 'hgw l2tp-gw hello\nl2tp-gw hgw hello\n' >"$dir/l2tp-secrets"
	chmod 600 "$dir/l2tp-secrets"
	printf 'noauth\nname 2500-1\npassword cisco\n' >"$dir/options"
	ip netns exec lab-lac xl2tpd -D -c "$dir/xl2tpd.conf" -s "$dir/l2tp-secrets" \
		-p "$dir/pid" -C "$dir/control" >"$dir/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 150); do
		grep -q "Stop-Control-Connection-Notification" "$dir/log" && rc=0 && break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$rc" -eq 0 ] &&
		grep -q "Connection established to 192.0.2.1" "$dir/log" &&
		grep -q "Call established with 192.0.2.1" "$dir/log" &&
		grep -q "pppd exited" "$dir/log" &&
		grep -q "I ICCN from hgw" "$log" && grep -q "I CDN from hgw" "$log" ||
		{ tail -20 "$dir/log"; return 1; }
}
check "xl2tpd dials in: tunnel with authentication, call, its CDN, our StopCCN" xl2tpd_dials_in
check "the seed's call, replayed message by message: lnsd answers as the seed's LNS" \
	timeout 60 ip netns exec lab-lac "$build/test/lacsim/seed_replay" --server 192.0.2.1 \
	--local 192.0.2.2 --address 203.0.113.77 --target 198.51.100.2
check "an unknown LAC host name (no default profile) is refused" \
	bash -c '! "$0" "$@" >/dev/null 2>&1' timeout 60 ip netns exec lab-lac "$lacsim" \
	--server 192.0.2.1 --local 192.0.2.2 --target 198.51.100.2 --host stranger --timeout 8
lacsim_pcap() {
	local pcap_out="$build/e2e-lacsim.pcap"
	lac --user 2500-1 --password cisco --sessions 3 --pings 1 --pcap "$pcap_out" >/dev/null &&
		[ "$(tshark -r "$pcap_out" -Y "l2tp && ppp && icmp.type == 8" 2>/dev/null | wc -l)" -eq 3 ] &&
		! tshark -r "$pcap_out" -V 2>/dev/null | grep -q Malformed
}
check "lacsim writes a pcap for replay: an L2TP/PPP echo request per session" lacsim_pcap
check "a wrong tunnel secret is refused" \
	bash -c '! "$0" "$@" >/dev/null 2>&1' timeout 60 ip netns exec lab-lac "$lacsim" \
	--server 192.0.2.1 --local 192.0.2.2 --target 198.51.100.2 --secret wrong --timeout 8
check "a wrong password is refused" \
	bash -c '! "$0" "$@" >/dev/null 2>&1' timeout 60 ip netns exec lab-lac "$lacsim" \
	--server 192.0.2.1 --local 192.0.2.2 --target 198.51.100.2 --user 2500-1 \
	--password wrong --timeout 10
# The garbage comes from UDP port 40000 so that the capture check below can
# leave it out: it is malformed on purpose.
ip netns exec lab-lac python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.2", 40000))
for payload in [b"", b"\xc8", b"\xc8\x02\x00\x40", b"\x00" * 64, b"\xc8\x02\x00\x0c" + b"\x00" * 8,
                bytes(range(256)) * 4]:
    s.sendto(payload, ("192.0.2.1", 1701))
PY
sleep 1
check "garbage to port 1701 leaves lnsd running" lnsd_alive
check "and serving" lac --user 2500-1 --password cisco --pings 2

refused() { ! lac "$@" --timeout 8 >/dev/null 2>&1; }
reload_broken_file() {
	cp "$conf" "$conf.good"
	printf 'pools:\n  - name: extra\n    ranges: [203.0.113.300-203.0.113.301]\n' >>"$conf"
	kill -HUP "$lnsd_pid"
	sleep 1
	mv "$conf.good" "$conf"
	grep -q "e2e-seed.yaml:[0-9]*:[0-9]*:.*" "$log" && grep -q "reload of .* refused" "$log"
}
check "SIGHUP with a broken file: refused with file:line:column, nothing changed" \
	reload_broken_file
check "and lnsd still serves the old configuration" lac --user 2500-1 --password cisco --pings 1
reload_new_password() {
	sed -i 's/password: cisco/password: changed/' "$conf"
	kill -HUP "$lnsd_pid"
	sleep 1
	grep -q "reloaded .*e2e-seed.yaml" "$log"
}
check "SIGHUP with a changed password: reloaded" reload_new_password
auth_method() { # the profile accepts only this method (by SIGHUP); a call authenticates with it
	sed -i "s/^    auth: .*/    auth: [$1]/" "$conf"
	kill -HUP "$lnsd_pid"
	sleep 0.5
	lac --user 2500-1 --password changed --pings 1 >/dev/null
	local rc=$?
	sed -i "s/^    auth: .*/    auth: [chap, mschapv2, pap]/" "$conf"
	kill -HUP "$lnsd_pid"
	sleep 0.5
	[ "$rc" -eq 0 ] && grep -q "$2" "$log"
}
check "PAP only: the subscriber authenticates by PAP" auth_method pap "PAP: I AUTH-REQ"
# an MS-CHAPv2 Response is 60 bytes long with this name (MD5 CHAP's: 27)
check "MS-CHAPv2 only: the subscriber authenticates by MS-CHAPv2" auth_method mschapv2 \
	'CHAP: I RESPONSE id [0-9]* len 60 from "2500-1"'
session_flood() {
	local out="$build/e2e-flood.txt"
	sed -i 's/^    match_host: hgw$/    match_host: hgw\n    max_sessions: 5/' "$conf"
	kill -HUP "$lnsd_pid"
	sleep 0.5
	lac --user 2500-1 --password changed --sessions 8 --pings 2 --timeout 15 >"$out"
	sed -i '/^    max_sessions: 5$/d' "$conf"
	kill -HUP "$lnsd_pid"
	sleep 0.5
	cat "$out"
	grep -q "5 sessions up, 3 failed; .*; 0 sessions short of replies" "$out" &&
		grep -q "session limit of the tunnel reached" "$log"
}
check "a session flood past the profile's limit (5): the rest refused by CDN, logged; the 5 pass \
traffic" session_flood
check "the old password is refused for new calls" refused --user 2500-1 --password cisco
check "the new one is accepted" lac --user 2500-1 --password changed --pings 1
# syslog: only where no syslog daemon owns /dev/log, a listener of ours
# stands in for one while lnsd logs there, then goes with its socket.
syslog_gets_the_traces() {
	local out="$build/e2e-syslog.txt"
	: >"$out"
	python3 - "$out" <<-'PY' &
		import socket, sys, time
		s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		s.bind("/dev/log")
		s.settimeout(1)
		end = time.time() + 30
		with open(sys.argv[1], "a") as f:
		    while time.time() < end:
		        try:
		            f.write(s.recv(4096).decode(errors="replace") + "\n")
		            f.flush()
		        except socket.timeout:
		            pass
	PY
	syslog_pid=$!
	sleep 0.5
	sed -i 's/target: stderr/target: syslog/' "$conf"
	kill -HUP "$lnsd_pid"
	sleep 0.5
	lac --user 2500-1 --password changed --pings 1 >/dev/null
	sed -i 's/target: syslog/target: stderr/' "$conf"
	kill -HUP "$lnsd_pid"
	sleep 0.5
	kill "$syslog_pid"
	wait "$syslog_pid" 2>/dev/null
	syslog_pid=""
	rm -f /dev/log
	grep -q "lnsd\[$lnsd_pid\]: l2tp: .*I SCCRQ from hgw" "$out" &&
		grep -q "<30>.*lnsd\[$lnsd_pid\]: ppp: .*IPCP: State is Open" "$out"
}
if [ -e /dev/log ]; then
	echo "e2e: skipped: syslog (/dev/log belongs to this machine's syslog daemon)"
else
	check "log target syslog (by SIGHUP): the traces reach syslog, facility daemon" \
		syslog_gets_the_traces
fi

kill -USR2 "$lnsd_pid"
sleep 0.5
check "SIGUSR2 (soft shutdown): new tunnels refused" refused --user 2500-1 --password changed
kill -USR2 "$lnsd_pid"
sleep 0.5
check "SIGUSR2 again: accepted again" lac --user 2500-1 --password changed --pings 1

kill -TERM "$lnsd_pid"
wait "$lnsd_pid"
rc=$?
lnsd_pid=""
check "SIGTERM: lnsd exits 0" test "$rc" -eq 0
check "lnsd counted its work" grep -q "decap" "$log"
# (the LAC's fragments come back whole: net_af_packet's fanout defragments in
# the kernel, so lnsd's own reassembly is the unit tests' on this machine)
check "and fragmented for the access MTU" grep -q '^  fragmented ' "$log"
if [ -n "$cap_pid" ]; then
	sleep 1
	kill "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
	cap_pid=""
	check "the capture dissects without malformed packets" \
		bash -c "tshark -r '$pcap' 2>/dev/null | grep -q L2TP &&
			! tshark -r '$pcap' -Y '!(udp.port == 40000)' -V 2>/dev/null | grep -q Malformed"
	check "the alias's tunnel: lnsd's control and data came from 192.0.2.5" \
		bash -c "[ \$(tshark -r '$pcap' -Y 'ip.src == 192.0.2.5 && l2tp.type == 1' 2>/dev/null | wc -l) -gt 0 ] &&
			[ \$(tshark -r '$pcap' -Y 'ip.src == 192.0.2.5 && l2tp.type == 0' 2>/dev/null | wc -l) -gt 0 ]"
fi
summary
