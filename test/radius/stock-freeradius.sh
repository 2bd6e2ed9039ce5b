#!/usr/bin/env bash
# Debian's FreeRADIUS 3.2 as it comes out of the package, for the test that
# lnsd works with it (or says why not): /etc/freeradius/3.0 copied whole,
# its sites-enabled/default untouched. Two things are added, as any
# deployment adds them: a test user, and lnsd as a client. The stock site
# listens on every address, so the server runs in a network namespace of
# its own, reached from the host over a veth pair (RADIUS on the core side,
# as at a carrier).
#
#   stock-freeradius.sh start DIR    copy, add user and client, start; 0 once it answers
#   stock-freeradius.sh sign DIR     the one line docs/radius.md gives, then a restart
#   stock-freeradius.sh stop DIR     stop the server (by its PID), remove namespace and veth
#
# The server: 198.51.100.254 (namespace e2e-rad), auth 1812, acct 1813,
# secret testing123; lnsd's side of the veth: 198.51.100.253 (host).
# Users: stockuser/stockpass (Accept, address from lnsd's pool).
set -euo pipefail

NS=e2e-rad
HOST_IF=e2e-rad0
NS_IF=e2e-rad1
HOST_ADDR=198.51.100.253
SERVER_ADDR=198.51.100.254
SECRET=testing123
START_TIMEOUT=10

die() {
	echo "stock-freeradius.sh: $*" >&2
	exit 1
}

net_up() {
	net_down
	ip netns add "$NS"
	ip link add "$HOST_IF" type veth peer name "$NS_IF"
	ip link set "$NS_IF" netns "$NS"
	ip addr add "$HOST_ADDR/30" dev "$HOST_IF"
	ip link set "$HOST_IF" up
	ip -n "$NS" link set lo up
	ip -n "$NS" addr add "$SERVER_ADDR/30" dev "$NS_IF"
	ip -n "$NS" link set "$NS_IF" up
}

net_down() {
	ip link del "$HOST_IF" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}

# The package's configuration; a user, and lnsd's address as a client.
write_config() {
	local raddb=$1

	rm -rf -- "$raddb"
	cp -a /etc/freeradius/3.0 "$raddb"
	{
		printf 'stockuser\tCleartext-Password := "stockpass"\n\n'
		cat "$raddb/mods-config/files/authorize"
	} >"$raddb/authorize.new"
	mv "$raddb/authorize.new" "$raddb/mods-config/files/authorize"
	cat >>"$raddb/clients.conf" <<EOF

# added for lnsd's test: the LNS, from its side of the veth
client lnsd {
	ipaddr = $HOST_ADDR
	secret = $SECRET
}
EOF
	chown -R freerad:freerad "$raddb"
}

# Any answer (an Access-Reject for the unknown probe, which the stock
# reject_delay holds for 1 s) means the server is up.
answers() {
	local out

	out=$(printf 'User-Name = probe\nUser-Password = x\nMessage-Authenticator = 0x00\n' |
		ip netns exec "$NS" radclient -r 1 -t 2 127.0.0.1 auth "$SECRET" 2>&1) || true
	grep -q "^Received Access-" <<<"$out"
}

run_server() {
	local dir=$1

	ip netns exec "$NS" /usr/sbin/freeradius -f -d "$dir/raddb" -l stdout \
		</dev/null >>"$dir/radius.log" 2>&1 &
	echo $! >"$dir/radius.pid"
	for _ in $(seq 1 $((START_TIMEOUT * 10))); do
		kill -0 "$(cat "$dir/radius.pid")" 2>/dev/null || {
			tail -20 "$dir/radius.log" >&2
			die "freeradius exited during start-up"
		}
		answers && return 0
		sleep 0.1
	done
	tail -20 "$dir/radius.log" >&2
	die "no answer within ${START_TIMEOUT}s"
}

stop_server() {
	local dir=$1 pid

	[ -s "$dir/radius.pid" ] || return 0
	pid=$(cat "$dir/radius.pid")
	rm -f "$dir/radius.pid"
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = freeradius ] || return 0
	kill -TERM "$pid"
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || die "usage: $0 start|sign|stop DIR"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
case "$cmd" in
start)
	[ -x /usr/sbin/freeradius ] || die "freeradius is not installed"
	stop_server "$dir"
	net_up
	write_config "$dir/raddb"
	: >"$dir/radius.log"
	run_server "$dir"
	;;
sign)
	# docs/radius.md: the first line of authorize in sites-enabled/default
	stop_server "$dir"
	sed -i --follow-symlinks '0,/^authorize {$/s//authorize {\n\tupdate reply { Message-Authenticator := 0x00 }/' \
		"$dir/raddb/sites-enabled/default"
	grep -q 'Message-Authenticator := 0x00' "$dir/raddb/sites-enabled/default" ||
		die "no authorize section in sites-enabled/default"
	run_server "$dir"
	;;
stop)
	stop_server "$dir"
	net_down
	;;
*) die "usage: $0 start|sign|stop DIR" ;;
esac
