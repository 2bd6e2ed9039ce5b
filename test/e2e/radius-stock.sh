#!/usr/bin/env bash
# End to end with Debian's FreeRADIUS as the package leaves it
# (test/radius/stock-freeradius.sh: sites-enabled/default untouched, a user
# and lnsd as a client added). Its answers carry no Message-Authenticator:
#   1. lnsd refuses them and says why where an operator looks: one error
#      line naming the server and both fixes, the call's failure reason,
#      and per-server counters in lnsctl show stats and the metrics;
#   2. after the one line docs/radius.md gives, the same call comes up;
#   3. with the server stock again and require_message_authenticator:
#      false for it, lnsd takes its unsigned answers and counts them.
#
#   test/e2e/radius-stock.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
lnsd="$build/dataplane/lnsd"
lacsim="$build/test/lacsim/lacsim"
dir="$build/e2e-radius-stock"
log="$dir/lnsd.log"
sock="$dir/lnsd.sock"
server=198.51.100.254:1812
e2e=e2e-radius-stock
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
lnsd_pid=""

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "$e2e: needs root and network namespaces: skipped"
	exit 77
fi
[ -x /usr/sbin/freeradius ] || { echo "$e2e: FreeRADIUS is not installed"; exit 1; }

stop_lnsd() {
	stop_pid "$lnsd_pid" TERM
	lnsd_pid=""
}
cleanup() {
	stop_lnsd
	"$top/test/radius/stock-freeradius.sh" stop "$dir/radius" >/dev/null 2>&1
	"$top/scripts/lab" down >/dev/null 2>&1
}
trap cleanup EXIT

rm -rf "$dir"
mkdir -p "$dir/radius"
chmod 755 "$dir" "$dir/radius" # FreeRADIUS drops to its own user and reads its copy here
"$top/scripts/lab" up >/dev/null

# config/seed-radius.yaml pointed at the stock server, with short RADIUS
# timeouts, no Dynamic Authorization, and lnsctl's socket here.
write_conf() { # extra lines for the server entry
	sed -e 's/address: 127.0.0.1$/address: 198.51.100.254/' \
		-e 's/timeout_ms: 1000 /timeout_ms: 300  /' -e 's/retries: 2 /retries: 1 /' \
		-e '/dae_listen\|dae_port\|dae_clients/,$d' "$top/config/seed-radius.yaml" >"$dir/lnsd.yaml"
	[ -z "$1" ] || sed -i "s/^      secret: testing123$/      secret: testing123\n$1/" "$dir/lnsd.yaml"
	cat >>"$dir/lnsd.yaml" <<-EOF
		pools:
		  - name: subscribers
		    ranges: [203.0.113.10-203.0.113.250]
		management:
		  socket: $sock
	EOF
}
start_lnsd() {
	: >"$log"
	"$lnsd" -c "$dir/lnsd.yaml" >"$dir/show.txt" 2>>"$log" &
	lnsd_pid=$!
	wait_lnsd_up "$log"
}
stats_json() { "$build/control/lnsctl" -s "$sock" --json show stats; }
# A Python expression over d, the server's section of --json show stats.
server_stats() {
	stats_json | python3 -c "
import json, sys
d = json.load(sys.stdin)['radius_server1']
assert d['server'] == '$server', d
ok = $1
print(d) if not ok else None
sys.exit(0 if ok else 1)"
}
call() { lac --user stockuser --password stockpass --pings 2 --timeout 20 "$@"; }

check "Debian's FreeRADIUS, stock site, starts in its namespace" \
	"$top/test/radius/stock-freeradius.sh" start "$dir/radius"

write_conf ""
check "lnsd starts, requiring signed answers (the default)" start_lnsd
refused_with_reason() {
	call >"$dir/refused.txt" 2>&1 && { echo "the call came up"; return 1; }
	call --local-port 1702 >>"$dir/refused.txt" 2>&1 && { echo "the second came up"; return 1; }
	grep -q "RADIUS answers refused: not signed (no Message-Authenticator)" "$log" ||
		{ echo "no true reason for the failed call"; return 1; }
	! grep -q "no RADIUS server answered" "$log" || { echo "the wrong reason is given"; return 1; }
}
check "a call is refused, and its failure says the answers were not signed" refused_with_reason
told_once() {
	local n
	n=$(grep -c "RADIUS server $server answers unsigned (no Message-Authenticator): refused" "$log")
	[ "$n" -eq 1 ] || { echo "told $n times"; return 1; }
	grep "RADIUS server $server answers unsigned" "$log" |
		grep -q "update reply { Message-Authenticator := 0x00 }.*require_message_authenticator: false" ||
		{ echo "the line does not give both fixes"; return 1; }
}
check "the operator is told once: which server, and both fixes" told_once
check "lnsctl show stats: the server's unsigned answers refused (two attempts for each call), none taken" \
	server_stats "d['unsigned_refused'] >= 4 and d['unsigned_accepted'] == 0 and d['bad_answers'] == 0"
metrics() {
	"$build/control/lnsctl" -s "$sock" show metrics |
		grep -E "^lnsd_radius_server_events_total\{server=\"$server\",event=\"unsigned_refused\"\} [1-9]"
}
check "metrics: unsigned_refused for that server" metrics
stop_lnsd

check "the one line of docs/radius.md, first in authorize of sites-enabled/default" \
	"$top/test/radius/stock-freeradius.sh" sign "$dir/radius"
start_lnsd
signed_call() {
	call >"$dir/signed.txt" 2>&1 || { tail -3 "$dir/signed.txt"; return 1; }
	server_stats "d['unsigned_refused'] == 0 and d['answers'] >= 1"
}
check "then the same call comes up and passes traffic, every answer signed" signed_call
stop_lnsd

"$top/test/radius/stock-freeradius.sh" stop "$dir/radius" >/dev/null
check "FreeRADIUS stock again" "$top/test/radius/stock-freeradius.sh" start "$dir/radius"
write_conf "      require_message_authenticator: false"
check "lnsd --check-config takes require_message_authenticator: false" \
	"$lnsd" --check-config "$dir/lnsd.yaml"
start_lnsd
legacy() {
	call >"$dir/legacy.txt" 2>&1 || { tail -3 "$dir/legacy.txt"; return 1; }
	server_stats "d['unsigned_accepted'] >= 1 and d['unsigned_refused'] == 0" &&
		grep -q "RADIUS server $server answers unsigned (no Message-Authenticator): taken" "$log"
}
check "a legacy server marked so: its unsigned answers are taken, counted and told" legacy
stop_lnsd

summary
