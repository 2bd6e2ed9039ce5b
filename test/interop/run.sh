#!/usr/bin/env bash
# Interoperability with a real Linux PPP stack: a QEMU guest booting
# Debian's kernel, with Debian's xl2tpd (the LAC) and pppd (the subscriber,
# on the kernel's PPP over L2TP), dials the real lnsd running in the lab
# (scripts/lab). The guest's tap and the lab's LAC veth share a bridge in
# lab-lac. One boot runs every scenario in turn (CHAP, PAP, MS-CHAPv2,
# pings both ways, LCP echoes, hang-ups from either side, two calls at
# once, IPv6CP, a wrong password, a wrong tunnel secret); the guest prints
# MARK lines on its console where the host acts (pings from lab-core,
# lnsctl) and answers "ack" on a second serial line. Then the checks: the
# guest's RESULT lines, its kernel's messages, lnsd's log and counters,
# and a tshark reading of the capture on the tap.
#
# The guest image (test/interop/image.sh) is built from Debian packages
# fetched with apt-get download and cached in BUILD/interop/cache. KVM is
# used when it boots the guest within a few seconds, else TCG. Needs root,
# network namespaces, qemu-system-x86 and tshark (scripts/install-deps.sh).
#
#   test/interop/run.sh BUILD_DIR
#   INTEROP_SCENARIOS="chap pap" test/interop/run.sh BUILD_DIR    # a subset
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/test/interop
dir=$build/interop
cache=$dir/cache
lnsd="$build/dataplane/lnsd"
log=$dir/lnsd.log
sock=$dir/lnsd.sock
pcap=$dir/access.pcap
console=$dir/console.log
results=$dir/results.txt # the guest's RESULT lines
host=$dir/host.txt       # what the host saw at each MARK, "name key=value ..."
e2e=interop
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
scenarios=${INTEROP_SCENARIOS:-chap pap mschapv2 two two-same ipv6 badpass badsecret}
guest_addr=192.0.2.3
lns_addr=192.0.2.1
lns_alias=192.0.2.5 # a second address on lnsd's access port, for a second tunnel
core_addr=198.51.100.2
bridge="br-interop"
tap="tap-interop"
kvm_probe_s=8     # a stock kernel on working KVM reaches init in 1-2 s
guest_budget_s=300 # the whole guest run, boot included (80 s under TCG here)
lnsd_pid="" cap_pid="" qemu_pid="" tail_pid="" lab_made=0

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "$e2e: needs root and network namespaces: skipped"
	exit 77
fi
for tool in qemu-system-x86_64 tshark apt-get dpkg-deb; do
	command -v "$tool" >/dev/null ||
		{ echo "$e2e: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done

cleanup() {
	stop_pid "$tail_pid" TERM
	stop_pid "$qemu_pid" TERM
	stop_pid "$cap_pid" INT
	stop_pid "$lnsd_pid" TERM
	[ "$lab_made" = 1 ] || return 0
	ip -n lab-lac link del "$tap" 2>/dev/null
	ip -n lab-lac link del "$bridge" 2>/dev/null
	"$top/scripts/lab" down >/dev/null 2>&1
}
trap cleanup EXIT

lnsctl() { timeout 10 "$build/control/lnsctl" -s "$sock" "$@"; }
in_core() { ip netns exec lab-core "$@"; }

# --- the lab: lnsd's two veths, and a bridge in lab-lac for the guest ---

# Every end-to-end test on this machine shares the lab's names: another
# lnsd on its veths would answer the guest as well (its SCCRPs spoil the
# capture), and our `lab up` would pull another test's namespaces from
# under it. Waits two minutes at most for lnsd and lab-lac's processes.
lab_busy() { pgrep -x lnsd >/dev/null || [ -n "$(ip netns pids lab-lac 2>/dev/null)" ]; }
lab_free() {
	for _ in $(seq 1 60); do
		lab_busy || return 0
		sleep 2
	done
	pgrep -a -x lnsd | sed 's/^/  running: /'
	ip netns pids lab-lac 2>/dev/null | xargs -r ps -o pid=,args= -p | sed 's/^/  in lab-lac: /'
	return 1
}

# The LAC veth moves onto a bridge with the guest's tap, so that the guest
# is one more host on lnsd's access link (192.0.2.3 beside lab-lac's .2).
lab_up() {
	lab_made=1
	"$top/scripts/lab" up >/dev/null || return 1
	ip -n lab-lac link add "$bridge" type bridge || return 1
	ip -n lab-lac addr flush dev lab-lac0
	ip -n lab-lac link set lab-lac0 master "$bridge"
	ip -n lab-lac addr add 192.0.2.2/24 dev "$bridge"
	ip -n lab-lac tuntap add dev "$tap" mode tap
	ip -n lab-lac link set "$tap" master "$bridge"
	ip -n lab-lac link set "$tap" up
	ip -n lab-lac link set "$bridge" up
}

# The seed's configuration with lnsctl's socket, an alias on the access
# port (lnsd listens on both), a /48 for IPv6CP calls in the pool, and one
# profile per LAC host name where a call needs one method (hgw keeps the
# seed's three, CHAP first) or IPv6.
make_config() {
	python3 - "$top/config/seed.yaml" "$1" "$sock" "${INTEROP_LOCAL_ADDRESS:-}" <<-'EOF'
		import sys
		seed, out, sock, local = sys.argv[1:]
		s = open(seed).read()
		extra = ""
		for host, more in (("hgw-pap", "auth: [pap]"), ("hgw-ms", "auth: [mschapv2]"),
		                   ("hgw-v6", "auth: [chap]\n    ipv6: true")):
		    extra += (f"  - name: {host}\n    match_host: {host}\n    secret: hello\n"
		              f"    {more}\n    pool: subscribers\n    dns: [198.51.100.53]\n")
		for old, new in (("\nusers:\n", "\n" + extra + "users:\n"),
		                 ("    address: 192.0.2.1/24\n",
		                  "    address: 192.0.2.1/24\n    aliases: [192.0.2.5]\n"),
		                 ("  listen: [192.0.2.1]\n", "  listen: [192.0.2.1, 192.0.2.5]\n"),
		                 ("    exclude: [203.0.113.100]\n",
		                  "    exclude: [203.0.113.100]\n    prefix6: 2001:db8:100::/48\n")):
		    if old not in s:
		        sys.exit(f"interop: the seed's configuration changed: no {old.strip()!r}")
		    s = s.replace(old, new, 1)
		s += f"management:\n  socket: {sock}\n"
		if local:  # INTEROP_LOCAL_ADDRESS: e.g. 192.0.2.1, the day-one bug on purpose
		    s += f"ppp:\n  local_address: {local}\n"
		open(out, "w").write(s)
	EOF
}

start_lnsd() {
	make_config "$dir/lnsd.yaml" || return 1
	"$lnsd" -c "$dir/lnsd.yaml" >"$dir/lnsd.out" 2>"$log" &
	lnsd_pid=$!
	wait_lnsd_up "$log" || return 1
	if [ -n "${INTEROP_DEBUG:-}" ]; then # every message and frame in lnsd's log
		for c in l2tp ppp dataplane; do lnsctl debug "$c" on >/dev/null; done
	fi
}

start_capture() {
	ip netns exec lab-lac timeout 600 tshark -q -i "$tap" -f "udp port 1701" -w "$pcap" \
		>/dev/null 2>"$dir/tshark.err" &
	cap_pid=$!
	for _ in $(seq 1 50); do
		grep -q "Capturing on" "$dir/tshark.err" && return 0
		sleep 0.2
	done
	return 1
}

# --- the guest -------------------------------------------------------------

# The cached image plus a second archive with /init and /scenario.env:
# the kernel unpacks both, so neither needs the image rebuilt.
make_initrd() {
	local r=$dir/initrd-extra
	rm -rf "$r"
	mkdir -p "$r"
	install -m 755 "$here/guest-init" "$r/init"
	cat >"$r/scenario.env" <<-EOF
		GUEST_ADDR=$guest_addr/24
		LNS=$lns_addr
		LNS_ALIAS=$lns_alias
		CORE=$core_addr
		SECRET=hello
		PPP_USER=2500-1
		PPP_PASS=cisco
		SCENARIOS="$scenarios"
	EOF
	python3 "$here/newc.py" "$r" "$dir/extra.cpio.gz" &&
		cat "$cache/initramfs.cpio.gz" "$dir/extra.cpio.gz" >"$dir/initrd.img"
}

start_qemu() { # kvm | tcg
	local how=(-accel kvm -cpu host)
	[ "$1" = tcg ] && how=(-accel tcg -cpu max)
	rm -f "$dir/ack.in" "$dir/ack.out"
	echo "== $1" >>"$dir/qemu.log"
	mkfifo "$dir/ack.in" "$dir/ack.out"
	: >"$console"
	ip netns exec lab-lac qemu-system-x86_64 "${how[@]}" -m 256 -smp 1 -nodefaults \
		-no-user-config -display none -no-reboot \
		-kernel "$cache/vmlinuz" -initrd "$dir/initrd.img" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 random.trust_cpu=on" \
		-serial "file:$console" -serial "pipe:$dir/ack" \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:02:03 \
		</dev/null >>"$dir/qemu.log" 2>&1 &
	qemu_pid=$!
	disown "$qemu_pid" # a KVM probe may end by SIGABRT: no job report for it
}

guest_up() { grep -q "^GUEST up" "$console"; }

# KVM when it works: /dev/kvm may open and still boot no stock kernel (a
# PVM-only host), so the guest has a few seconds to reach init, else TCG.
boot() {
	if [ "${INTEROP_KVM:-probe}" != no ] && [ -w /dev/kvm ]; then
		start_qemu kvm
		for _ in $(seq 1 $((kvm_probe_s * 5))); do
			guest_up && accel=kvm && return 0
			kill -0 "$qemu_pid" 2>/dev/null || break
			sleep 0.2
		done
		echo "$e2e: KVM did not boot the guest in $kvm_probe_s s ($(tail -1 "$dir/qemu.log")): TCG"
		stop_pid "$qemu_pid" TERM
	fi
	accel=tcg
	start_qemu tcg
}

ack() { # the guest waits for this on ttyS1; qemu holds the fifo open
	timeout 5 sh -c "echo 'ack $1' >'$dir/ack.in'"
}

# --- what the host does at the guest's MARKs ---

session_of() { # subscriber address -> lnsd's T/S
	lnsctl show sessions address "$1" | awk '$1 ~ /^[0-9]+\/[0-9]+$/ { print $1; exit }'
}
stat_total() { # a dataplane counter, summed over the workers
	lnsctl --json show stats | python3 -c '
import json, sys
for c in json.load(sys.stdin)["dataplane"]:
    if c["counter"] == sys.argv[1]:
        print(c["total"])' "$1"
}
core_pings() { # address -> received/sent
	local rx
	rx=$(in_core ping -n -c 3 -W 2 "$1" 2>&1 | awk '/packets transmitted/ { print $4 }')
	echo "${rx:-0}/3"
}
noted() { echo "$*" >>"$host"; }

# Every MARK names the call and its address: lnsd's view of it is kept
# (show session) before the MARK's own action.
on_mark() { # kind, then name=... address=... [addresses=...]
	local kind=$1 name="" address="" addresses="" ts kv
	shift
	for kv in "$@"; do
		case "$kv" in
		name=*) name=${kv#name=} ;;
		address=*) address=${kv#address=} ;;
		addresses=*) addresses=${kv#addresses=} ;;
		esac
	done
	lnsctl show sessions >"$dir/sessions-at-$kind.txt"
	ts=$(session_of "${address:-${addresses%%,*}}")
	[ -n "$ts" ] && lnsctl show session "$ts" >"$dir/session-$name.txt"
	noted "$name session=${ts:--}"
	"mark_$kind" "$name" "$ts" "$address" "$addresses"
	ack "$kind"
}

# The call is held with LCP echoes every second: pings from the core, and
# lnsd's worker's echo_replied over three seconds.
mark_held() { # name ts address
	local e0 e1 t0
	e0=$(stat_total echo_replied)
	t0=$SECONDS
	noted "$1 core_ping=$(core_pings "$3")"
	sleep $((3 - (SECONDS - t0) > 0 ? 3 - (SECONDS - t0) : 0))
	e1=$(stat_total echo_replied)
	noted "$1 echo_replied_before=${e0:-?} echo_replied_after=${e1:-?}"
}

mark_clear() { # name ts: lnsd ends the call
	if [ -n "$2" ] && lnsctl clear session "$2" >/dev/null; then
		noted "$1 cleared=yes"
	else
		noted "$1 cleared=no"
	fi
}

mark_both() { # name ts - addresses: the core pings each call
	local a i=0
	for a in ${4//,/ }; do
		noted "$1 core_ping_$i=$(core_pings "$a")"
		i=$((i + 1))
	done
}

mark_ipv6() { :; } # the session's view, kept above, is what is needed
mark_up() { :; }

# Reads the console as it grows until the guest powers off (or the budget
# runs out), acting on MARKs and keeping RESULTs.
follow() {
	local line fd
	exec {fd}< <(timeout "$guest_budget_s" tail --pid="$qemu_pid" -n +1 -f "$console" 2>/dev/null)
	tail_pid=$!
	while IFS= read -r line <&"$fd"; do
		line=${line%$'\r'}
		case "$line" in
		"MARK "*)
			echo "$e2e: guest: $line"
			# shellcheck disable=SC2086
			on_mark ${line#MARK }
			;;
		"RESULT "*)
			echo "$e2e: guest: $line"
			echo "${line#RESULT }" >>"$results"
			;;
		"GUEST "*) echo "$e2e: guest: ${line#GUEST }" ;;
		esac
	done
	exec {fd}<&-
	stop_pid "$tail_pid" TERM
	tail_pid=""
}

# --- checks on what was seen ---

# The guest's RESULT line(s) for NAME have every key=value given.
saw() { # file name key=value...
	local file=$1 name=$2 kv
	shift 2
	for kv in "$@"; do
		grep -q "^$name .*\<$kv\( \|$\)" "$file" || { echo "  no '$kv' for $name"; return 1; }
	done
}
guest_saw() { saw "$results" "$@"; }
host_saw() { saw "$host" "$@"; }
session_says() { # name key value: lnsctl show session of that call
	grep -q "^  $2 \+$3\$" "$dir/session-$1.txt" 2>/dev/null ||
		{ echo "  show session of $1: $(grep "^  $2 " "$dir/session-$1.txt" 2>/dev/null)"; return 1; }
}
# A known interoperability problem, not counted either way; says when it
# is gone, so that it can become a check.
known() { # name, then the command
	local name=$1
	shift
	if "$@"; then
		echo "$e2e: ok, and no longer a known problem (make it a check): $name"
	else
		echo "$e2e: KNOWN PROBLEM, not counted: $name"
	fi
}
wanted() { [[ " $scenarios " == *" $1 "* ]]; }

call_up() { # name method
	guest_saw "$1" tunnel=up call=up ipcp=up && session_says "$1" authentication "$2"
}

# The address lnsd gave itself in IPCP must not be the one the LAC dials:
# pppd routes that address into ppp0, and with it the tunnel's own UDP.
own_address_not_dialled() {
	local peer
	peer=$(sed -n 's/^chap .*\<peer=\([^ ]*\).*/\1/p' "$results" | head -1)
	echo "  lnsd's IPCP address: ${peer:-none}"
	[ -n "$peer" ] && [ "$peer" != "$lns_addr" ]
}

echoes_answered() {
	local b a
	b=$(sed -n 's/.*echo_replied_before=\([0-9]*\).*/\1/p' "$host")
	a=$(sed -n 's/.*echo_replied_after=\([0-9]*\).*/\1/p' "$host")
	echo "  echo_replied: ${b:-?} -> ${a:-?} in 3 s"
	[ -n "$b" ] && [ -n "$a" ] && [ "$a" -ge $((b + 2)) ]
}

no_dead_loop() {
	! grep -a -m 3 "Dead loop on virtual device" "$console" &&
		grep -q '^kernel dead_loop=0$' "$results"
}

wrong_secret_refused() {
	guest_saw badsecret stopccn_received=yes call=no &&
		grep "Tunnel Authentication fails for hgw" "$log" | sed 's/^/  lnsd: /' | grep .
}

# The guest's link-local address on pppN against the identifiers lnsd
# shows for the call (ours, and the peer's it acked).
ipv6_ids_differ() {
	local mine lns peer
	mine=$(sed -n 's/^ipv6 .*local_ll=\([^ ]*\).*/\1/p' "$results")
	lns=$(awk '$1 == "our_interface_id" { print $2 }' "$dir/session-ipv6.txt" 2>/dev/null)
	peer=$(awk '$1 == "peer_interface_id" { print $2 }' "$dir/session-ipv6.txt" 2>/dev/null)
	echo "  guest ${mine:-?}; lnsd: ours ${lns:-?}, the guest's ${peer:-?}"
	[ -n "$mine" ] && [ -n "$lns" ] && [ "$(ifid "$mine")" != "$(ifid "$lns")" ] &&
		[ "$(ifid "$mine")" = "$(ifid "$peer")" ]
}
ifid() { # an address's or identifier's low 64 bits, as 16 hex digits
	python3 -c 'import ipaddress, sys
v = sys.argv[1].split("/")[0]
v = v if v.startswith("fe80:") else "fe80::" + v
print("%016x" % (int(ipaddress.ip_address(v)) & (2**64 - 1)))' "$1"
}

# Either side may clear the call once pppd terminated LCP: lnsd does it on
# the Terminate-Request, before xl2tpd would; the guest says whose it was.
pppd_hangs_up() {
	guest_saw chap hangup=pppd lcp_term=yes pppd_exit=yes tunnel_gone=yes &&
		! guest_saw chap cdn=no >/dev/null &&
		echo "  the CDN came from: $(sed -n 's/^chap hangup.*cdn=\([a-z]*\).*/\1/p' "$results")"
}
pap_call() { call_up pap PAP && guest_saw pap ping=3/3; }
cleared_by_lnsd() { host_saw pap cleared=yes && guest_saw pap ended_by_lns=yes; }
mschapv2_call() { call_up mschapv2 MS-CHAPv2 && guest_saw mschapv2 authenticator_ok=yes ping=3/3; }
# Both calls up in lnsd at once, on two tunnels, as lnsctl listed them at the MARK.
two_calls() {
	local rows tunnels
	rows=$(awk '$1 ~ /^[0-9]+\/[0-9]+$/ { split($1, t, "/"); print t[1] }' "$dir/sessions-at-both.txt")
	tunnels=$(echo "$rows" | sort -u | grep -c .)
	echo "  lnsd: $(echo "$rows" | grep -c .) sessions in $tunnels tunnels"
	guest_saw two-a ipcp=up ping=3/3 && guest_saw two-b ipcp=up ping=3/3 &&
		host_saw two core_ping_0=3/3 && host_saw two core_ping_1=3/3 &&
		[ "$(echo "$rows" | grep -c .)" -eq 2 ] && [ "$tunnels" -eq 2 ]
}
two_same() {
	sed -n 's/^two-same /  guest: /p' "$results"
	guest_saw same-a ipcp=up ping=3/3 && guest_saw same-b ipcp=up ping=3/3
}

expected_calls() { # that reach ICCN: every scenario's, none for the wrong secret
	local s n=0
	for s in $scenarios; do
		case "$s" in two | two-same) n=$((n + 2)) ;; badsecret) ;; *) n=$((n + 1)) ;; esac
	done
	echo "$n"
}

ts_tunnel() { sed -n "s/^$1 session=\([0-9]*\)\/.*/\1/p" "$host" | head -1; }

capture() { python3 "$here/capture.py" "$dir/fields.tsv" "$guest_addr" "$@"; }
capture_fields() {
	tshark -r "$pcap" -Y l2tp -T fields -E separator=/t -E occurrence=f \
		-e frame.number -e ip.src -e l2tp.type -e l2tp.tunnel -e l2tp.session -e l2tp.Ns \
		-e l2tp.Nr -e l2tp.avp.message_type -e l2tp.avp.assigned_tunnel_id \
		-e ppp.protocol -e ppp.code \
		>"$dir/fields.tsv" 2>/dev/null
}

# --- the run ---------------------------------------------------------------

# The steps before the guest: without any of them there is nothing to check.
setup_step() { # name, then the command
	check "$@"
	[ "$failed" -eq 0 ] || { summary; exit 1; }
}

mkdir -p "$dir" "$cache"
(cd "$dir" && rm -f results.txt host.txt session-*.txt sessions-at-*.txt fields.tsv console.log \
	access.pcap qemu.log lnsd.log)
: >"$results"
: >"$host"
t_start=$SECONDS
setup_step "the guest image (Debian's kernel, xl2tpd, pppd, iproute2, busybox): built or cached" \
	"$here/image.sh" "$cache"
t_image=$((SECONDS - t_start))
lab_free || { echo "$e2e: the lab is in use (another lnsd, or processes in lab-lac): not started"; exit 1; }
setup_step "the lab with a bridge for the guest in lab-lac" lab_up
setup_step "lnsd starts with the interop profiles" start_lnsd
setup_step "tshark captures on the guest's tap" start_capture
setup_step "the guest's initrd: the cached image, then /init and /scenario.env" make_initrd
t_boot=$SECONDS
boot
follow
t_guest=$((SECONDS - t_boot))
stop_pid "$qemu_pid" TERM
qemu_pid=""
sleep 0.5 # the last acks into the capture
stop_pid "$cap_pid" INT
cap_pid=""
capture_fields

check "the guest boots ($accel) and runs its scenarios to the end" grep -q "^end " "$results"
if wanted chap; then
	check "CHAP: xl2tpd's tunnel and call come up, pppd authenticates by CHAP, IPCP opens" \
		call_up chap CHAP
	check "lnsd's own IPCP address is not the one the LAC dials ($lns_addr)" own_address_not_dialled
	check "the guest pings the core ($core_addr) through ppp0" guest_saw chap ping=3/3
	check "lab-core pings the subscriber's address through lnsd" host_saw chap core_ping=3/3
	check "pppd's LCP echoes (1 a second) are answered by lnsd's worker (echo_replied grows)" \
		echoes_answered
	check "pppd hangs up: LCP Terminate-Request, the call cleared by CDN, xl2tpd's StopCCN; \
the tunnel goes" pppd_hangs_up
	check "in the capture: pppd's LCP Terminate, a CDN, then the LAC's StopCCN, acked by lnsd" \
		capture pppd-hangup "$(ts_tunnel chap)"
fi
if wanted pap; then
	check "PAP: the call comes up, authenticated by PAP, IPCP opens, pings the core" pap_call
	check "lnsctl clear session: lnsd ends the call, the guest's pppd sees it end" \
		cleared_by_lnsd
	check "in the capture: lnsd's LCP Terminate-Request, then its CDN" \
		capture lns-clear "$(ts_tunnel pap)"
fi
if wanted mschapv2; then
	check "MS-CHAPv2: the call comes up, pppd accepts lnsd's authenticator response, pings pass" \
		mschapv2_call
fi
if wanted two; then
	check "two calls at once (tunnels to lnsd's address and its alias): both up, both ping \
the core, the core pings both" two_calls
fi
if wanted two-same; then
	# Debian 12's kernel (6.1) hands a tunnel's data to whichever UDP
	# socket of that address/port quadruple it finds first when xl2tpd
	# opens two tunnels to one LNS address from port 1701: the other call
	# hears nothing. Later kernels look the tunnel up by its ID; lnsd could
	# avoid it by answering each tunnel from a port of its own (RFC 2661
	# 8.1 lets the recipient of an SCCRQ pick its source port).
	known "two tunnels at once to one lnsd address: both calls pass pings" two_same
fi
if wanted ipv6; then
	check "IPv6CP opens beside IPCP (pppd +ipv6, a profile with ipv6: true)" \
		guest_saw ipv6 ipcp=up ipv6cp=up
	check "the guest's ppp link-local interface identifier differs from lnsd's" ipv6_ids_differ
fi
if wanted badpass; then
	check "a wrong password: pppd reports the authentication failure, no IPCP" \
		guest_saw badpass auth_failed=yes ipcp_frames=no
fi
if wanted badsecret; then
	check "a wrong tunnel secret: no tunnel comes up" wrong_secret_refused
fi
check "the guest's kernel never printed 'Dead loop on virtual device'" no_dead_loop
check "xl2tpd ran to the end" guest_saw xl2tpd alive=yes
check "the capture: SCCRQ, SCCRP, SCCCN, ICRQ, ICRP, ICCN for every call, from one LNS" \
	capture setup "$(expected_calls)"
check "the capture: data both ways, CDNs, every StopCCN acknowledged" capture teardown
check "the capture dissects without malformed packets" \
	bash -c "! tshark -r '$pcap' -V 2>/dev/null | grep -q Malformed"
check "lnsd ran throughout" kill -0 "$lnsd_pid"
echo "$e2e: timings: image ${t_image} s; guest ($accel) ${t_guest} s, its init at" \
	"$(sed -n 's/^GUEST up at \([0-9.]*\) s.*/\1/p' "$console" | head -1) s; all $((SECONDS - t_start)) s"
summary
