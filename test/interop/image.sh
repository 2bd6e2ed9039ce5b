#!/usr/bin/env bash
# The interop guest's base image, from Debian packages only: Debian's
# kernel, and an initramfs with busybox-static, xl2tpd, pppd (package ppp),
# iproute2, their shared libraries and the PPP/L2TP/virtio modules. The
# packages are fetched with `apt-get download` and unpacked with
# `dpkg-deb`, never installed. The image is cached in CACHE and rebuilt
# only when its manifest (every package's file name, so its version, and
# this script's own checksum) changes. The guest's /init is not in it: the
# test appends it with the scenario (test/interop/run.sh).
#
#   test/interop/image.sh CACHE      -> CACHE/vmlinuz, CACHE/initramfs.cpio.gz
set -euo pipefail
cache=$(mkdir -p "${1:?cache directory}" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
debs=$cache/debs
stage=$cache/stage # the packages unpacked, removed once the image is made
root=$cache/root   # the initramfs tree, removed likewise
# virtio for the NIC; PPP over L2TP for xl2tpd's kernel mode; l2tp_netlink
# so that `ip l2tp show tunnel` tells when the kernel's tunnel is gone
modules=(virtio_pci virtio_net ppp_generic l2tp_ppp l2tp_netlink)
log() { echo "interop-image: $*" >&2; }

# The kernel package linux-image-amd64 points at, today.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# The packages, then their library packages found recursively (only
# libraries: the rest of their dependencies, perl, debconf, init scripts,
# are not needed to run three binaries).
packages() {
	local k
	k=$(kernel_package)
	[ -n "$k" ] || { log "cannot resolve linux-image-amd64 (apt lists missing?)"; return 1; }
	echo "$k" busybox-static xl2tpd ppp iproute2
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances xl2tpd ppp iproute2 2>/dev/null |
		grep -E '^(lib[^ ]*|zlib1g)$' | grep -vE 'perl|^libdebian-installer|^libnewt|^libslang|^libpam-' |
		sort -u
}

# The .deb file names apt would fetch, one a line, sorted: the manifest's
# body. Fails when apt cannot find one of them.
deb_names() {
	# shellcheck disable=SC2046
	apt-get download --print-uris $(packages) 2>/dev/null | awk '{ print $2 }' | sort
}

manifest() {
	local names
	names=$(deb_names) && [ -n "$names" ] || return 1
	echo "builder $(cat "$0" "$here/modules.py" "$here/newc.py" | sha256sum | cut -c1-16)"
	echo "$names"
}

fetch() { # the manifest's .deb names
	local missing=()
	for f in "$@"; do
		[ -f "$debs/$f" ] || missing+=("${f%%_*}=$(echo "$f" | cut -d_ -f2 | sed 's/%3a/:/')")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "downloading ${#missing[@]} packages"
	(cd "$debs" && apt-get download -q "${missing[@]}" >/dev/null 2>&1)
}

# Unpacks every package but the kernel whole; of the kernel only its image
# and the module folders the guest can need (the rest is ~400 MB).
unpack() {
	local d
	rm -rf "$stage"
	mkdir -p "$stage"
	for d in "$debs"/*.deb; do
		case "$(basename "$d")" in
		linux-image-*)
			dpkg-deb --fsys-tarfile "$d" | tar -x -C "$stage" --wildcards \
				'./boot/vmlinuz-*' './lib/modules/*/modules.builtin' \
				'./lib/modules/*/kernel/drivers/net/*' './lib/modules/*/kernel/drivers/virtio/*' \
				'./lib/modules/*/kernel/net/*' './lib/modules/*/kernel/lib/*'
			;;
		*) dpkg-deb -x "$d" "$stage" ;;
		esac
	done
}

# Debian 12's packages still put files under both /lib and /usr/lib (and
# bin, sbin): merged as the installed system is, so each file has one place.
usr_merge() {
	local d
	for d in lib lib64 bin sbin; do
		if [ -d "$stage/$d" ] && [ ! -L "$stage/$d" ]; then
			mkdir -p "$stage/usr/$d"
			cp -a "$stage/$d/." "$stage/usr/$d/"
			rm -rf "${stage:?}/$d"
		fi
	done
}

skeleton() {
	local d
	rm -rf "$root"
	mkdir -p "$root"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64,lib/modules} "$root"/etc/{ppp,xl2tpd} \
		"$root"/{dev,proc,sys,run,tmp,var,root}
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
	ln -s ../run "$root/var/run"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	echo 'hosts: files' >"$root/etc/nsswitch.conf"
	echo '127.0.0.1 localhost' >"$root/etc/hosts"
	: >"$root/etc/ppp/options"
}

# busybox and its applets (ip excepted: iproute2's has `ip l2tp`); the three
# daemons' binaries; pppd's plugins (xl2tpd asks for pppol2tp.so).
binaries() {
	local a
	cp "$stage/usr/bin/busybox" "$root/usr/bin/"
	for a in $("$stage/usr/bin/busybox" --list); do
		case "$a" in busybox | ip) ;; *) ln -sf busybox "$root/usr/bin/$a" ;; esac
	done
	cp "$stage/usr/sbin/xl2tpd" "$stage/usr/sbin/xl2tpd-control" "$stage/usr/sbin/pppd" "$root/usr/sbin/"
	for a in "$stage"/usr/{bin,sbin}/ip; do [ -f "$a" ] && cp "$a" "$root/usr/sbin/ip"; done
	cp -a "$stage/usr/lib/pppd" "$root/usr/lib/"
}

# Every shared library the binaries and plugins need, resolved by the
# packages' own dynamic loader against the packages' libraries only (never
# the host's), so that what the guest gets is what Debian ships together.
libraries() {
	local lp=$stage/usr/lib/x86_64-linux-gnu ldso f name path bad=0
	ldso=$lp/ld-linux-x86-64.so.2
	cp -L "$ldso" "$root/usr/lib/x86_64-linux-gnu/"
	ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"
	for f in "$root"/usr/sbin/* "$root"/usr/lib/pppd/*/*.so; do
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		while read -r name _ path _; do
			case "$path" in
			/*) [[ $name == /* ]] || cp -Ln "$path" "$root/usr/lib/x86_64-linux-gnu/$name" ;;
			*) log "$f: $name not found in the packages"; bad=1 ;;
			esac
		done < <("$ldso" --library-path "$lp" --list "$f" 2>/dev/null | grep ' => ' || true)
	done
	return "$bad"
}

# The modules in load order, as /etc/modules.order for the guest's init.
kernel_modules() {
	local top ko
	top=$(ls -d "$stage"/usr/lib/modules/*/)
	: >"$root/etc/modules.order"
	for ko in $(python3 "$here/modules.py" "$top" "${modules[@]}"); do
		cp "$ko" "$root/usr/lib/modules/"
		basename "$ko" >>"$root/etc/modules.order"
	done
	cp "$stage"/boot/vmlinuz-* "$cache/vmlinuz.new"
}

build() {
	log "building the guest image in $cache"
	unpack
	usr_merge
	skeleton
	binaries
	libraries
	kernel_modules
	python3 "$here/newc.py" "$root" "$cache/initramfs.cpio.gz.new"
	mv "$cache/vmlinuz.new" "$cache/vmlinuz"
	mv "$cache/initramfs.cpio.gz.new" "$cache/initramfs.cpio.gz"
	rm -rf "$stage" "$root"
}

main() {
	local want names
	mkdir -p "$debs"
	if ! want=$(manifest) && ! { apt-get update -qq && want=$(manifest); }; then
		# offline: an image that was whole is still the packages it names
		[ -f "$cache/manifest.txt" ] || { log "apt cannot name the packages"; return 1; }
		log "apt cannot name the packages: the cached image as it is"
		return 0
	fi
	if [ -f "$cache/manifest.txt" ] && [ "$want" = "$(cat "$cache/manifest.txt")" ]; then
		log "cached image is current ($(echo "$want" | wc -l) lines of manifest)"
		return 0
	fi
	mapfile -t names < <(echo "$want" | tail -n +2)
	fetch "${names[@]}" || { apt-get update -qq && fetch "${names[@]}"; } ||
		{ log "apt-get download failed"; return 1; }
	# packages of older manifests go, so that the cache does not grow
	(cd "$debs" && for f in *.deb; do printf '%s\n' "${names[@]}" | grep -qxF "$f" || rm -f "$f"; done)
	rm -f "$cache/manifest.txt"
	build
	echo "$want" >"$cache/manifest.txt"
	log "image ready: $(printf '%s\n' "${names[@]}" | grep '^linux-image'), $(du -h "$cache/initramfs.cpio.gz" | cut -f1) initramfs"
}

main
