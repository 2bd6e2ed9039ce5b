#!/usr/bin/env bash
# Installs what lnsd needs to build and test, from Debian 12 packages.
# Idempotent: asks apt only for what is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
	# build
	meson ninja-build pkg-config gcc g++
	# product dependencies
	libdpdk-dev dpdk libyaml-dev nettle-dev
	# operators' tools: dpdk-telemetry.py, dpdk-dumpcap
	dpdk-dev
	# tests: unit tests, fuzzers (libFuzzer ships with clang's runtime), captures
	libgtest-dev clang libclang-rt-14-dev tshark
	# end-to-end topologies
	iproute2 iputils-ping ethtool python3
	# the metrics checked by a Prometheus text parser
	python3-prometheus-client
	# a real LAC for the interoperability test (its daemon is never started here)
	xl2tpd
	# the interop suite's QEMU guest (its kernel, xl2tpd and pppd are fetched by
	# apt-get download into the build directory, never installed)
	qemu-system-x86
	# RADIUS server and radclient for the RADIUS tests (started by them, on loopback)
	freeradius freeradius-utils
	# man pages from the docs; the Debian package and its checks (suite "install")
	pandoc debhelper dpkg-dev lintian man-db systemd
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
# Peers such as xl2tpd are started by the tests that need them, in their
# namespaces, never as system services: keep the packages from starting them.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
	"${sudo_cmd[@]}" chmod +x "$policy"
	trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
