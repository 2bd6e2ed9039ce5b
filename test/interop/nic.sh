#!/usr/bin/env bash
# lnsd on emulated PCI NICs, as a carrier runs it on real ones: a QEMU
# guest (TCG here) boots Debian's kernel with three emulated NICs, binds
# them to vfio-pci behind an emulated VT-d IOMMU (or to uio_pci_generic),
# reserves hugepages and runs the build tree's lnsd on their PCI
# addresses. lacsim dials it from a LAC namespace on the host; two core
# links go to one core namespace that routes the subscribers over both.
#
#   nic-lac  192.0.2.2/24      nic-acc   = guest 0000:00:03.0 "access" 192.0.2.1/24
#   nic-core 198.51.100.2/25   nic-core1 = guest 0000:00:04.0 "core1"  198.51.100.1/25
#            198.51.100.130/25 nic-core2 = guest 0000:00:05.0 "core2"  198.51.100.129/25
#            203.0.113.0/24 (the pool) by both links (multipath)
#
# Checked: the NICs bind and lnsd comes up on them with hugepages;
# lacsim's subscribers ping the core and the core pings held
# subscribers, over both core links; core1's link goes down (QEMU's
# set_link, and the core's end with it) and the held subscribers answer
# again within a few seconds, lnsd logs and counts the change, and again
# when the link comes back; the ports' extended stats agree with the
# traffic; lnsd stops cleanly. The guest's init (nic-init) does what the
# host asks over a second serial line (lnsctl, its log, stop); the host
# drives QEMU's link over its monitor socket.
#
# The image (test/interop/image.sh --nic) is built from Debian packages
# fetched with apt-get download and cached in BUILD/interop-nic/cache.
# Needs root, network namespaces, qemu-system-x86 and dumpcap (tshark's).
#
#   test/interop/nic.sh BUILD_DIR
#   INTEROP_NIC_MODELS="e1000e virtio virtio" test/interop/nic.sh BUILD_DIR  # access core1 core2
#   INTEROP_NIC_BIND=uio test/interop/nic.sh BUILD_DIR      # uio_pci_generic, no IOMMU
#   INTEROP_NIC_SMP=1 test/interop/nic.sh BUILD_DIR         # one vCPU: lcores 0@0,1@0
#   INTEROP_NIC_MODELS="virtio virtio virtio" INTEROP_NIC_WORKERS=2 test/interop/nic.sh BUILD_DIR
#                      # two workers, RSS on every port (QEMU's rss=on): its output in interop-nic-2w
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/test/interop
workers=${INTEROP_NIC_WORKERS:-1}
dir=$build/interop-nic$([ "$workers" -gt 1 ] && echo "-${workers}w")
cache=$build/interop-nic/cache # one image for every variant
lnsd="$build/dataplane/lnsd"
lnsctl_bin="$build/control/lnsctl"
lacsim="$build/test/lacsim/lacsim"
console=$dir/console.log
results=$dir/results.txt # the guest's RESULT lines
e2e=interop-nic
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"
read -r -a models <<<"${INTEROP_NIC_MODELS:-virtio e1000e e1000e}" # access core1 core2
bind=${INTEROP_NIC_BIND:-vfio}
smp=${INTEROP_NIC_SMP:-2}
ns_lac=nic-lac
ns_core=nic-core
names=(access core1 core2)
taps=(nic-acc nic-core1 nic-core2)
pci=(0000:00:03.0 0000:00:04.0 0000:00:05.0)
macs=(52:54:00:4e:03:01 52:54:00:4e:04:01 52:54:00:4e:05:01)
held_n=6          # sessions held across the link changes
recover_limit_s=5 # the held sessions answer again this soon after core1 goes down
recover_wait_s=45 # how long the recovery is watched (lnsd's ARP alone takes ~30 s)
boot_budget_s=240 # boot, binding and lnsd's start, under TCG
qemu_pid="" reader_pid="" held_pid="" caps=() net_made=0

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1 || [ ! -c /dev/net/tun ]; then
	echo "$e2e: needs root, network namespaces and /dev/net/tun: skipped"
	exit 77
fi
for tool in qemu-system-x86_64 dumpcap apt-get dpkg-deb python3; do
	command -v "$tool" >/dev/null ||
		{ echo "$e2e: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done
[ "${#models[@]}" -eq 3 ] || { echo "$e2e: INTEROP_NIC_MODELS: three models, access core1 core2"; exit 2; }
for m in "${models[@]}"; do
	case "$m" in virtio | e1000e) ;; *) echo "$e2e: NIC model $m: virtio or e1000e"; exit 2 ;; esac
done
case "$bind" in vfio | uio) ;; *) echo "$e2e: INTEROP_NIC_BIND: vfio or uio"; exit 2 ;; esac

stop_captures() {
	local p
	# TERM: a background job ignores INT, and timeout passes TERM to dumpcap
	for p in "${caps[@]}"; do stop_pid "$p" TERM; done
	caps=()
}
cleanup() {
	stop_pid "$held_pid" TERM
	stop_captures
	stop_pid "$qemu_pid" TERM
	stop_pid "$reader_pid" TERM
	[ "$net_made" = 1 ] || return 0
	net_down
}
trap cleanup EXIT

# Not for what runs in the background: $! would be the function's
# subshell, and stopping it would leave the command running.
in_lac() { ip netns exec "$ns_lac" "$@"; }
in_core() { ip netns exec "$ns_core" "$@"; }

# --- the namespaces and taps -----------------------------------------------

ns_exists() { ip netns list | awk '{ print $1 }' | grep -qx "$1"; }
ns_busy() { ns_exists "$1" && [ -n "$(ip netns pids "$1" 2>/dev/null)" ]; }

# Our names are our own, but a run by hand may be going on: two minutes
# at most for it; a namespace left by a killed run is removed.
net_free() {
	for _ in $(seq 1 60); do
		ns_busy "$ns_lac" || ns_busy "$ns_core" || return 0
		sleep 2
	done
	return 1
}

net_down() {
	local t
	for t in "${taps[@]}"; do
		ip -n "$ns_lac" link del "$t" 2>/dev/null
		ip -n "$ns_core" link del "$t" 2>/dev/null
	done
	ip netns del "$ns_lac" 2>/dev/null
	ip netns del "$ns_core" 2>/dev/null
	true
}

# Every tap starts in the LAC namespace, where QEMU opens them; the core
# taps move to the core namespace once QEMU holds them (move_core_taps).
# One QEMU cannot open taps by name in two namespaces, and a tap keeps
# its queues when it moves.
net_up() {
	local ns i
	net_down
	net_made=1
	for ns in "$ns_lac" "$ns_core"; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sh -c 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1; ip link set lo up' || return 1
	done
	for i in 0 1 2; do
		# a virtio NIC has a queue pair per lnsd lcore (a multi-queue tap);
		# e1000e's emulation takes one queue of the tap
		if [ "${models[$i]}" = virtio ]; then
			ip -n "$ns_lac" tuntap add dev "${taps[$i]}" mode tap multi_queue || return 1
		else
			ip -n "$ns_lac" tuntap add dev "${taps[$i]}" mode tap || return 1
		fi
	done
	ip -n "$ns_lac" addr add 192.0.2.2/24 dev nic-acc &&
		ip -n "$ns_lac" link set nic-acc up
}

# The core router: a /25 on each link, the subscribers' pool by both
# (multipath), and answers allowed to come in by either link.
move_core_taps() {
	local t k
	for t in nic-core1 nic-core2; do
		ip -n "$ns_lac" link set "$t" netns "$ns_core" || return 1
	done
	ip -n "$ns_core" addr add 198.51.100.2/25 dev nic-core1 &&
		ip -n "$ns_core" addr add 198.51.100.130/25 dev nic-core2 &&
		ip -n "$ns_core" link set nic-core1 up && ip -n "$ns_core" link set nic-core2 up || return 1
	for k in all default nic-core1 nic-core2; do in_core sysctl -qw "net.ipv4.conf.$k.rp_filter=0"; done
	core_route
}
core_route() {
	ip -n "$ns_core" route replace 203.0.113.0/24 nexthop via 198.51.100.1 dev nic-core1 \
		nexthop via 198.51.100.129 dev nic-core2
}

# --- the guest ---------------------------------------------------------------

# The seed's LNS on the guest's three PCI NICs: its access port, and two
# core ports for its one. Hugepages are left to lnsd's default for PCI
# ports (true); one vCPU takes both lcores.
make_config() {
	local lcores=""
	[ "$smp" = 1 ] && lcores="0@0,1@0"
	[ "$workers" = 2 ] && { [ "$smp" = 1 ] && lcores="0@0,1@0,2@0" || lcores="0@0,1@1,2@1"; }
	python3 - "$top/config/seed.yaml" "$dir/lnsd.yaml" "$lcores" "$workers" "${pci[@]}" <<-'EOF'
		import sys
		seed, out, lcores, workers, acc, c1, c2 = sys.argv[1:]
		s = open(seed).read()
		dpdk = (f"  workers: {workers}\n" + (f'  lcores: "{lcores}"\n' if lcores else "")
		        + "  memory_mb: 256\n")
		core = (f'  - name: core1\n    device: "{c1}"\n    role: core\n'
		        "    address: 198.51.100.1/25\n    gateway: 198.51.100.2\n"
		        f'  - name: core2\n    device: "{c2}"\n    role: core\n'
		        "    address: 198.51.100.129/25\n    gateway: 198.51.100.130\n")
		for old, new in (("  workers: 1\n  memory_mb: 512\n", dpdk),
		                 ("    device: net_af_packet0,iface=lab-lns-acc,qpairs=2\n",
		                  f'    device: "{acc}"\n'),
		                 ("  - name: core\n    device: net_af_packet1,iface=lab-lns-core,qpairs=2\n"
		                  "    role: core\n    address: 198.51.100.1/24\n    gateway: 198.51.100.2\n",
		                  core)):
		    if old not in s:
		        sys.exit(f"interop-nic: the seed's configuration changed: no {old.strip()!r}")
		    s = s.replace(old, new, 1)
		open(out, "w").write(s)
	EOF
}

# The cached image, then a second archive with /init, /nic.env, lnsd,
# lnsctl and lnsd's configuration: the kernel unpacks both.
make_initrd() {
	local r=$dir/initrd-extra nics="" i
	for i in 0 1 2; do nics="$nics ${names[$i]}=${pci[$i]}"; done
	rm -rf "$r"
	mkdir -p "$r/nic"
	install -m 755 "$here/nic-init" "$r/init"
	install -m 755 "$lnsd" "$lnsctl_bin" "$r/nic/"
	cp "$dir/lnsd.yaml" "$r/nic/lnsd.yaml"
	cat >"$r/nic.env" <<-EOF
		NICS="${nics# }"
		BIND=$bind
		HUGEPAGES=192
		LNSD_UP_S=150
		RUN_S=300
	EOF
	python3 "$here/newc.py" "$r" "$dir/extra.cpio.gz" &&
		cat "$cache/initramfs.cpio.gz" "$dir/extra.cpio.gz" >"$dir/initrd.img" &&
		rm -rf "$r"
}

nic_args() { # index: QEMU's -netdev and -device for that NIC
	local i=$1 dev
	if [ "${models[$i]}" = virtio ]; then
		# a queue pair per worker and the control lcore's; RSS (QEMU's, in
		# software here) when the workers are several
		local q=$((workers + 1))
		dev="virtio-net-pci,mq=on,vectors=$((2 * q + 2))"
		[ "$workers" -gt 1 ] && dev="$dev,rss=on"
		# behind the IOMMU a virtio device must use it (it does not by default)
		[ "$bind" = vfio ] && dev="$dev,disable-legacy=on,iommu_platform=on"
		echo "-netdev tap,id=${names[$i]},ifname=${taps[$i]},script=no,downscript=no,vhost=off,queues=$q"
	else
		dev=e1000e
		echo "-netdev tap,id=${names[$i]},ifname=${taps[$i]},script=no,downscript=no,vhost=off"
	fi
	echo "-device $dev,netdev=${names[$i]},mac=${macs[$i]},addr=${pci[$i]:8:2}.0"
}

# q35 for PCIe; for vfio an emulated VT-d IOMMU (Debian's kernel has no
# no-IOMMU vfio), which the guest's kernel turns on; uio_pci_generic
# gives the NICs physical addresses, so no IOMMU then.
start_qemu() {
	local machine=(-machine q35) append="console=ttyS0 quiet loglevel=3 panic=-1 random.trust_cpu=on"
	if [ "$bind" = vfio ]; then
		machine+=(-device "intel-iommu,intremap=on,eim=off,aw-bits=48")
		append="$append intel_iommu=on"
	fi
	rm -f "$dir/ctl.in" "$dir/ctl.out" "$dir/monitor.sock"
	mkfifo "$dir/ctl.in" "$dir/ctl.out"
	: >"$console"
	: >"$dir/ctl.log"
	rm -f "$dir/ctl.seq"
	# shellcheck disable=SC2046 # nic_args gives words
	ip netns exec "$ns_lac" qemu-system-x86_64 -accel tcg -cpu max -smp "$smp" -m 1280 "${machine[@]}" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$cache/vmlinuz" -initrd "$dir/initrd.img" -append "$append" \
		-serial "file:$console" -serial "pipe:$dir/ctl" \
		-monitor "unix:$dir/monitor.sock,server=on,wait=off" \
		$(nic_args 0) $(nic_args 1) $(nic_args 2) \
		</dev/null >"$dir/qemu.log" 2>&1 &
	qemu_pid=$!
	# the guest's answers on ttyS1, kept as they come
	cat "$dir/ctl.out" >"$dir/ctl.log" &
	reader_pid=$!
}

# One HMP command on QEMU's monitor; its answer on stdout.
monitor() {
	python3 - "$dir/monitor.sock" "$*" <<-'EOF'
		import socket, sys
		s = socket.socket(socket.AF_UNIX)
		s.settimeout(5)
		s.connect(sys.argv[1])
		def until_prompt():
		    got = b""
		    while not got.endswith(b"(qemu) "):
		        chunk = s.recv(4096)
		        if not chunk:
		            break
		        got += chunk
		    return got.decode(errors="replace")
		until_prompt()  # the banner
		s.sendall(sys.argv[2].encode() + b"\n")
		# the first line is the monitor's echo of the command, the last its prompt
		lines = until_prompt().replace("\r", "").split("\n")[1:-1]
		print("\n".join(lines) if any(lines) else "ok")
	EOF
}

# QEMU listens on its monitor once its devices, taps included, are made.
qemu_ready() {
	for _ in $(seq 1 50); do
		monitor info network 2>/dev/null | grep -q "core2:" && return 0
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 0.2
	done
	tail -3 "$dir/qemu.log"
	return 1
}

wait_console() { # seconds, extended regex
	local n=$(($1 * 5))
	while [ "$n" -gt 0 ]; do
		grep -aqE "$2" "$console" && return 0
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

# A request to the guest's init (nic-init): its answer on stdout, its
# status as ours; 124 when no answer came in 20 s. The requests are
# numbered in a file, as most are made from subshells.
guest() { # verb args...
	local id rc
	id=r$(($(cat "$dir/ctl.seq" 2>/dev/null || echo 0) + 1))
	echo "${id#r}" >"$dir/ctl.seq"
	timeout 5 sh -c "printf '%s\n' '$id $*' >'$dir/ctl.in'" || return 125
	for _ in $(seq 1 100); do
		if grep -aq "^$id rc=" "$dir/ctl.log"; then
			sed -n "s/^$id| //p" "$dir/ctl.log" | tr -d '\r'
			rc=$(sed -n "s/^$id rc=\([0-9]*\).*/\1/p" "$dir/ctl.log")
			return "${rc:-1}"
		fi
		sleep 0.2
	done
	return 124
}
lnsctl() { guest lnsctl "$@"; }

# --- traffic -------------------------------------------------------------

lac_args=(--server 192.0.2.1 --local 192.0.2.2 --target 198.51.100.2 --user 2500-1 --password cisco)
lac() { # lacsim's options
	timeout 150 ip netns exec "$ns_lac" "$lacsim" "${lac_args[@]}" "$@"
}

# dumpcap rather than tshark: it starts in a second where tshark, loading
# its dissectors beside a busy QEMU, takes several.
capture() { # core tap: the ICMP on it, as pcap
	ip netns exec "$ns_core" timeout 300 dumpcap -q -P -i "$1" -f icmp -w "$dir/$1.pcap" >/dev/null 2>"$dir/$1.dumpcap" &
	caps+=($!)
	for _ in $(seq 1 50); do
		grep -q "Capturing on" "$dir/$1.dumpcap" && return 0
		sleep 0.2
	done
	return 1
}
start_captures() { capture nic-core1 && capture nic-core2; }

subscribers() { # the held calls' addresses, as lnsd lists them
	lnsctl show sessions | awk '$1 ~ /^[0-9]+\/[0-9]+$/ && $3 ~ /^203\.0\.113\./ { print $3 }'
}

# Pings every held subscriber once, all at once; how many answered.
answering() {
	local a pids=() n=0 p
	for a in $subs; do
		ip netns exec "$ns_core" ping -n -q -c 1 -W 1 "$a" >/dev/null 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" && n=$((n + 1)); done
	echo "$n"
}

all_answer() {
	local n
	n=$(answering)
	echo "  $n of $held_n held subscribers answer the core"
	[ "$n" -eq "$held_n" ]
}

start_held() {
	timeout 150 ip netns exec "$ns_lac" "$lacsim" "${lac_args[@]}" --sessions "$held_n" --pings 1 \
		--hold 140 >"$dir/held.txt" 2>&1 &
	held_pid=$!
	for _ in $(seq 1 300); do
		grep -q "holding" "$dir/held.txt" && break
		sleep 0.2
	done
	subs=$(subscribers)
	echo "  held: $(echo "$subs" | grep -c .) subscribers: $(echo "$subs" | tr '\n' ' ')"
	[ "$(echo "$subs" | grep -c .)" -eq "$held_n" ]
}

# Echo replies from the subscribers' pool in a pcap file (Ethernet).
replies_in() {
	python3 - "$1" <<-'EOF'
		import struct, sys
		data = open(sys.argv[1], "rb").read()
		at, n = 24, 0
		while at + 16 <= len(data):
		    size = struct.unpack_from("<I", data, at + 8)[0]
		    frame = data[at + 16:at + 16 + size]
		    at += 16 + size
		    if len(frame) < 35 or frame[12:14] != b"\x08\x00" or frame[23] != 1:
		        continue
		    ihl = (frame[14] & 15) * 4
		    if frame[26:29] == bytes([203, 0, 113]) and frame[14 + ihl] == 0:
		        n += 1
		print(n)
	EOF
}

# Both core links carried the held subscribers' answers to the core's
# pings: core1 had sessions to lose.
both_links_carry() {
	local a b
	# the capture's last block reaches dumpcap a moment after its
	# packets: stopped at once, it would lose the last pings
	sleep 2
	stop_captures
	a=$(replies_in "$dir/nic-core1.pcap")
	b=$(replies_in "$dir/nic-core2.pcap")
	echo "  echo replies from subscribers: $a on core1, $b on core2"
	[ "$a" -gt 0 ] && [ "$b" -gt 0 ]
}

# --- the link change ---------------------------------------------------------

# core1's cable is cut: QEMU takes the guest NIC's link down, and the core
# router's end goes down with it (so the core routes by core2 only).
# Then every held subscriber must answer a core ping again soon: lnsd
# must have moved core1's sessions to core2. Prints the time it took.
link_down_recovers() {
	local t0 n ms=""
	echo "  monitor: $(monitor set_link core1 off | tr -s '\n' ' ')"
	t0=$(ms_now)
	ip -n "$ns_core" link set nic-core1 down
	while [ $(($(ms_now) - t0)) -lt $((recover_wait_s * 1000)) ]; do
		n=$(answering)
		[ "$n" -eq "$held_n" ] && ms=$(($(ms_now) - t0)) && break
	done
	if [ -z "$ms" ]; then
		echo "  the held subscribers did not all answer again within $recover_wait_s s"
		return 1
	fi
	recovered=$((ms / 1000)).$((ms % 1000 / 100))
	echo "  all $held_n held subscribers answered again after $recovered s (limit $recover_limit_s s)"
	[ "$ms" -lt $((recover_limit_s * 1000)) ]
}
ms_now() { echo $(($(date +%s%N) / 1000000)); }

link_up() {
	echo "  monitor: $(monitor set_link core1 on | tr -s '\n' ' ')"
	ip -n "$ns_core" link set nic-core1 up
	core_route
}

# lnsd's log has LINE (a fixed string), within SECONDS.
logs_within() { # seconds, line
	local n=$(($1 * 2))
	while [ "$n" -gt 0 ]; do
		guest log "$2" | tail -1 | sed 's/^/  lnsd: /' | grep . && return 0
		sleep 0.5
		n=$((n - 1))
	done
	echo "  lnsd never logged '$2'"
	return 1
}

port_stat() { # port, key: its value in show stats' port_PORT section
	lnsctl show stats | awk -v s="port_$1" -v k="$2" '
		$0 ~ "^" s ":?$" { in_s = 1; next }
		in_s && /^[^ ]/ { in_s = 0 }
		in_s && $1 == k { print $2; exit }'
}

# Asked again for up to 10 s: an emulated e1000e's link may go down once more
# while it comes up (its autonegotiation), and lnsd counts every change.
port_link_is() { # port, up|down, fewest link changes counted
	local link changes
	for _ in $(seq 1 20); do
		link=$(port_stat "$1" link)
		changes=$(port_stat "$1" link_changes)
		[ "$link" = "$2" ] && [ -n "$changes" ] && [ "$changes" -ge "$3" ] && break
		sleep 0.5
	done
	echo "  show stats: port_$1 link ${link:-?} link_changes ${changes:-?}"
	[ "$link" = "$2" ] && [ -n "$changes" ] && [ "$changes" -ge "$3" ]
}

xstat() { # port, counter name: its value
	lnsctl show stats --port "$1" | awk -v k="$2" '$1 == k || $1 == k ":" { print $2; exit }'
}

# The access port took in every L2TP packet lacsim sent (its echoes
# among them); both core ports sent the subscribers' packets out.
xstats_agree() {
	local rx t1 t2 sent
	rx=$(xstat access rx_good_packets)
	t1=$(xstat core1 tx_good_packets)
	t2=$(xstat core2 tx_good_packets)
	sent=$(sed -n 's/.*echo \([0-9]*\) sent.*/\1/p' "$dir/round.txt" | head -1)
	echo "  access rx_good_packets ${rx:-?} (lacsim's echoes: ${sent:-?}); tx_good_packets core1 ${t1:-?}, core2 ${t2:-?}"
	lnsctl show stats --port access >"$dir/xstats-access.txt"
	[ -n "$rx" ] && [ -n "$sent" ] && [ "$rx" -gt "$sent" ] && [ "${t1:-0}" -gt 0 ] && [ "${t2:-0}" -gt 0 ]
}

# lnsd ends the held tunnel itself (clear tunnel: CDNs, StopCCN), then
# lacsim, which would hold on for its --hold, is stopped.
end_held() {
	local t
	for t in $(lnsctl show tunnels | awk '$1 ~ /^[0-9]+$/ { print $1 }'); do
		lnsctl clear tunnel "$t" >/dev/null
	done
	for _ in $(seq 1 50); do
		[ -z "$(lnsctl show tunnels | awk '$1 ~ /^[0-9]+$/')" ] && break
		sleep 0.2
	done
	stop_pid "$held_pid" TERM
	held_pid=""
	[ -z "$(lnsctl show tunnels | awk '$1 ~ /^[0-9]+$/')" ]
}

hugepages_taken() {
	local b a
	b=$(sed -n 's/^lnsd up=yes.*hugepages_free_before=\([0-9]*\).*/\1/p' "$results")
	a=$(sed -n 's/^lnsd up=yes.*hugepages_free_after=\([0-9]*\).*/\1/p' "$results")
	echo "  free 2 MB pages: ${b:-?} before lnsd, ${a:-?} after"
	[ -n "$b" ] && [ -n "$a" ] && [ "$a" -lt "$b" ]
}

guest_saw() { # the guest's RESULT line for a subject has every key=value given
	local subject=$1 kv
	shift
	for kv in "$@"; do
		grep -aq "^$subject .*\<$kv\( \|$\)" "$results" || { echo "  no '$kv' for $subject"; return 1; }
	done
}

stop_guest() {
	guest stop >/dev/null
	wait_console 60 '^RESULT end'
	for _ in $(seq 1 50); do
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 0.2
	done
	stop_pid "$qemu_pid" TERM
	qemu_pid=""
	tr -d '\r' <"$console" | grep -a '^RESULT ' | sed 's/^RESULT //' >"$results"
	tr -d '\r' <"$console" | sed -n 's/^LOG lnsd: //p' >"$dir/lnsd.log"
}

# --- the run ---------------------------------------------------------------

setup_step() { # name, then the command
	local before=$failed
	check "$@"
	[ "$failed" -eq "$before" ] || {
		[ -n "$qemu_pid" ] && { guest stop >/dev/null; wait_console 20 '^RESULT end'; }
		tr -d '\r' <"$console" 2>/dev/null | grep -aE '^(RESULT|GUEST|LOG)' | tail -30 | sed 's/^/  guest: /'
		summary
		exit 1
	}
}

mkdir -p "$dir" "$cache"
(cd "$dir" && rm -f results.txt console.log ctl.log lnsd.log lnsd.yaml qemu.log round.txt held.txt \
	./*.pcap ./*.dumpcap xstats-*.txt)
t_start=$SECONDS
setup_step "the NIC guest image (Debian's kernel, DPDK 22.11's runtime and PMDs, lnsd's libraries): built or cached" \
	"$here/image.sh" --nic --debs-from "$build/interop/cache/debs" "$cache" "$lnsd" "$lnsctl_bin"
t_image=$((SECONDS - t_start))
net_free || { echo "$e2e: $ns_lac or $ns_core is in use (another run?): not started"; exit 1; }
setup_step "namespaces $ns_lac and $ns_core, taps ${taps[*]}" net_up
setup_step "lnsd's configuration: the seed's, on PCI ${pci[*]}" make_config
setup_step "the guest's initrd: the cached image, then /init, lnsd, lnsctl and the configuration" make_initrd
t_boot=$SECONDS
start_qemu
setup_step "QEMU starts (TCG, $smp vCPU, NICs ${models[*]}, $bind) and answers on its monitor" qemu_ready
setup_step "the core taps move to $ns_core, which routes the pool by both" move_core_taps
wait_console "$boot_budget_s" '^GUEST lnsd up|^RESULT end'
tr -d '\r' <"$console" | grep -a '^RESULT ' | sed 's/^RESULT //' >"$results"
sed 's/^/  guest: /' "$results"
setup_step "the guest binds its three NICs to $bind" guest_saw bind method="$bind"
setup_step "lnsd comes up on the PCI ports: 1 access and 2 core interfaces" \
	guest_saw lnsd up=yes
t_up=$((SECONDS - t_boot))
check "lnsd took its memory from the hugepages the guest reserved (none asked in its file)" \
	hugepages_taken
check "lnsd says 1 access and 2 core interface(s)" \
	bash -c "grep -aq 'l2tp-gw up: 1 access and 2 core interface(s)' '$results'"
for p in access core1 core2; do
	check "show stats: port $p's link is up" port_link_is "$p" up 0
done
# Several workers: each virtio port RSS-hashes over one RX queue per worker.
rss_is() { # port
	local q f
	q=$(port_stat "$1" rss_queues)
	f=$(lnsctl show stats | awk -v s="port_$1" '$0 ~ "^" s ":?$" { in_s = 1; next }
		in_s && /^[^ ]/ { in_s = 0 } in_s && $1 == "features" { $1 = ""; print; exit }')
	echo "  show stats: port_$1 rss_queues ${q:-?} features${f:- ?}"
	[ "$q" = "$workers" ] && [[ " $f " == *" rss "* ]]
}
if [ "$workers" -gt 1 ]; then
	for i in 0 1 2; do
		[ "${models[$i]}" = virtio ] &&
			check "show stats: port ${names[$i]} spreads by RSS over $workers RX queues" \
				rss_is "${names[$i]}"
	done
fi
setup_step "dumpcap captures ICMP on both core links" start_captures

t_traffic=$SECONDS
lac --tunnels 2 --sessions 4 --pings 3 >"$dir/round.txt" 2>&1
rc=$?
grep -E '^lacsim: .*sessions up' "$dir/round.txt" | sed 's/^/  /'
check "lacsim: 8 subscribers over 2 tunnels come up and their echoes to the core come back" \
	test "$rc" -eq 0
check "lacsim holds $held_n subscribers; lnsd lists their addresses" start_held
check "the core pings each held subscriber" all_answer
check "the held subscribers' answers leave lnsd by both core links" both_links_carry

# (an e1000e's link comes up a moment after it starts: changes before
# ours may be counted)
changes=$(port_stat core1 link_changes)
changes=${changes:-0}
check "core1 goes down: the held subscribers answer the core again within $recover_limit_s s" \
	link_down_recovers
check "lnsd logs core1's link going down" logs_within 5 "port core1: link down"
check "show stats: port core1's link is down, the change counted" \
	port_link_is core1 down $((changes + 1))
check "the held subscribers still answer, by core2 alone" all_answer
link_up
check "core1 comes back: lnsd logs it" logs_within 10 "port core1: link up"
check "show stats: port core1's link is up again, both changes counted" \
	port_link_is core1 up $((changes + 2))
check "the held subscribers answer with core1 back" all_answer
check "the ports' extended stats (show stats --port) agree with the traffic" xstats_agree
check "lnsd clears the held tunnel (clear tunnel)" end_held
t_traffic=$((SECONDS - t_traffic))

check "lnsd ran throughout" guest alive
stop_guest
check "SIGTERM: lnsd exits 0" guest_saw lnsd stopped=yes exit=0
check "no AddressSanitizer or UndefinedBehaviorSanitizer report from lnsd" \
	bash -c "! grep -aE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' '$dir/lnsd.log'"
echo "$e2e: timings: image ${t_image} s; boot to lnsd up ${t_up} s (TCG, $smp vCPU);" \
	"traffic and link changes ${t_traffic} s; all $((SECONDS - t_start)) s"
summary
