#!/usr/bin/env bash
# The interop guests' base images, from Debian packages only: Debian's
# kernel and an initramfs with busybox-static, the kernel modules the guest
# loads and the shared libraries of what it runs. Two kinds:
#   ppp  xl2tpd, pppd (package ppp), iproute2, the PPP/L2TP/virtio modules
#        (test/interop/run.sh);
#   nic  Debian's DPDK 22.11 runtime with the PCI bus and the virtio and
#        e1000 PMDs (its pmds-23.0 plugin directory), the libraries the
#        BINARY... given need (lnsd, lnsctl from the build tree: only their
#        libraries, the binaries come at run time), the virtio-net, e1000e,
#        vfio-pci and uio_pci_generic modules (test/interop/nic.sh).
# The packages are fetched with `apt-get download` and unpacked with
# `dpkg-deb`, never installed. The image is cached in CACHE and rebuilt
# only when its manifest (every package's file name, so its version, the
# libraries the binaries need, and this script's own checksum) changes.
# The guest's /init is not in it: the test appends it at run time.
#
#   test/interop/image.sh CACHE                  -> CACHE/vmlinuz, CACHE/initramfs.cpio.gz
#   test/interop/image.sh --nic [--debs-from DIR] CACHE BINARY...
#       --debs-from DIR: a .deb already in DIR (another kind's cache) is
#       linked from there instead of downloaded (the kernel is 70 MB)
set -euo pipefail
kind=ppp debs_from=""
while [ $# -gt 0 ]; do
	case "$1" in
	--nic) kind=nic ;;
	--debs-from) debs_from=$2; shift ;;
	*) break ;;
	esac
	shift
done
cache=$(mkdir -p "${1:?cache directory}" && cd "$1" && pwd)
shift
bins=()
for b in "$@"; do bins+=("$(readlink -f "$b")"); done
here=$(cd "$(dirname "$0")" && pwd)
debs=$cache/debs
stage=$cache/stage # the packages unpacked, removed once the image is made
root=$cache/root   # the initramfs tree, removed likewise
lib=usr/lib/x86_64-linux-gnu
pmds=$lib/dpdk/pmds-23.0 # where Debian's EAL loads its PMDs (plugins) from
if [ "$kind" = ppp ]; then
	# virtio for the NIC; PPP over L2TP for xl2tpd's kernel mode; l2tp_netlink
	# so that `ip l2tp show tunnel` tells when the kernel's tunnel is gone
	modules=(virtio_pci virtio_net ppp_generic l2tp_ppp l2tp_netlink)
else
	# the two NIC models, and the two ways to hand a PCI device to DPDK:
	# vfio-pci (with the machine's IOMMU) and uio_pci_generic
	modules=(virtio_pci virtio_net e1000e vfio vfio_iommu_type1 vfio_pci uio uio_pci_generic)
	[ ${#bins[@]} -gt 0 ] || { echo "interop-image: --nic needs the binaries (lnsd, lnsctl)" >&2; exit 2; }
fi
# the DPDK packages the guest needs beyond what the binaries link: the PCI
# bus (and vdev, which the virtio PMD links), the ring mempool that mbuf
# pools use, and the two PMDs
dpdk_packages="librte-bus-pci23 librte-bus-vdev23 librte-mempool-ring23 librte-net-virtio23 librte-net-e1000-23"
log() { echo "interop-image: $*" >&2; }

# The kernel package linux-image-amd64 points at, today.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# Library packages, found recursively from the packages given (only
# libraries: the rest of their dependencies, perl, debconf, init scripts,
# are not needed to run a few binaries). apt lists both sides of an "or":
# on the NIC guest libelogind0, the other side of libsystemd0, is left
# out, as its libsystemd.so.0 would replace systemd's (and hide the
# libraries that one needs from the resolution). The PPP guest keeps it
# as it always had it: with systemd's libsystemd, Debian's pppd there
# misses lnsd's CHAP Failure when lnsd's CDN follows at once (badpass
# fails with a release lnsd; test/interop/README.md).
library_packages() {
	local skip='perl|^libdebian-installer|^libnewt|^libslang|^libpam-'
	[ "$kind" = ppp ] || skip="$skip|^libelogind"
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "$@" 2>/dev/null |
		grep -E '^(lib[^ ]*|zlib1g)$' | grep -vE "$skip" | sort -u
}

# The shared libraries a binary of the build tree loads, by soname, and
# the packages of this host that hold them: the binary was linked against
# those, so the guest gets the same libraries from Debian's packages.
needed_sonames() { ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $1 }' | sort -u; }
owner_packages() {
	local p
	for p in $(ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do
		# merged /usr: dpkg knows a library by one of its two paths
		dpkg -S "$p" 2>/dev/null || dpkg -S "/usr$p" 2>/dev/null || dpkg -S "${p#/usr}" 2>/dev/null ||
			log "$p: no package of this host holds it"
	done | sed 's/:.*//' | sort -u
}

# The packages: the kernel linux-image-amd64 points at today, busybox,
# the kind's own, and their library packages.
packages() {
	local k owners
	k=$(kernel_package)
	[ -n "$k" ] || { log "cannot resolve linux-image-amd64 (apt lists missing?)"; return 1; }
	if [ "$kind" = ppp ]; then
		echo "$k" busybox-static xl2tpd ppp iproute2
		library_packages xl2tpd ppp iproute2
	else
		owners=$(owner_packages "${bins[@]}")
		# shellcheck disable=SC2086 # word lists
		{ echo "$k" busybox-static $dpdk_packages $owners; library_packages $dpdk_packages $owners; } |
			tr ' ' '\n' | sort -u
	fi
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
	echo "builder $(cat "$0" "$here/modules.py" "$here/newc.py" | sha256sum | cut -c1-16) $kind"
	# a binary that links one library more needs a new image even when
	# the library's package is there already
	[ "$kind" = ppp ] || echo "needs $(needed_sonames "${bins[@]}" | tr '\n' ' ')"
	echo "$names"
}

fetch() { # the manifest's .deb names
	local missing=()
	for f in "$@"; do
		[ -f "$debs/$f" ] || [ -z "$debs_from" ] || [ ! -f "$debs_from/$f" ] ||
			ln "$debs_from/$f" "$debs/$f" 2>/dev/null || cp "$debs_from/$f" "$debs/$f"
		[ -f "$debs/$f" ] || missing+=("${f%%_*}=$(echo "$f" | cut -d_ -f2 | sed 's/%3a/:/')")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "downloading ${#missing[@]} packages"
	(cd "$debs" && apt-get download -q "${missing[@]}" >/dev/null 2>&1)
}

# Unpacks every package but the kernel whole; of the kernel only its image
# and the module folders the guests can need (the rest is ~400 MB).
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
				'./lib/modules/*/kernel/net/*' './lib/modules/*/kernel/lib/*' \
				'./lib/modules/*/kernel/drivers/vfio/*' './lib/modules/*/kernel/drivers/uio/*' \
				'./lib/modules/*/kernel/virt/*'
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
	mkdir -p "$root"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64,lib/modules} "$root"/etc \
		"$root"/{dev,proc,sys,run,tmp,var,root}
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
	ln -s ../run "$root/var/run"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	echo 'hosts: files' >"$root/etc/nsswitch.conf"
	echo '127.0.0.1 localhost' >"$root/etc/hosts"
	if [ "$kind" = ppp ]; then
		mkdir -p "$root"/etc/{ppp,xl2tpd}
		: >"$root/etc/ppp/options"
	fi
}

# busybox and its applets (on the PPP guest ip excepted: iproute2's has
# `ip l2tp`), then the kind's own.
binaries() {
	local a
	cp "$stage/usr/bin/busybox" "$root/usr/bin/"
	for a in $("$stage/usr/bin/busybox" --list); do
		case "$a" in
		busybox) ;;
		ip) [ "$kind" = ppp ] || ln -sf busybox "$root/usr/bin/ip" ;;
		*) ln -sf busybox "$root/usr/bin/$a" ;;
		esac
	done
	"${kind}_binaries"
}

# The three daemons' binaries; pppd's plugins (xl2tpd asks for pppol2tp.so).
ppp_binaries() {
	local a
	cp "$stage/usr/sbin/xl2tpd" "$stage/usr/sbin/xl2tpd-control" "$stage/usr/sbin/pppd" "$root/usr/sbin/"
	for a in "$stage"/usr/{bin,sbin}/ip; do [ -f "$a" ] && cp "$a" "$root/usr/sbin/ip"; done
	cp -a "$stage/usr/lib/pppd" "$root/usr/lib/"
}

# DPDK's plugin directory as packaged, and every librte library with its
# links as packaged: a PMD's links in the library directory point into
# the plugin directory, so that a PMD a binary links and the one the EAL
# loads as a plugin are one file (two copies would be two drivers).
nic_binaries() {
	mkdir -p "$root/$pmds"
	cp -a "$stage/$pmds/." "$root/$pmds/"
	cp -a "$stage/$lib"/librte_*.so.23* "$root/$lib/"
}

# The ELF files whose libraries the guest needs: what the image holds,
# and on the NIC guest the binaries the test brings at run time.
elf_files() {
	if [ "$kind" = ppp ]; then
		printf '%s\n' "$root"/usr/sbin/* "$root"/usr/lib/pppd/*/*.so
	else
		printf '%s\n' "$root/$pmds"/*.so.23 "$root/$lib"/librte_*.so.23 "${bins[@]}"
	fi
}

# Every shared library the binaries and plugins need, resolved by the
# packages' own dynamic loader against the packages' libraries only (never
# the host's), so that what the guest gets is what Debian ships together.
# A library already in the image (a librte link) is kept as it is.
libraries() {
	local lp=$stage/$lib ldso f name path bad=0
	ldso=$lp/ld-linux-x86-64.so.2
	cp -L "$ldso" "$root/$lib/"
	ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"
	[ "$kind" = ppp ] || lp=$lp:$stage/$pmds
	while read -r f; do
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		while read -r name _ path _; do
			case "$path" in
			/*) [[ $name == /* ]] || [ -e "$root/$lib/$name" ] || cp -L "$path" "$root/$lib/$name" ;;
			*) log "$f: $name not found in the packages"; bad=1 ;;
			esac
		done < <("$ldso" --library-path "$lp" --list "$f" 2>/dev/null | grep ' => ' || true)
	done < <(elf_files)
	# glibc loads libgcc_s itself (thread cancellation, unwinding): no
	# binary names it, and a DPDK program aborts at exit without it
	[ "$kind" = ppp ] || [ -e "$root/$lib/libgcc_s.so.1" ] || cp -L "$stage/$lib/libgcc_s.so.1" "$root/$lib/"
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
	log "building the $kind guest image in $cache"
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
	mapfile -t names < <(echo "$want" | grep '\.deb$')
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
