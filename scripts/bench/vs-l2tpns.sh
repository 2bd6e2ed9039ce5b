# Sourced by scripts/bench-setup for --vs-l2tpns (docs/bench-setup.md):
# the same lacsim load through lnsd (in the lab) and Debian's l2tpns (in
# namespaces of its own), both authenticating by FreeRADIUS.
# shellcheck shell=bash
# ---- --vs-l2tpns ---------------------------------------------------------
# Everything below runs as root; it starts and stops only what it records
# in the variables here, and removes its namespaces (vs-lns, vs-lac) and,
# if it made it, the lab, pass or fail.
vs_lab_up=false vs_ns_made=false
vs_lnsd_pid="" vs_l2tpns_pid="" vs_radius_pid="" vs_lab_radius="" vs_samp_pid="" vs_lac_pid=""

vs_cleanup() {
	local p
	for p in "$vs_lac_pid" "$vs_samp_pid"; do
		[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
	done
	if [ -n "$vs_lnsd_pid" ]; then
		kill -TERM "$vs_lnsd_pid" 2>/dev/null
		vs_wait_gone "$vs_lnsd_pid" 50 || kill -KILL "$vs_lnsd_pid" 2>/dev/null
	fi
	if [ -n "$vs_l2tpns_pid" ]; then
		kill -TERM "$vs_l2tpns_pid" 2>/dev/null
		vs_wait_gone "$vs_l2tpns_pid" 50 || kill -KILL "$vs_l2tpns_pid" 2>/dev/null
	fi
	if [ -n "$vs_radius_pid" ]; then
		kill -TERM "$vs_radius_pid" 2>/dev/null
		vs_wait_gone "$vs_radius_pid" 50 || kill -KILL "$vs_radius_pid" 2>/dev/null
	fi
	wait 2>/dev/null
	[ -n "$vs_lab_radius" ] && "$top/test/radius/freeradius.sh" stop "$vs_lab_radius" >/dev/null 2>&1
	$vs_lab_up && "$top/scripts/lab" down >/dev/null 2>&1
	$vs_ns_made && vs_ns_down
	vs_lnsd_pid="" vs_l2tpns_pid="" vs_radius_pid="" vs_lab_radius="" vs_samp_pid="" vs_lac_pid=""
	vs_lab_up=false vs_ns_made=false
	return 0
}

vs_wait_gone() { # pid, tenths of a second
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

vs_wait_for() { # file, fixed string, tenths of a second
	local i
	for ((i = 0; i < $3; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Someone else's tests share the lab's namespaces and FreeRADIUS's ports:
# wait until neither is in use (every 10 s, at most 20 minutes).
vs_wait_lab_free() {
	local waited=0
	while ip netns list | grep -q '^lab-' || [ -n "$(ss -Hnua 'sport = :18120')" ]; do
		if [ "$waited" -ge 1200 ]; then
			echo "bench-setup: the lab or UDP 18120 still in use after 20 minutes: giving up" >&2
			return 1
		fi
		[ "$waited" -eq 0 ] &&
			echo "bench-setup: the lab (lab-*) or UDP 18120 is in use: waiting, up to 20 minutes" >&2
		sleep 10
		waited=$((waited + 10))
	done
}

# Percent of all cores busy over 2 s (whoever runs), and a wait until that
# is at most 25 %: the figures mean little while someone compiles.
vs_busy() {
	local a b
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
	sleep 2
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.0f\n", (y[2] > x[2] ? (y[1] - x[1]) * 100 / (y[2] - x[2]) : 0) }'
}

vs_wait_quiet() { # prints the last busy percentage
	local waited=0 busy
	while busy=$(vs_busy) && [ "$busy" -gt 25 ]; do
		if [ "$waited" -ge 1200 ]; then
			echo "bench-setup: the machine is still ${busy}% busy after 20 minutes: measuring anyway" >&2
			break
		fi
		[ "$waited" -eq 0 ] &&
			echo "bench-setup: the machine is ${busy}% busy with other work: waiting, up to 20 minutes" >&2
		sleep 10
		waited=$((waited + 12))
	done
	echo "$busy"
}

vs_ns_down() {
	ip netns del vs-lac 2>/dev/null || true
	ip netns del vs-lns 2>/dev/null || true
	ip link del vs-lns0 2>/dev/null || true
}

vs_ns_up() {
	vs_ns_down
	vs_ns_made=true
	ip netns add vs-lns
	ip netns add vs-lac
	ip link add vs-lns0 type veth peer name vs-lac0
	ip link set vs-lns0 netns vs-lns
	ip link set vs-lac0 netns vs-lac
	ip netns exec vs-lns sh -c '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
		ip link set lo up
		ip addr add 192.0.2.1/24 dev vs-lns0
		ip link set vs-lns0 up'
	ip netns exec vs-lac sh -c '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
		ip link set lo up
		ip addr add 192.0.2.2/24 dev vs-lac0
		ip link set vs-lac0 up'
	ip netns exec vs-lns ip -br addr show dev vs-lns0 | grep -q '192.0.2.1/24' &&
		ip netns exec vs-lac ip -br addr show dev vs-lac0 | grep -q '192.0.2.2/24'
}

# RcvbufErrors of UDP in a namespace (datagrams dropped: socket buffer full)
vs_udp_drops() {
	ip netns exec "$1" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
}

vs_starts() { # Accounting-Start records in a FreeRADIUS detail file
	local n
	n=$(grep -c 'Acct-Status-Type = Start' "$1" 2>/dev/null) || true
	echo "${n:-0}"
}

# the Start records once their count has not moved for 2 s (at most 20 s)
vs_settled_starts() {
	local n m i
	n=$(vs_starts "$1")
	for ((i = 0; i < 10; i++)); do
		sleep 2
		m=$(vs_starts "$1")
		[ "$m" -eq "$n" ] && break
		n=$m
	done
	echo "$n"
}

# One call to warm the LNS (lnsd resolves the LAC's MAC on the first
# packets it sends; l2tpns's tunnel authentication and CHAP checked).
vs_warm() { # namespace, log
	timeout 60 ip netns exec "$1" build-bench/test/lacsim/lacsim --server 192.0.2.1 \
		--local 192.0.2.2 --target 198.51.100.2 --user load-1 --password loadpass \
		--tunnels 1 --sessions 1 --pings 0 --timeout 20 --teardown stopccn >"$2" 2>&1
}

# The measured run: lacsim with the common options in a namespace, CPU of
# the LNS's parts, FreeRADIUS and lacsim sampled meanwhile.
vs_measure() { # namespace, directory, sampler specs...
	local ns=$1 d=$2
	shift 2
	timeout "$vs_limit" ip netns exec "$ns" build-bench/test/lacsim/lacsim "${vs_lac[@]}" \
		>"$d/lacsim.txt" 2>"$d/lacsim.log" &
	vs_lac_pid=$!
	python3 "$top/scripts/bench/cpu-sample.py" "$d/cpu.txt" 25 100 \
		"lacsim=child:$vs_lac_pid" "$@" core0=core:0 core1=core:1 </dev/null >/dev/null 2>&1 &
	vs_samp_pid=$!
	wait "$vs_lac_pid" || true
	vs_lac_pid=""
	kill -TERM "$vs_samp_pid" 2>/dev/null || true
	wait "$vs_samp_pid" || true
	vs_samp_pid=""
}

# "up failed seconds rate" from lacsim's summary line
vs_result() {
	local line
	line=$(grep "rounds:" "$1" || grep "sessions up" "$1" | tail -1 || true)
	echo "$line" | sed -n 's/.* \([0-9][0-9]*\) sessions up, \([0-9][0-9]*\) failed; setup \([0-9.]*\) s.*(\([0-9][0-9]*\) sessions\/s).*/\1 \2 \3 \4/p'
}

vs_cpu() { # cpu.txt, label: "seconds peak%"; "null null" when it was not sampled
	# (a run shorter than the sampler's start leaves no file)
	if [ ! -s "$1" ]; then
		echo "null null"
		return
	fi
	awk -v l="$2" '$1 == l { print $2, $3; f = 1 } END { if (!f) print "null null" }' "$1"
}

vs_run_lnsd() {
	local d=$vs_out/lnsd ctl_tid w_tids="" a_tids="" t c s0
	rm -rf "$d"
	mkdir -p "$d"
	vs_lnsd_busy=$(vs_wait_quiet)
	vs_wait_lab_free || return 1
	vs_lab_up=true
	"$top/scripts/lab" up >&2
	vs_lab_radius=$d/radius
	"$top/test/radius/freeradius.sh" start "$d/radius" >&2 || return 1
	# as test/e2e/radius.sh: the test server's ports (and a DAE port of its own)
	sed -e 's/auth_port: 1812/auth_port: 18120/' -e 's/acct_port: 1813/acct_port: 18130/' \
		-e 's/dae_port: 3799/dae_port: 37990/' config/seed-radius.yaml >"$d/lnsd.yaml"
	build-bench/dataplane/lnsd -c "$d/lnsd.yaml" >"$d/show.txt" 2>"$d/lnsd.log" &
	vs_lnsd_pid=$!
	vs_wait_for "$d/lnsd.log" "l2tp-gw up" 200 ||
		{ echo "bench-setup: lnsd did not come up: $d/lnsd.log" >&2; return 1; }
	vs_warm lab-lac "$d/warm.txt" ||
		{ echo "bench-setup: the warm-up call through lnsd failed: $d/warm.txt" >&2; return 1; }
	# lnsd's threads: the control lcore (main thread), the worker lcore(s),
	# the AAA threads (RADIUS, blocking I/O)
	ctl_tid=$vs_lnsd_pid
	for t in /proc/"$vs_lnsd_pid"/task/*; do
		t=${t##*/}
		c=$(cat "/proc/$vs_lnsd_pid/task/$t/comm")
		case $c in
		rte-worker-*) w_tids=$w_tids${w_tids:+,}$t ;;
		lnsd) [ "$t" != "$ctl_tid" ] && a_tids=$a_tids${a_tids:+,}$t ;;
		esac
	done
	s0=$(vs_starts "$d/radius/detail")
	vs_measure lab-lac "$d" "lns=$vs_lnsd_pid/$ctl_tid" "worker=$vs_lnsd_pid/$w_tids" \
		"aaa=$vs_lnsd_pid/$a_tids" "freeradius=$(cat "$d/radius/radius.pid")"
	kill -TERM "$vs_lnsd_pid"
	vs_wait_gone "$vs_lnsd_pid" 100 || kill -KILL "$vs_lnsd_pid"
	wait "$vs_lnsd_pid" || true
	vs_lnsd_pid=""
	# after lnsd's exit: it sends what accounting it still holds first
	vs_lnsd_started=$(($(vs_settled_starts "$d/radius/detail") - s0))
	"$top/test/radius/freeradius.sh" stop "$d/radius" >&2
	vs_lab_radius=""
	"$top/scripts/lab" down >&2
	vs_lab_up=false
	vs_lnsd_lat=$(sed -n 's/.*authentication latency: mean \([0-9]*\) us, max \([0-9]*\) us.*/\1 \2/p' \
		"$d/lnsd.log" | tail -1)
}

vs_run_l2tpns() {
	local d=$vs_out/l2tpns i ok=false s0
	rm -rf "$d"
	mkdir -p "$d/etc"
	# not in the lab, but not while someone else's tests load the machine either
	vs_l2tpns_busy=$(vs_wait_quiet)
	vs_wait_lab_free || return 1
	vs_ns_up || return 1
	# FreeRADIUS with test/radius/freeradius.sh's configuration, in vs-lns,
	# ports 18220 and 18221 (l2tpns: accounting = auth + 1); one change:
	# l2tpns sends no Message-Authenticator, so the client must not require it.
	ip netns exec vs-lns "$top/test/radius/freeradius.sh" start "$d/radius" 18220 18221 >&2 &&
		ip netns exec vs-lns "$top/test/radius/freeradius.sh" stop "$d/radius" >&2 || return 1
	sed -i 's/require_message_authenticator = yes/require_message_authenticator = no/' \
		"$d/radius/raddb/clients.conf"
	ip netns exec vs-lns /usr/sbin/freeradius -f -d "$d/radius/raddb" \
		</dev/null >>"$d/radius/radius.log" 2>&1 &
	vs_radius_pid=$!
	for ((i = 0; i < 50; i++)); do
		if [ -n "$(ip netns exec vs-lns ss -Hnua 'sport = :18221')" ] &&
			echo 'Message-Authenticator = 0x00' | ip netns exec vs-lns radclient -q -r 1 -t 0.3 \
				127.0.0.1:18220 status testing123 >/dev/null 2>&1; then
			ok=true
			break
		fi
		sleep 0.2
	done
	$ok || { echo "bench-setup: FreeRADIUS for l2tpns did not answer: $d/radius/radius.log" >&2; return 1; }
	# l2tpns's configuration: startup-config from the template, the same
	# 240 pool addresses as lnsd's pool, no CLI users (no login)
	sed -e "s|@DIR@|$d|g" -e "s|@DEBUG@|${L2TPNS_DEBUG:-1}|" -e 's|@RADIUS_PORT@|18220|' \
		"$top/scripts/bench/l2tpns-startup-config.in" >"$d/etc/startup-config"
	for i in $(seq 10 250); do
		[ "$i" -ne 100 ] && echo "203.0.113.$i"
	done >"$d/etc/ip_pool"
	: >"$d/etc/users"
	# l2tpns reads /etc/l2tpns/ip_pool and users from fixed paths: ours are
	# bind-mounted over /etc/l2tpns in the mount namespace of ip netns exec.
	# setsid: l2tpns ends with kill(0, SIGTERM) (its CLI children), which
	# would otherwise hit this script's whole process group.
	ip netns exec vs-lns setsid sh -c 'mount --bind "$1" /etc/l2tpns && exec /usr/sbin/l2tpns -c "$1/startup-config"' \
		sh "$d/etc" </dev/null >"$d/l2tpns.out" 2>&1 &
	vs_l2tpns_pid=$!
	vs_wait_for "$d/l2tpns.log" "I am declaring myself the master" 400 ||
		{ echo "bench-setup: l2tpns did not start: $d/l2tpns.log $d/l2tpns.out" >&2; return 1; }
	vs_warm vs-lac "$d/warm.txt" || {
		echo "bench-setup: l2tpns did not accept lacsim's call: $d/warm.txt, $d/l2tpns.log" \
			"(L2TPNS_DEBUG=3 logs every control message)" >&2
		return 1
	}
	ip netns exec vs-lns "$top/scripts/bench/l2tpns-counters.py" >"$d/counters-before.txt" || true
	vs_l2tpns_drops0=$(vs_udp_drops vs-lns)
	vs_lac_drops0=$(vs_udp_drops vs-lac)
	s0=$(vs_starts "$d/radius/detail")
	vs_measure vs-lac "$d" "lns=$vs_l2tpns_pid" "freeradius=$vs_radius_pid"
	vs_l2tpns_started=$(($(vs_settled_starts "$d/radius/detail") - s0))
	vs_l2tpns_drops=$(($(vs_udp_drops vs-lns) - vs_l2tpns_drops0))
	vs_l2tpns_lacdrops=$(($(vs_udp_drops vs-lac) - vs_lac_drops0))
	ip netns exec vs-lns "$top/scripts/bench/l2tpns-counters.py" >"$d/counters-after.txt" || true
	awk 'NR == FNR { b[$1] = $2; next } { print $1, $2 - b[$1] }' "$d/counters-before.txt" \
		"$d/counters-after.txt" >"$d/counters.txt" 2>/dev/null || true
	kill -TERM "$vs_l2tpns_pid"
	vs_wait_gone "$vs_l2tpns_pid" 100 || kill -KILL "$vs_l2tpns_pid"
	wait "$vs_l2tpns_pid" || true
	vs_l2tpns_pid=""
	kill -TERM "$vs_radius_pid"
	vs_wait_gone "$vs_radius_pid" 50 || kill -KILL "$vs_radius_pid"
	wait "$vs_radius_pid" || true
	vs_radius_pid=""
	vs_ns_down
	vs_ns_made=false
}

vs_report() { # json, tunnels, sessions, rounds, rate
	local json=$1 ratio n up1 f1 s1 r1 up2 f2 s2 r2
	local d1=$vs_out/lnsd d2=$vs_out/l2tpns
	local lat_mean=null lat_max=null
	read -r up1 f1 s1 r1 <<<"$(vs_result "$d1/lacsim.txt" 2>/dev/null)" || true
	read -r up2 f2 s2 r2 <<<"$(vs_result "$d2/lacsim.txt" 2>/dev/null)" || true
	n=$(($2 * $3 * $4))
	up1=${up1:-0} f1=${f1:-$n} s1=${s1:-0} r1=${r1:-0}
	up2=${up2:-0} f2=${f2:-$n} s2=${s2:-0} r2=${r2:-0}
	[ -n "$vs_lnsd_lat" ] && read -r lat_mean lat_max <<<"$vs_lnsd_lat"
	ratio=$(awk -v a="$r1" -v b="$r2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "null" }')
	cpu() { # directory, label -> seconds
		vs_cpu "$1/cpu.txt" "$2" | cut -d' ' -f1
	}
	peak() {
		vs_cpu "$1/cpu.txt" "$2" | cut -d' ' -f2
	}
	ctr() { # l2tpns counter delta
		awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$d2/counters.txt" 2>/dev/null || echo 0
	}
	if $json; then
		echo "{\"case\":\"setup-radius\",\"lns\":\"lnsd\",\"sessions\":$up1,\"failed\":$f1,\"tunnels\":$2,\"rounds\":$4,\"rate\":$5,\"setup_s\":$s1,\"setups_per_second\":$r1,\"accounting_starts\":$vs_lnsd_started,\"cpu_s\":{\"control_lcore\":$(cpu "$d1" lns),\"worker\":$(cpu "$d1" worker),\"aaa_threads\":$(cpu "$d1" aaa),\"freeradius\":$(cpu "$d1" freeradius),\"lacsim\":$(cpu "$d1" lacsim),\"core0\":$(cpu "$d1" core0),\"core1\":$(cpu "$d1" core1)},\"cpu_peak_pct\":{\"control_lcore\":$(peak "$d1" lns),\"worker\":$(peak "$d1" worker),\"aaa_threads\":$(peak "$d1" aaa),\"freeradius\":$(peak "$d1" freeradius),\"lacsim\":$(peak "$d1" lacsim),\"core0\":$(peak "$d1" core0),\"core1\":$(peak "$d1" core1)},\"radius_auth_latency_us\":{\"mean\":$lat_mean,\"max\":$lat_max},\"busy_before_pct\":${vs_lnsd_busy:-null}}"
		echo "{\"case\":\"setup-radius\",\"lns\":\"l2tpns\",\"sessions\":$up2,\"failed\":$f2,\"tunnels\":$2,\"rounds\":$4,\"rate\":$5,\"setup_s\":$s2,\"setups_per_second\":$r2,\"accounting_starts\":$vs_l2tpns_started,\"cpu_s\":{\"l2tpns\":$(cpu "$d2" lns),\"freeradius\":$(cpu "$d2" freeradius),\"lacsim\":$(cpu "$d2" lacsim),\"core0\":$(cpu "$d2" core0),\"core1\":$(cpu "$d2" core1)},\"cpu_peak_pct\":{\"l2tpns\":$(peak "$d2" lns),\"freeradius\":$(peak "$d2" freeradius),\"lacsim\":$(peak "$d2" lacsim),\"core0\":$(peak "$d2" core0),\"core1\":$(peak "$d2" core1)},\"udp_rcvbuf_drops\":{\"lns_namespace\":$vs_l2tpns_drops,\"lacsim\":$vs_l2tpns_lacdrops},\"l2tpns_counters\":{\"tunnel_retries\":$(ctr tunnel_retries),\"tunnel_rx_errors\":$(ctr tunnel_rx_errors),\"call_sendchap\":$(ctr call_sendchap),\"call_radiusretry\":$(ctr call_radiusretry),\"radius_retries\":$(ctr radius_retries),\"radius_timeout\":$(ctr radius_timeout),\"radius_overflow\":$(ctr radius_overflow),\"multi_read_exceeded\":$(ctr multi_read_exceeded)},\"busy_before_pct\":${vs_l2tpns_busy:-null}}"
		echo "{\"case\":\"setup-radius-ratio\",\"ratio\":$ratio,\"lnsd\":$r1,\"l2tpns\":$r2}"
		return
	fi
	echo "Session setups through FreeRADIUS (CHAP, pool address, accounting Start and Stop), the same lacsim for both:"
	echo "  lacsim ${vs_lac[*]:6}   ($n calls)"
	echo "lnsd (net_af_packet, 1 worker; config/seed-radius.yaml, FreeRADIUS on 18120/18130):"
	echo "  $up1 up, $f1 failed; setup $s1 s; $r1 setups/s; $vs_lnsd_started Accounting-Start records (lnsd's own count of sessions up); cores ${vs_lnsd_busy:-?}% busy before"
	echo "  CPU s (peak % over 0.1 s): control lcore $(cpu "$d1" lns) ($(peak "$d1" lns)), worker $(cpu "$d1" worker) ($(peak "$d1" worker)), AAA threads $(cpu "$d1" aaa) ($(peak "$d1" aaa)), FreeRADIUS $(cpu "$d1" freeradius) ($(peak "$d1" freeradius)), lacsim $(cpu "$d1" lacsim) ($(peak "$d1" lacsim))"
	echo "  cores busy s (peak %): core 0 $(cpu "$d1" core0) ($(peak "$d1" core0)), core 1 $(cpu "$d1" core1) ($(peak "$d1" core1)); lnsd pins its control lcore and AAA threads to core 0, the worker to core 1"
	echo "  RADIUS authentication latency (lnsd's counter: queued + exchanged): mean $lat_mean us, max $lat_max us"
	echo "l2tpns 2.4.1 (tun, debug ${L2TPNS_DEBUG:-1}; its own FreeRADIUS on 18220/18221 in vs-lns):"
	echo "  $up2 up, $f2 failed; setup $s2 s; $r2 setups/s; $vs_l2tpns_started Accounting-Start records (l2tpns's own count); cores ${vs_l2tpns_busy:-?}% busy before"
	echo "  CPU s (peak % over 0.1 s): l2tpns $(cpu "$d2" lns) ($(peak "$d2" lns)), FreeRADIUS $(cpu "$d2" freeradius) ($(peak "$d2" freeradius)), lacsim $(cpu "$d2" lacsim) ($(peak "$d2" lacsim))"
	echo "  cores busy s (peak %): core 0 $(cpu "$d2" core0) ($(peak "$d2" core0)), core 1 $(cpu "$d2" core1) ($(peak "$d2" core1))"
	echo "  UDP datagrams dropped, receive buffer full: $vs_l2tpns_drops in vs-lns (l2tpns's port 1701), $vs_l2tpns_lacdrops at lacsim"
	echo "  l2tpns counters: tunnel_retries $(ctr tunnel_retries) (control messages resent), tunnel_rx_errors $(ctr tunnel_rx_errors) (out of sequence), call_sendchap $(ctr call_sendchap), call_radiusretry $(ctr call_radiusretry), radius_retries $(ctr radius_retries), radius_timeout $(ctr radius_timeout), radius_overflow $(ctr radius_overflow)"
	echo "ratio lnsd / l2tpns (setups a second): $ratio"
	echo "(logs: $vs_out)"
}

vs_l2tpns() {
	local json=false tunnels=1 sessions=200 rounds=10 rate="" rc=0
	while [ $# -gt 0 ]; do
		case $1 in
		--json) json=true ;;
		--tunnels) tunnels=$2; shift ;;
		--sessions) sessions=$2; shift ;;
		--rounds) rounds=$2; shift ;;
		--rate) rate=$2; shift ;;
		*) echo "bench-setup: --vs-l2tpns [--json] [--tunnels N] [--sessions M] [--rounds R] [--rate N]" >&2
			return 2 ;;
		esac
		shift
	done
	[ "$(id -u)" -eq 0 ] || { echo "bench-setup: --vs-l2tpns needs root" >&2; return 1; }
	for f in /usr/sbin/l2tpns /usr/sbin/freeradius; do
		[ -x "$f" ] || { echo "bench-setup: $f missing (apt-get install l2tpns freeradius)" >&2; return 1; }
	done
	command -v radclient >/dev/null || { echo "bench-setup: radclient missing (freeradius-utils)" >&2; return 1; }
	[ -c /dev/net/tun ] || { echo "bench-setup: l2tpns needs /dev/net/tun" >&2; return 1; }
	vs_out=$top/build-bench/bench-setup-vs-l2tpns
	mkdir -p "$vs_out"
	# the same lacsim options for both LNSes
	vs_lac=(--server 192.0.2.1 --local 192.0.2.2 --target 198.51.100.2 --user load-1
		--password loadpass --tunnels "$tunnels" --sessions "$sessions" --rounds "$rounds"
		--pings 0 --timeout 60 --teardown stopccn --serial-tunnels ${rate:+--rate "$rate"})
	vs_limit=$((rounds * 80 + 120))
	trap vs_cleanup EXIT
	trap 'exit 130' INT TERM
	vs_lnsd_started=0 vs_l2tpns_started=0 vs_lnsd_lat="" vs_l2tpns_drops=0 vs_l2tpns_lacdrops=0
	vs_lnsd_busy="" vs_l2tpns_busy=""
	vs_run_lnsd || { rc=1; vs_cleanup; }
	vs_run_l2tpns || { rc=1; vs_cleanup; }
	vs_report "$json" "$tunnels" "$sessions" "$rounds" "${rate:-0}"
	return $rc
}

