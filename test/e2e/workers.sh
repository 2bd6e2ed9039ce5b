#!/usr/bin/env bash
# End-to-end with two workers: the real lnsd in the lab (scripts/lab) with
# config/seed.yaml changed to dpdk.workers: 2 on lcores "0@0,1@1,2@1" (EAL's
# --lcores map: the control lcore on CPU 0, both workers on CPU 1 of this
# 2-CPU machine) and three queue pairs a port (one a worker, one for the
# control lcore). One LAC tunnel carries 32 sessions: RSS puts the tunnel
# on one queue, so the hand-over (docs/dataplane.md, "one tunnel, many
# cores") must give half the sessions to the other worker. Checked:
#
#   - a bad dpdk.lcores ("0-x", or fewer lcores than workers + 1) is refused
#     by lnsd --check-config and by lnsd at start, at file:line:column
#     naming dpdk.lcores, not with EAL's usage text, exit status 1;
#   - every session passes lacsim's echoes to the core and back, and the
#     core pings every subscriber (bursts of 20, all subscribers at once):
#     lacsim answers them all, lnsd counts them both ways on every session;
#   - lnsctl --json show stats: both workers decapsulated and encapsulated,
#     packets were handed over, none dropped on a hand-over ring;
#   - tshark on the LAC's and the core's links: per subscriber, the echo
#     requests reach the LAC and the replies reach the core whole and in
#     the order ping sent them.
#
# Needs root and network namespaces. Waits (a minute at most) for a lab
# another test is using; removes everything it makes, pass or fail
# (E2E_KEEP=1 keeps its directory: logs and captures).
#
#   test/e2e/workers.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
lnsd="$build/dataplane/lnsd"
lacsim="$build/test/lacsim/lacsim"
dir="$build/e2e-workers"
log="$dir/lnsd.log"
sock="$dir/lnsd.sock"
conf="$dir/workers.yaml"
e2e="e2e-workers"
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
sessions=32 # one tunnel's
burst=20    # echoes from the core to each subscriber
lnsd_pid=""
lac_pid=""
caps=()
lab_made=""

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "$e2e: needs root and network namespaces: skipped"
	exit 77
fi

cleanup() {
	for p in "${caps[@]}"; do stop_pid "$p" TERM; done
	stop_pid "$lac_pid" TERM
	stop_pid "$lnsd_pid" TERM
	# the lab goes only if it is still the one we made: a test that does
	# not wait for a busy lab may have remade it since, and uses it now
	if [ -n "$lab_made" ] && [ "$(lab_id)" = "$lab_made" ]; then
		"$top/scripts/lab" down >/dev/null 2>&1
	elif [ -n "$lab_made" ]; then
		echo "$e2e: the lab was remade by someone else while this ran: left to them"
	fi
	if [ "${E2E_KEEP:-}" = 1 ]; then echo "$e2e: kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

lnsctl() { "$build/control/lnsctl" -s "$sock" "$@"; }
# which lab this is: its veths' interface indexes (never reused: new ones
# each time it is made) and its namespaces' inodes
lab_id() {
	cat /sys/class/net/lab-lns-acc/ifindex /sys/class/net/lab-lns-core/ifindex 2>/dev/null |
		tr '\n' ' '
	stat -L -c %i /run/netns/lab-lac /run/netns/lab-core 2>/dev/null | tr '\n' ' '
}

rm -rf "$dir"
mkdir -p "$dir"
sed -e 's/^  workers: 1$/  workers: 2\n  lcores: "0@0,1@1,2@1"/' -e 's/,qpairs=2$/,qpairs=3/' \
	-e 's/no_sessions_left_s: 10/no_sessions_left_s: 2/' "$top/config/seed.yaml" >"$conf"
printf 'management:\n  socket: %s\n' "$sock" >>"$conf"
if ! grep -q '^  lcores: "0@0,1@1,2@1"$' "$conf" || [ "$(grep -c ',qpairs=3$' "$conf")" -ne 2 ]; then
	echo "$e2e: the seed's configuration changed: no dpdk.workers: 1 or qpairs=2 to replace"
	exit 1
fi

# --- a bad dpdk.lcores: refused before EAL sees it ---

bad_lcores() { # file name, the lcores value: a copy of the configuration with it
	sed "s/^  lcores: .*/  lcores: \"$2\"/" "$conf" >"$dir/$1"
}
bad_lcores bad-syntax.yaml "0-x"
bad_lcores bad-few.yaml "0@0,1@1" # two lcores for two workers and the control lcore
# refused: the file, how lnsd is run (--check-config or -c): exit 1, one
# file:line:column message naming dpdk.lcores at its line, no EAL usage
refused() {
	local file="$dir/$1" how=$2 line out rc
	line=$(grep -n '^  lcores:' "$file" | cut -d: -f1)
	out=$(timeout 20 "$lnsd" "$how" "$file" 2>&1)
	rc=$?
	echo "$out" | head -3 | sed "s/^/  ($how, exit $rc) /"
	[ "$rc" -eq 1 ] && echo "$out" | grep -Eq "$1:$line:[0-9]+: .*dpdk\.lcores" &&
		! echo "$out" | grep -Eq "^Usage:|EAL common options"
}
good_config() {
	local out rc
	out=$(timeout 20 "$lnsd" --check-config "$conf" 2>&1)
	rc=$?
	echo "$out" | head -3 | sed "s/^/  (exit $rc) /"
	[ "$rc" -eq 0 ]
}
check "lnsd --check-config takes the map syntax (0@0,1@1,2@1) for two workers" good_config
check "lnsd --check-config: dpdk.lcores \"0-x\" refused at file:line:column, exit 1" \
	refused bad-syntax.yaml --check-config
check "lnsd --check-config: dpdk.lcores with 2 lcores for 2 workers refused, exit 1" \
	refused bad-few.yaml --check-config

# --- the lab: ours alone ---

# Another test's lnsd on the lab's veths would answer our LAC too, and our
# `lab up` would pull its namespaces from under it: wait a minute at most.
lab_busy() { pgrep -x lnsd >/dev/null || [ -n "$(ip netns pids lab-lac 2>/dev/null)" ]; }
for _ in $(seq 1 30); do
	lab_busy || break
	sleep 2
done
if lab_busy; then
	pgrep -a -x lnsd | sed 's/^/  running: /'
	echo "$e2e: the lab is in use (another lnsd, or processes in lab-lac): not started"
	exit 1
fi
"$top/scripts/lab" up >/dev/null || { echo "$e2e: scripts/lab up failed"; exit 1; }
lab_made=$(lab_id)

check "lnsd at start: dpdk.lcores \"0-x\" refused at file:line:column, not EAL's usage, exit 1" \
	refused bad-syntax.yaml -c
check "lnsd at start: 2 lcores for 2 workers refused at file:line:column, exit 1" \
	refused bad-few.yaml -c

# Captures on the far side of both of lnsd's links: what lnsd sent them.
capture() { # namespace, interface, capture filter, file
	command -v tshark >/dev/null || return 0
	ip netns exec "$1" timeout 150 tshark -i "$2" -f "$3" -w "$4" >/dev/null 2>"$4.err" &
	caps+=($!)
	for _ in $(seq 1 50); do
		grep -qs "Capturing on" "$4.err" && return 0
		sleep 0.2
	done
	echo "$e2e: tshark on $2 did not start: $(cat "$4.err")"
}
capture lab-lac lab-lac0 "udp port 1701" "$dir/lac.pcap"
capture lab-core lab-core0 icmp "$dir/core.pcap"

"$lnsd" -c "$conf" >/dev/null 2>"$log" &
lnsd_pid=$!
wait_lnsd_up "$log"
check "lnsd starts with two workers on lcores 0@0,1@1,2@1" \
	grep -q "l2tp-gw up: 1 access and 1 core interface(s), 2 worker(s)" "$log"
if ! kill -0 "$lnsd_pid" 2>/dev/null; then
	[ "$(lab_id)" = "$lab_made" ] || echo "$e2e: the lab was remade by someone else meanwhile"
	echo "$e2e: lnsd did not start:"
	head -5 "$log" | sed 's/^/  /'
	summary
	exit 1
fi
# the core gateway's MAC first (5 s at most): else the first echoes are
# drop_no_next_hop
for _ in $(seq 1 25); do
	grep -q "core gateway resolved" "$log" && break
	sleep 0.2
done

# --- one tunnel, 32 sessions, held while the core pings them ---

lac_out="$dir/lac.txt"
timeout 90 ip netns exec lab-lac "$lacsim" --server 192.0.2.1 --local 192.0.2.2 \
	--target 198.51.100.2 --user 2500-1 --password cisco --tunnels 1 --sessions "$sessions" \
	--pings 3 --hold 12 >"$lac_out" 2>"$dir/lac.err" &
lac_pid=$!
for _ in $(seq 1 150); do
	grep -q holding "$lac_out" && break
	kill -0 "$lac_pid" 2>/dev/null || break
	sleep 0.2
done
up_line=$(grep -m1 "sessions up" "$lac_out")
echo "  $up_line"
all_up() {
	grep -q holding "$lac_out" &&
		grep -q "^lacsim: $sessions sessions up, 0 failed; .*; 0 sessions short of replies" "$lac_out"
}
check "one tunnel: $sessions sessions up, each passed 3 echoes to the core and back" all_up

sessions_json=$(lnsctl --json show sessions)
subs=$(python3 -c 'import json, sys
print(" ".join(s["address"] for s in json.load(sys.stdin)["sessions"]))' <<<"$sessions_json")
one_tunnel() {
	python3 -c 'import json, sys
s = json.load(sys.stdin)["sessions"]
tunnels = {x["session"].split("/")[0] for x in s}
print("  %d sessions in %d tunnel(s)" % (len(s), len(tunnels)))
sys.exit(0 if len(s) == int(sys.argv[1]) and len(tunnels) == 1 else 1)' "$sessions" <<<"$sessions_json"
}
check "lnsctl: the $sessions sessions, all in one tunnel" one_tunnel

# Every subscriber at once, each a burst of 20 (5 sent together, then one
# every 10 ms): the echo requests arrive at lnsd on the core port's queues
# as the kernel's hash spreads them, lacsim answers each at once, and both
# directions cross the hand-over for the sessions of the other worker.
# ping stops listening two round trips after its last request (and with
# -w it sends more than -c): what came back is counted from lnsd's
# counters, lacsim's answers and the capture on the core's link below, ping
# only says what it saw in time.
core_pings_all() {
	local a n=0 sent=0 seen=0 pids=()
	for a in $subs; do
		ip netns exec lab-core ping -n -q -c "$burst" -i 0.01 -l 5 -W 5 "$a" \
			>"$dir/ping-$a.txt" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	sleep 1 # the replies ping stopped waiting for
	for a in $subs; do
		n=$((n + 1))
		grep -q "^$burst packets transmitted" "$dir/ping-$a.txt" && sent=$((sent + 1))
		grep -q "^$burst packets transmitted, $burst received" "$dir/ping-$a.txt" &&
			seen=$((seen + 1))
	done
	echo "  ping sent $burst echoes to each of $sent of $n subscribers, saw all $burst replies in \
time from $seen; its slowest round trip: \
$(sed -n 's|^rtt [^=]*= [^/]*/[^/]*/\([^/]*\)/.*|\1|p' "$dir"/ping-*.txt 2>/dev/null | sort -n | tail -1) ms"
	[ "$n" -eq "$sessions" ] && [ "$sent" -eq "$n" ]
}
check "the core pings every subscriber, $burst echoes each, all at once" core_pings_all

# lnsd's own count per session: lacsim's 3 echoes and the core's 20 each way
# (a first echo that came before lnsd published its session is punted, so
# at least, not exactly)
session_counters() {
	lnsctl --json show sessions | python3 -c 'import json, sys
s = json.load(sys.stdin)["sessions"]
want = int(sys.argv[1])
low = [x for x in s if x["in_packets"] < want or x["out_packets"] < want]
for x in low[:5]:
    print("  %s %s: in %d, out %d" % (x["session"], x["address"], x["in_packets"], x["out_packets"]))
sys.exit(0 if len(s) == int(sys.argv[2]) and not low else 1)' "$((burst + 3))" "$sessions"
}
check "lnsctl: every session counted at least $((burst + 3)) packets each way: all replies back" \
	session_counters

stats="$dir/stats.json"
lnsctl --json show stats >"$stats"
lnsctl show stats | grep -E "^(counter|decap|encap|handed_over|drop_handoff_full|drop_tx_full|punt_no_session) " |
	sed 's/^/  /'
# a Python expression over c (counter name -> its row: worker0, worker1, total)
stats_true() {
	python3 -c 'import json, sys
c = {r["counter"]: r for r in json.load(open(sys.argv[1]))["dataplane"]}
try:
    ok = eval(sys.argv[2])
except KeyError as e:
    print("  show stats has no", e, "(its counters:", ", ".join(sorted(c)) + ")")
    sys.exit(1)
if not ok:
    print("  not true of show stats:", sys.argv[2])
sys.exit(0 if ok else 1)' "$stats" "$1"
}
check "show stats: worker0 and worker1 both decapsulated packets toward the core" \
	stats_true 'c["decap"]["worker0"] > 0 and c["decap"]["worker1"] > 0'
check "show stats: worker0 and worker1 both encapsulated packets toward subscribers" \
	stats_true 'c["encap"]["worker0"] > 0 and c["encap"]["worker1"] > 0'
check "show stats: packets handed over to the worker owning their session" \
	stats_true 'c["handed_over"]["total"] > 0'
check "show stats: none dropped for a full hand-over ring or TX queue" \
	stats_true 'c["drop_handoff_full"]["total"] == 0 and c["drop_tx_full"]["total"] == 0'

wait "$lac_pid"
rc=$?
lac_pid=""
tail -1 "$lac_out" | sed 's/^/  /'
lac_done() { [ "$rc" -eq 0 ] && grep -q "answered $((sessions * burst)) echo requests" "$lac_out"; }
check "lacsim answered all $((sessions * burst)) of the core's echoes and hung up cleanly" lac_done

# SIGTERM: CDN and StopCCN to the peers that are left, 15 s at most
kill -TERM "$lnsd_pid"
for _ in $(seq 1 75); do
	kill -0 "$lnsd_pid" 2>/dev/null || break
	sleep 0.2
done
stop_pid "$lnsd_pid" KILL # reaps it (its status), or kills it
rc=$?
lnsd_pid=""
check "SIGTERM: lnsd exits 0" test "$rc" -eq 0
sleep 0.5
for p in "${caps[@]}"; do stop_pid "$p" TERM; done
caps=()

# --- the order, from the captures ---

# Reads "frame address seq" lines: per address, the sequence numbers must
# rise and every one of the burst be there once.
in_order() { # what the lines are (for the output)
	awk -v what="$1" -v subs="$sessions" -v burst="$burst" '
		{
			if (($2 in last) && $3 <= last[$2]) {
				bad++
				if (bad <= 5)
					printf "  %s: frame %s: %s seq %s after seq %s\n", what, $1, $2, $3, last[$2]
			}
			last[$2] = $3
			n[$2]++
		}
		END {
			for (a in n) {
				seen++
				if (n[a] != burst) {
					short++
					if (short <= 5)
						printf "  %s: %s: %d of %d\n", what, a, n[a], burst
				}
			}
			printf "  %s: %d subscribers, %d out of order, %d not %d\n", what, seen, bad, short, burst
			exit (seen == subs && bad == 0 && short == 0) ? 0 : 1
		}'
}
fields() { # pcap, display filter, the address field
	tshark -r "$1" -Y "$2" -T fields -E occurrence=l -e frame.number -e "$3" -e icmp.seq 2>/dev/null
}
if command -v tshark >/dev/null; then
	# what went into lnsd: if it is out of order already, lnsd is not to blame
	fields "$dir/core.pcap" "icmp.type == 8 && ip.dst == 203.0.113.0/24" ip.dst |
		in_order "core side, requests into lnsd"
	fields "$dir/lac.pcap" "l2tp && icmp.type == 0 && ip.src == 203.0.113.0/24" ip.src |
		in_order "LAC side, replies into lnsd"
	lac_side_in_order() {
		fields "$dir/lac.pcap" "l2tp && icmp.type == 8 && ip.dst == 203.0.113.0/24" ip.dst |
			in_order "LAC side, requests out of lnsd"
	}
	core_side_in_order() {
		fields "$dir/core.pcap" "icmp.type == 0 && ip.src == 203.0.113.0/24" ip.src |
			in_order "core side, replies out of lnsd"
	}
	check "tshark, LAC side: each subscriber's $burst echo requests from the core reached the LAC, all in order" \
		lac_side_in_order
	check "tshark, core side: each subscriber's $burst echo replies reached the core, all in order" \
		core_side_in_order
else
	echo "$e2e: no tshark: the order checks skipped"
fi
[ "$(lab_id)" = "$lab_made" ] ||
	echo "$e2e: the lab was remade by someone else during the run: failures may be theirs"
summary
