#!/usr/bin/env bash
# End-to-end for the operator's tools: the real lnsd in the lab
# (scripts/lab) with config/seed.yaml and a management section, lacsim
# holding calls up, and every lnsctl command (text and --json, and its
# errors), the Prometheus endpoint, DPDK telemetry and live capture.
#
#   test/e2e/ops.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
lnsd="$build/dataplane/lnsd"
lacsim="$build/test/lacsim/lacsim"
dir="$build/e2e-ops"
log="$dir/lnsd.log"
sock="$dir/lnsd.sock"
metrics_port=19464
e2e=e2e-ops
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
lnsd_pid=""
lac_pid=""
cap_pid=""
hugepages=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
hugepages_before=$(cat "$hugepages" 2>/dev/null || echo 0)

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "e2e-ops: needs root and network namespaces: skipped"
	exit 77
fi

cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$lac_pid" ] && kill "$lac_pid" 2>/dev/null
	[ -n "$lnsd_pid" ] && kill -TERM "$lnsd_pid" 2>/dev/null && sleep 1
	[ -n "$lnsd_pid" ] && kill -KILL "$lnsd_pid" 2>/dev/null
	"$top/scripts/lab" down >/dev/null 2>&1
	# DPDK keeps a primary's hugepage files after it exits (for secondaries):
	# ours go, so that the pages reserved here are given back
	rm -f /dev/hugepages/lnsd-e2e-opsmap_*
	echo "$hugepages_before" >"$hugepages" 2>/dev/null
}
trap cleanup EXIT

lnsctl() { "$build/control/lnsctl" -s "$sock" "$@"; }
json_ok() { python3 -c 'import json, sys; json.load(sys.stdin)'; }
# a JSON answer, then a Python expression over it (d) that must be true
json_is() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
ok = eval(sys.argv[1])
if not ok:
    print("not true of the JSON:", sys.argv[1], file=sys.stderr)
sys.exit(0 if ok else 1)' "$1"
}
http_get() { # path: the whole HTTP answer
	exec 3<>"/dev/tcp/127.0.0.1/$metrics_port" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: lnsd\r\n\r\n' "$1" >&3
	timeout 5 cat <&3
	exec 3<&-
}
refused() { # expected message, then the lnsctl arguments: exit 1 and the message
	local want=$1 out rc
	shift
	out=$(lnsctl "$@" 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] && echo "$out" | grep -q "$want" || { echo "rc $rc: $out"; return 1; }
}

rm -rf "$dir"
mkdir -p "$dir"
"$top/scripts/lab" up >/dev/null
# Live capture: dpdk-dumpcap attaches as a secondary process, which needs
# lnsd's memory in hugepages (a --no-huge primary cannot be mapped).
if [ "$hugepages_before" -lt 512 ]; then
	echo 512 >"$hugepages"
fi
mount | grep -q "type hugetlbfs" || { mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages; }
conf="$dir/seed.yaml"
sed 's/^  memory_mb: 512$/  memory_mb: 512\n  hugepages: true\n  file_prefix: lnsd-e2e-ops/' \
	"$top/config/seed.yaml" >"$conf"
cat >>"$conf" <<EOF
management:
  socket: $sock
  metrics_listen: 127.0.0.1
  metrics_port: $metrics_port
EOF

not_running() {
	local out rc
	out=$(lnsctl show tunnels 2>&1)
	rc=$?
	[ "$rc" -eq 2 ] && echo "$out" | grep -q "cannot reach lnsd at $sock" || { echo "$out"; return 1; }
}
check "lnsctl with no lnsd running: exit 2, says where it looked" not_running

"$lnsd" -c "$conf" >"$dir/show.txt" 2>"$log" &
lnsd_pid=$!
wait_lnsd_up "$log"
check "lnsd starts with lnsctl's socket and the metrics endpoint" test -S "$sock"

# dpdk-dumpcap on the access port while the calls come up and pass their
# echoes. A secondary process must map the primary's memory at the same
# addresses; with address-space randomisation that place is sometimes
# taken ("Cannot reserve ... bytes at [...]"), so it runs without
# randomisation (setarch -R) and gets three tries.
if command -v dpdk-dumpcap >/dev/null; then
	for try in 1 2 3; do
		timeout 60 setarch "$(uname -m)" -R stdbuf -oL dpdk-dumpcap \
			--file-prefix=lnsd-e2e-ops -i net_af_packet0 -w "$dir/access.pcapng" \
			-a duration:12 >"$dir/dumpcap.log" 2>&1 &
		cap_pid=$!
		for _ in $(seq 1 50); do
			grep -q "Capturing on" "$dir/dumpcap.log" && break
			kill -0 "$cap_pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -0 "$cap_pid" 2>/dev/null && break # attached (or still trying: let it)
		echo "dpdk-dumpcap, try $try, exited: $(grep -m1 Cannot "$dir/dumpcap.log")"
		wait "$cap_pid" 2>/dev/null
	done
fi
timeout 120 ip netns exec lab-lac "$lacsim" --server 192.0.2.1 --local 192.0.2.2 \
	--target 198.51.100.2 --user 2500-1 --password cisco --tunnels 1 --sessions 3 --pings 2 \
	--hold 30 >"$dir/lac.txt" 2>&1 &
lac_pid=$!
for _ in $(seq 1 100); do
	grep -q holding "$dir/lac.txt" && break
	sleep 0.2
done

check "show tunnels: the LAC's tunnel, established, with its control-channel health" \
	bash -c "$(declare -f lnsctl); sock=$sock build=$build; lnsctl show tunnels | grep -E '192.0.2.2:1701 +hgw +established +3 '"
check "--json show tunnels: one tunnel, its counters as numbers" \
	bash -c "'$build/control/lnsctl' -s '$sock' --json show tunnels | python3 -c 'import json,sys; d=json.load(sys.stdin); t=d[\"tunnels\"]; assert len(t)==1 and t[0][\"sessions\"]==3 and isinstance(t[0][\"srtt_ms\"], int) and t[0][\"host\"]==\"hgw\"'"
sessions_json=$(lnsctl --json show sessions)
check "--json show sessions: three, each with address and counters (2 echoes each way)" \
	json_is 'len(d["sessions"]) == 3 and all(s["in_packets"] == 2 and s["out_packets"] == 2 and s["address"].startswith("203.0.113.") for s in d["sessions"])' \
	<<<"$sessions_json"
first=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["sessions"][0]["session"])' <<<"$sessions_json")
first_addr=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["sessions"][0]["address"])' <<<"$sessions_json")
tunnel=${first%/*}
filters() {
	[ "$(lnsctl show sessions user 2500-1 | grep -c '^ *[0-9]*/[0-9]')" -eq 3 ] &&
		[ "$(lnsctl show sessions address "$first_addr" | grep -c '^ *[0-9]*/[0-9]')" -eq 1 ] &&
		[ "$(lnsctl show sessions tunnel "$tunnel" | grep -c '^ *[0-9]*/[0-9]')" -eq 3 ] &&
		[ "$(lnsctl show sessions user nobody | grep -c '^ *[0-9]*/[0-9]')" -eq 0 ]
}
check "show sessions filters by user, address and tunnel" filters
check "show session T/S: L2TP and PPP state, negotiated options, counters, accounting" \
	bash -c "'$build/control/lnsctl' -s '$sock' show session $first | tee '$dir/session.txt' | grep -q 'lcp  *Opened' && grep -q 'authentication  *CHAP' '$dir/session.txt' && grep -q 'peer_address  *$first_addr' '$dir/session.txt' && grep -q 'in_packets  *2' '$dir/session.txt' && grep -q 'acct_session_id' '$dir/session.txt'"
check "--json show session: the same as JSON" \
	bash -c "'$build/control/lnsctl' -s '$sock' --json show session $first | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"ppp\"][\"peer_address\"]==\"$first_addr\" and d[\"l2tp\"][\"state\"]==\"established\" and d[\"counters\"][\"out_packets\"]==2'"
check "show stats: every drop reason per worker, punt rings, control and L2TP counters" \
	bash -c "'$build/control/lnsctl' -s '$sock' show stats | tee '$dir/stats.txt' | grep -q '^drop_spoofed ' && grep -q 'worker0_used' '$dir/stats.txt' && grep -q 'sessions_up  *3' '$dir/stats.txt'"
check "--json show stats parses, with the dataplane table" \
	bash -c "'$build/control/lnsctl' -s '$sock' --json show stats | python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(r[\"counter\"]==\"decap\" and r[\"total\"]>=6 for r in d[\"dataplane\"]) and d[\"control\"][\"sessions\"]==3'"
ports_json=$(lnsctl --json show stats)
check "show stats: each port's device, link, queues and rings" \
	json_is 'all(d["port_" + p]["link"] == "up" and d["port_" + p]["driver"] == "net_af_packet" and d["port_" + p]["rx_queues"] == 2 and d["port_" + p]["tx_queues"] == 2 and d["port_" + p]["rx_ring"] >= 64 for p in ("access", "core"))' \
	<<<"$ports_json"
xstats_json=$(lnsctl --json show stats --port access)
check "show stats --port access: the port's extended stats, its packets counted" \
	json_is 'd["xstats"]["rx_good_packets"] >= 6 and d["xstats"]["tx_good_packets"] >= 6 and "rx_q0_packets" in d["xstats"]' \
	<<<"$xstats_json"
check "show stats --port with an unknown port: refused, naming it" \
	refused "no port named 'nowhere'" show stats --port nowhere
check "show metrics: Prometheus text" \
	bash -c "'$build/control/lnsctl' -s '$sock' show metrics | grep -q '^lnsd_sessions 3$'"
metrics_http() {
	local out want
	out=$(http_get /metrics)
	echo "$out" >"$dir/metrics.txt"
	for want in "HTTP/1.0 200 OK" "^lnsd_sessions 3" \
		'^lnsd_dataplane_packets_total{worker="0",counter="decap"} ' \
		'^# TYPE lnsd_tunnels gauge' \
		'^lnsd_tunnel_control_messages_total{tunnel="[0-9]*",host="hgw",kind="retransmitted"} ' \
		'^lnsd_port_link_up{port="access"} 1$' \
		'^lnsd_port_xstats_total{port="core",name="rx_good_packets"} [1-9]'; do
		echo "$out" | grep -q "$want" ||
			{ echo "not in GET /metrics (${#out} bytes, $dir/metrics.txt): $want"; return 1; }
	done
	out=$(http_get /nothing)
	echo "$out" | head -1 | grep -q "404" || { echo "GET /nothing: $(echo "$out" | head -1)"; return 1; }
}
check "GET /metrics over HTTP: 200 with the sessions, worker and port counters; 404 elsewhere" \
	metrics_http
# A Prometheus text parser: every family once, its samples together, every sample a number.
metrics_parse() {
	sed '1,/^\r\?$/d' "$dir/metrics.txt" | /usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
names = [f.name for f in text_string_to_metric_families(sys.stdin.read())]
dup = sorted({n for n in names if names.count(n) > 1})
print(len(names), "families", "; split:", dup)
sys.exit(1 if dup or len(names) < 10 else 0)'
}
check "the metrics parse as Prometheus text: each family's samples together" metrics_parse

telemetry() {
	local out
	out=$(printf '/lnsd/control\n' | timeout 10 dpdk-telemetry.py -f lnsd-e2e-ops 2>&1 | tail -1)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1])["/lnsd/control"]; assert d["sessions"]==3 and d["sessions_up"]==3, d' "$out" || { echo "$out"; return 1; }
	out=$(printf '/lnsd/tunnels\n' | timeout 10 dpdk-telemetry.py -f lnsd-e2e-ops 2>&1 | tail -1)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1])["/lnsd/tunnels"]; t=list(d.values()); assert len(t)==1 and t[0]["host"]=="hgw" and t[0]["sessions"]==3, d' "$out" || { echo "$out"; return 1; }
	out=$(printf '/lnsd/dataplane\n' | timeout 10 dpdk-telemetry.py -f lnsd-e2e-ops 2>&1 | tail -1)
	python3 -c 'import json,sys; d=json.loads(sys.argv[1])["/lnsd/dataplane"]; assert d["decap"]>=6 and "drop_spoofed" in d, d' "$out" || { echo "$out"; return 1; }
}
if command -v dpdk-telemetry.py >/dev/null; then
	sleep 1.2 # the control loop publishes once a second
	check "DPDK telemetry (dpdk-telemetry.py): /lnsd/control, /lnsd/tunnels, /lnsd/dataplane" telemetry
fi
capture() {
	wait "$cap_pid"
	cap_pid=""
	local ctl data
	ctl=$(tshark -r "$dir/access.pcapng" -Y "l2tp.type == 1" 2>/dev/null | wc -l)
	data=$(tshark -r "$dir/access.pcapng" -Y "l2tp.type == 0 && ppp && icmp" 2>/dev/null | wc -l)
	echo "dpdk-dumpcap: $ctl control messages, $data data packets with ICMP"
	[ "$ctl" -ge 10 ] && [ "$data" -ge 12 ] &&
		! tshark -r "$dir/access.pcapng" -V 2>/dev/null | grep -qi malformed
}
if [ -n "$cap_pid" ]; then
	check "dpdk-dumpcap captures a live session's control and data packets on the access port" capture
fi

check "an unknown command: exit 1 and the commands there are" refused "unknown command 'bogus'" bogus
check "show session of a session that does not exist: exit 1" refused "no session 1/1" show session 1/1
check "a bad filter: exit 1" refused "unknown filter 'colour'" show sessions colour red
check "a malformed session ID: exit 1" refused "expected TUNNEL/SESSION" clear session 12
check "debug of an unknown category: exit 1" refused "unknown category 'foo'" debug foo on
check "debug ppp on and off" bash -c "'$build/control/lnsctl' -s '$sock' debug ppp on && '$build/control/lnsctl' -s '$sock' debug ppp off"
check "reload" bash -c "'$build/control/lnsctl' -s '$sock' reload | grep -q reloaded"

clear_session() {
	lnsctl clear session "$first" >/dev/null || return 1
	sleep 1
	[ "$(lnsctl show sessions | grep -c '^ *[0-9]*/[0-9]')" -eq 2 ] &&
		lnsctl --json show peers | json_is 'd["peers"][0]["cdn_sent"] == "3:1"'
}
check "clear session: gone from the table, CDN (result 3, administrative) counted for the peer" \
	clear_session
# (grep without -q: it reads everything; -q leaves early, and with pipefail the
# SIGPIPE it gives lnsctl fails the check once show stats outgrows a pipe write)
drain() {
	lnsctl drain on >/dev/null || return 1
	timeout 60 ip netns exec lab-lac "$lacsim" --server 192.0.2.1 --local 192.0.2.2 \
		--target 198.51.100.2 --user 2500-1 --password cisco --timeout 6 --local-port 1702 \
		>/dev/null 2>&1 && { echo "a tunnel came up while draining"; return 1; }
	lnsctl show stats | grep "accepting_new  *no" >/dev/null && lnsctl drain off >/dev/null &&
		lnsctl show stats | grep "accepting_new  *yes" >/dev/null &&
		[ "$(lnsctl show sessions | grep -c '^ *[0-9]*/[0-9]')" -eq 2 ]
}
check "drain on refuses a new LAC and keeps the sessions; drain off" drain
clear_tunnel() {
	lnsctl clear tunnel "$tunnel" >/dev/null || return 1
	for _ in $(seq 1 20); do
		[ "$(lnsctl --json show tunnels | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["tunnels"]))')" -eq 0 ] && break
		sleep 0.25
	done
	lnsctl --json show peers | json_is 'd["peers"][0]["stopccn_sent"] == "1:1" and d["peers"][0]["cdn_sent"] == "3:3"'
}
check "clear tunnel: CDN for each call, then StopCCN (result 1); the peer's histograms say so" \
	clear_tunnel
check "clear tunnel of a tunnel that does not exist: exit 1" refused "no tunnel 9" clear tunnel 9
wait "$lac_pid" 2>/dev/null
lac_pid=""

# SIGTERM, then 20 s at most: a hang is a failure with the threads' stacks
# in the log (once, after a dpdk-dumpcap that failed to attach, lnsd did not
# exit), not a test killed by meson's timeout.
stop_lnsd() {
	local rc
	kill -TERM "$lnsd_pid"
	for _ in $(seq 1 100); do
		kill -0 "$lnsd_pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$lnsd_pid" 2>/dev/null; then
		echo "lnsd did not exit 20 s after SIGTERM; its threads:"
		command -v gdb >/dev/null &&
			timeout 30 gdb -q -batch -p "$lnsd_pid" -ex "thread apply all bt" 2>&1 | tail -60
		kill -KILL "$lnsd_pid"
	fi
	wait "$lnsd_pid"
	rc=$?
	lnsd_pid=""
	[ "$rc" -eq 0 ] && [ ! -e "$sock" ]
}
check "SIGTERM: lnsd exits 0 and removes its socket" stop_lnsd

summary
