#!/usr/bin/env bash
# End-to-end with RADIUS: the real lnsd in the lab (scripts/lab) with
# config/seed-radius.yaml, Debian's FreeRADIUS on loopback started by this
# test (test/radius/freeradius.sh), lacsim dialling from the LAC namespace.
# Checks authentication (proxied CHAP as in the seed, PAP, MS-CHAPv2,
# rejects), the Framed-IP-Address cases, Session-Timeout, accounting in
# FreeRADIUS's detail file with octets matching lacsim's traffic, RADIUS
# going away and coming back, Accounting-Off at SIGTERM, and that every
# RADIUS packet on the wire dissects cleanly and every request is signed.
#
#   test/e2e/radius.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
lnsd="$build/dataplane/lnsd"
lacsim="$build/test/lacsim/lacsim"
dir="$build/e2e-radius"
log="$dir/lnsd.log"
detail="$dir/radius/detail"
pcap="$dir/radius.pcap"
e2e=e2e-radius
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
lnsd_pid=""
cap_pid=""

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "e2e-radius: needs root and network namespaces: skipped"
	exit 77
fi
if [ ! -x /usr/sbin/freeradius ] || ! command -v radclient >/dev/null; then
	echo "e2e-radius: FreeRADIUS (freeradius, freeradius-utils) is not installed"
	exit 1
fi

cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$lnsd_pid" ] && kill -TERM "$lnsd_pid" 2>/dev/null && sleep 1
	[ -n "$lnsd_pid" ] && kill -KILL "$lnsd_pid" 2>/dev/null
	"$top/test/radius/freeradius.sh" stop "$dir/radius" >/dev/null 2>&1
	"$top/scripts/lab" down >/dev/null 2>&1
}
trap cleanup EXIT

# The accounting records (one per blank-line separated block of the detail
# file) that contain every given "Attribute = value" line, counted.
records() {
	awk -v RS= -v want="$*" '
		BEGIN { n = split(want, w, "|") }
		{ ok = 1; for (i = 1; i <= n; i++) if (index($0, w[i]) == 0) ok = 0; c += ok }
		END { print c + 0 }' "$detail"
}
has_records() { # count, then the lines joined by |
	local want=$1 got
	shift
	got=$(records "$@")
	[ "$got" -eq "$want" ] || { echo "detail: $got records with $*, wanted $want"; return 1; }
}

rm -rf "$dir"
mkdir -p "$dir"
"$top/scripts/lab" up >/dev/null
radius_start() { "$top/test/radius/freeradius.sh" start "$dir/radius" >/dev/null; }
radius_stop() { "$top/test/radius/freeradius.sh" stop "$dir/radius" >/dev/null; }
check "FreeRADIUS starts on 127.0.0.1:18120/18130 with its own configuration" radius_start
if command -v tshark >/dev/null; then
	timeout 300 tshark -q -i lo -w "$pcap" -f "udp port 18120 or udp port 18130" \
		>/dev/null 2>&1 &
	cap_pid=$!
fi

# The example, on the test server's ports, with shorter RADIUS timeouts,
# and two more profiles so that one lnsd offers each method on its own.
conf="$dir/seed-radius.yaml"
# Interim-Update every 3 s for users RADIUS gives no interval (pooluser).
sed -e 's/auth_port: 1812/auth_port: 18120/' -e 's/acct_port: 1813/acct_port: 18130/' \
	-e 's/interim_interval_s: 60/interim_interval_s: 3/' \
	-e 's/timeout_ms: 1000 /timeout_ms: 500  /' -e 's/dae_port: 3799/dae_port: 37990/' -e 's/no_sessions_left_s: 10/no_sessions_left_s: 2/' \
	"$top/config/seed-radius.yaml" >"$conf"
cat >>"$conf" <<-EOF
	# test only: one authentication method per LAC host name
EOF
python3 - "$conf" <<-'EOF'
	import sys
	p = sys.argv[1]
	s = open(p).read()
	extra = ""
	for host, auth in (("hgw-pap", "pap"), ("hgw-ms", "mschapv2")):
	    extra += (f"  - name: {host}\n    match_host: {host}\n    secret: hello\n"
	              f"    auth: [{auth}]\n    pool: subscribers\n    aaa: radius\n")
	s = s.replace("radius:\n  servers:", extra + "radius:\n  servers:", 1)
	open(p, "w").write(s)
EOF
"$lnsd" -c "$conf" >"$dir/show.txt" 2>"$log" &
lnsd_pid=$!
wait_lnsd_up "$log"
check "lnsd starts with the radius section" grep -q "l2tp-gw up" "$log"
accounting_on() {
	for _ in $(seq 1 25); do
		[ "$(records "Acct-Status-Type = Accounting-On|NAS-Identifier = \"l2tp-gw\"")" -eq 1 ] &&
			return 0
		sleep 0.2
	done
	echo "no Accounting-On in $detail"
	return 1
}
check "Accounting-On when lnsd starts" accounting_on

# The seed's call: the LAC took CHAP itself and hands it over (proxy
# authentication); RADIUS answers Framed-IP-Address 255.255.255.255.
seed_call() {
	lac --user 2500-1 --password cisco --pings 3 --proxy >"$dir/seed.txt" || return 1
	grep -q "(proxy)" "$log" || { echo "the call did not use proxy authentication"; return 1; }
}
check "the seed's call: proxied CHAP accepted by RADIUS, 3 echoes, CDN" seed_call
seed_accounting() {
	local u='User-Name = "2500-1"'
	sleep 1
	has_records 1 "Acct-Status-Type = Start|$u|Class = 0x736565642d636c617373|Tunnel-Client-Auth-Id:0 = \"hgw\"" &&
		has_records 1 "Acct-Status-Type = Stop|$u|Acct-Input-Octets = 180|Acct-Output-Octets = 180|Acct-Input-Packets = 3|Acct-Output-Packets = 3|Acct-Terminate-Cause = Lost-Carrier|Class = 0x736565642d636c617373"
}
check "Start and Stop in FreeRADIUS's detail: Class echoed, octets as lacsim's echoes (3 x 60 bytes each way)" \
	seed_accounting
pap_with_interims() {
	lac --host hgw-pap --user pooluser --password poolpass --pings 2 --hold 7 \
		>"$dir/pap.txt" 2>&1 || return 1
	sleep 1
	has_records 1 'Acct-Status-Type = Start|User-Name = "pooluser"' &&
		[ "$(records 'Acct-Status-Type = Interim-Update|User-Name = "pooluser"|Acct-Input-Packets = 2')" -ge 1 ] &&
		has_records 1 'Acct-Status-Type = Stop|User-Name = "pooluser"|Acct-Input-Octets = 120|Acct-Output-Octets = 120'
}
check "PAP: RADIUS's Framed-IP-Address 255.255.255.254 gives a pool address; Interim-Updates \
every 3 s while it is held, with its counters" pap_with_interims
check "MS-CHAPv2: 20 subscribers over 2 tunnels accepted by RADIUS" \
	lac --host hgw-ms --user load-7 --password loadpass --tunnels 2 --sessions 10 --pings 1
# A call RADIUS rejects: lacsim fails, and lnsd's log says which user it refused and why.
rejected() { # user, message expected in the refusal (or ""), then lacsim's options
	local user=$1 why=$2 before
	shift 2
	before=$(grep -c "authentication of \"$user\" refused$why" "$log")
	! lac --user "$user" --timeout 10 "$@" >/dev/null 2>&1 &&
		[ "$(grep -c "authentication of \"$user\" refused$why" "$log")" -gt "$before" ]
}
check "MS-CHAPv2 with a wrong password: Access-Reject, the call fails" \
	rejected load-7 "" --host hgw-ms --password wrong
check "proxied CHAP with a wrong password: Access-Reject, the call fails" \
	rejected 2500-1 "" --password wrong --proxy
check "CHAP with a wrong password: Access-Reject, the call fails" \
	rejected 2500-1 "" --password wrong
check "a disabled account: Access-Reject with its Reply-Message" \
	rejected rejected ": account disabled" --host hgw-pap --password whatever
# fixed: Framed-IP-Address 203.0.113.77, Framed-Route 203.0.113.128/28 and
# Session-Timeout 5: the session ends by itself while lacsim holds it.
session_timeout() {
	lac --user fixed --password fixedpass --pings 1 --hold 9 >"$dir/fixed.txt" 2>&1
	sleep 1
	grep -q "fixed up: 203.0.113.77" "$log" || { echo "not at 203.0.113.77"; return 1; }
	has_records 1 'Acct-Status-Type = Stop|User-Name = "fixed"|Acct-Terminate-Cause = Session-Timeout|Framed-IP-Address = 203.0.113.77'
}
check "Session-Timeout 5 from RADIUS ends the session with the right cause" session_timeout

# RADIUS goes away: held sessions keep passing traffic, a new call fails
# cleanly, the Stop records wait, and arrive when RADIUS is back.
radius_outage() {
	local out="$dir/hold.txt" pid rc ok=1
	lac --user 2500-1 --password cisco --tunnels 1 --sessions 3 --pings 1 --hold 6 >"$out" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q holding "$out" && break
		sleep 0.2
	done
	radius_stop
	lac --user pooluser --password poolpass --host hgw-pap --timeout 8 --local-port 1702 \
		>"$dir/outage-call.txt" 2>&1 &&
		{ echo "a call came up without RADIUS"; ok=0; }
	kill -USR1 "$lnsd_pid"
	sleep 0.5
	for a in $(awk '$1 ~ /^[0-9]+\/[0-9]+$/ && $3 ~ /^203\.0\.113\./ { print $3 }' "$dir/show.txt" | tail -3); do
		ip netns exec lab-core ping -n -q -c 1 -W 2 "$a" >/dev/null ||
			{ echo "held subscriber $a unreachable during the outage"; ok=0; }
	done
	wait "$pid"
	rc=$?
	[ "$rc" -eq 0 ] || { echo "held sessions failed: $(tail -2 "$out")"; ok=0; }
	radius_start || return 1 # a fresh detail file
	for _ in $(seq 1 60); do
		[ "$(records 'Acct-Status-Type = Stop|User-Name = "2500-1"')" -ge 3 ] && break
		sleep 0.5
	done
	has_records 3 'Acct-Status-Type = Stop|User-Name = "2500-1"|Acct-Terminate-Cause = Lost-Carrier' ||
		ok=0
	grep -q "no RADIUS server answered" "$log" || { echo "no log line for the failed call"; ok=0; }
	[ "$ok" -eq 1 ]
}
check "RADIUS stopped: established sessions pass traffic, a new call fails cleanly, \
Stop records are delivered once RADIUS is back" radius_outage
# Dynamic Authorization from radclient: Disconnect one held session, CoA
# the other's Session-Timeout, and the NAKs.
dae() { # Disconnect or CoA, attribute lines; prints radclient's output
	local kind=$1
	shift
	printf '%s\n' "$@" 'Message-Authenticator = 0x00' |
		radclient -x -r 1 -t 2 127.0.0.1:37990 "$kind" "${DAE_SECRET:-testing123}" 2>&1
}
dynamic_authorization() {
	local out="$dir/dae-hold.txt" pid a b ok=1 reply
	lac --user 2500-1 --password cisco --sessions 2 --pings 1 --hold 10 >"$out" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q holding "$out" && break
		sleep 0.2
	done
	: >"$dir/show.txt"
	kill -USR1 "$lnsd_pid"
	sleep 0.5
	read -r a b < <(awk '$1 ~ /^[0-9]+\/[0-9]+$/ && $3 ~ /^203\.0\.113\./ { printf "%s ", $3 }' "$dir/show.txt")
	[ -n "$a" ] && [ -n "$b" ] || { echo "two sessions not listed"; kill "$pid"; return 1; }
	reply=$(dae disconnect "Framed-IP-Address = $a" 'NAS-Identifier = "l2tp-gw"')
	echo "$reply" | grep -q "Disconnect-ACK" || { echo "no Disconnect-ACK: $reply"; ok=0; }
	reply=$(dae coa "Framed-IP-Address = $b" "Session-Timeout = 3")
	echo "$reply" | grep -q "CoA-ACK" || { echo "no CoA-ACK: $reply"; ok=0; }
	reply=$(dae disconnect 'Acct-Session-Id = "0000000000000000"')
	echo "$reply" | grep -q "Disconnect-NAK" && echo "$reply" | grep -q "Session-Context-Not-Found" ||
		{ echo "unknown session: $reply"; ok=0; }
	reply=$(dae disconnect "Framed-IP-Address = $b" 'NAS-Identifier = "elsewhere"')
	echo "$reply" | grep -q "NAS-Identification-Mismatch" || { echo "other NAS: $reply"; ok=0; }
	reply=$(DAE_SECRET=wrong dae disconnect "Framed-IP-Address = $b")
	echo "$reply" | grep -q "Disconnect-ACK\|Disconnect-NAK" && { echo "wrong secret answered"; ok=0; }
	wait "$pid"
	sleep 1
	has_records 1 "Acct-Status-Type = Stop|Framed-IP-Address = $a|Acct-Terminate-Cause = Admin-Reset" ||
		ok=0
	has_records 1 "Acct-Status-Type = Stop|Framed-IP-Address = $b|Acct-Terminate-Cause = Session-Timeout" ||
		ok=0
	[ "$ok" -eq 1 ]
}
check "Dynamic Authorization: Disconnect-ACK ends a session (Admin-Reset), CoA-ACK sets its \
Session-Timeout, NAKs for an unknown session and another NAS, silence for a wrong secret" \
	dynamic_authorization
check "lnsd is alive after all of it" kill -0 "$lnsd_pid"

stop_lnsd() {
	kill -TERM "$lnsd_pid"
	for _ in $(seq 1 50); do
		kill -0 "$lnsd_pid" 2>/dev/null || break
		sleep 0.2
	done
	wait "$lnsd_pid"
	local rc=$?
	lnsd_pid=""
	[ "$rc" -eq 0 ] && has_records 1 'Acct-Status-Type = Accounting-Off|NAS-Identifier = "l2tp-gw"'
}
check "SIGTERM: lnsd exits 0 after Accounting-Off is delivered" stop_lnsd
counters() {
	grep -A40 "RADIUS counters" "$log" | grep -E "auth_accepted|auth_rejected|acct_answered|bad_answers" ||
		true
	! grep -q "bad_answers" "$log"
}
check "no RADIUS answer refused (each was signed and matched)" counters

if [ -n "$cap_pid" ]; then
	sleep 1
	kill "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
	cap_pid=""
	signed() {
		local req unsigned
		local d=(-d udp.port==18120,radius -d udp.port==18130,radius)
		req=$(tshark -r "$pcap" "${d[@]}" -Y "radius.code == 1" 2>/dev/null | wc -l)
		unsigned=$(tshark -r "$pcap" "${d[@]}" -Y "radius.code == 1 && !radius.Message_Authenticator" 2>/dev/null | wc -l)
		echo "$req Access-Requests on the wire, $unsigned without Message-Authenticator"
		[ "$req" -gt 20 ] && [ "$unsigned" -eq 0 ] &&
			! tshark -r "$pcap" "${d[@]}" -V 2>/dev/null | grep -q -i malformed
	}
	check "every Access-Request carries Message-Authenticator; tshark finds nothing malformed" signed
fi

summary
