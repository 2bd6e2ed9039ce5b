#!/usr/bin/env bash
# Installs what lnsd needs to build and test, from Debian 12 packages.
# Idempotent: asks apt only for what is missing. Run as root (or with sudo).
set -euo pipefail

packages=(
	# build
	meson ninja-build pkg-config gcc g++
	# product dependencies
	libdpdk-dev dpdk libyaml-dev libradcli-dev nettle-dev
	# tests: unit tests, fuzzers (libFuzzer ships with clang's runtime), captures
	libgtest-dev clang libclang-rt-14-dev tshark
	# end-to-end topologies
	iproute2 iputils-ping
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
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
