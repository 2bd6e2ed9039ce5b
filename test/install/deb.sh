#!/usr/bin/env bash
# The Debian package as a packager builds it: the tree's files (git ls-files)
# copied to a scratch directory, dpkg-buildpackage -us -uc -b there (the
# .debs land in its parent, inside the scratch directory, never beside the
# source tree), lintian when installed (no errors), then the packages
# unpacked with dpkg -x into a scratch root and the packaged lnsd's
# --check-config run on the packaged configuration. With CI set (a machine
# of its own), the packages are also installed with dpkg -i, checked
# (lnsd.service disabled and not started, man finds the pages) and purged.
#
#   test/install/deb.sh BUILD_DIR
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
e2e=install-deb
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"

for tool in dpkg-buildpackage dh dpkg-deb git; do
	if ! command -v "$tool" >/dev/null; then
		echo "install-deb: $tool not found (scripts/install-deps.sh installs it): skipped"
		exit 77
	fi
done
if ! git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "install-deb: $top is not a git work tree (the package is built from its files): skipped"
	exit 77
fi

version=$(meson introspect --projectinfo "$build" | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
scratch=$(mktemp -d /tmp/lnsd-deb.XXXXXX)
installed=""
cleanup() {
	if [ -n "$installed" ]; then
		dpkg --purge lnsd lnsd-lacsim >/dev/null 2>&1
	fi
	rm -rf "$scratch"
}
trap cleanup EXIT
touch "$scratch/started"

check "debian/changelog's version is meson's ($version)" \
	test "$(cd "$top" && dpkg-parsechangelog -S Version)" = "$version"

# a clean tree: the tracked files as they are in the work tree, nothing built
src=$scratch/lnsd-$version
mkdir -p "$src"
(cd "$top" && git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$src"
check "the tree copied" test -x "$src/debian/rules"

started=$(date +%s)
package() {
	(cd "$src" && timeout 600 dpkg-buildpackage -us -uc -b) >"$scratch/build.log" 2>&1 || {
		tail -40 "$scratch/build.log"
		return 1
	}
}
check "dpkg-buildpackage -us -uc -b" package
echo "install-deb: the package built in $(($(date +%s) - started)) s"
arch=$(dpkg --print-architecture)
deb=$scratch/lnsd_${version}_$arch.deb
lacsim_deb=$scratch/lnsd-lacsim_${version}_$arch.deb
check "lnsd_${version}_$arch.deb beside the copied tree" test -s "$deb"
check "lnsd-lacsim_${version}_$arch.deb beside it" test -s "$lacsim_deb"
nothing_beside_source() {
	local stray
	stray=$(find "$(dirname "$top")" -maxdepth 1 -name "lnsd*_${version}_*" -newer "$scratch/started")
	[ -z "$stray" ] || { echo "install-deb: written beside the source tree: $stray"; return 1; }
}
check "nothing written beside the source tree" nothing_beside_source

if command -v lintian >/dev/null; then
	no_lintian_errors() {
		local out
		out=$(lintian --tag-display-limit 0 "$scratch/lnsd_${version}_$arch.changes" 2>&1)
		[ -n "$out" ] && echo "$out"
		! grep -q "^E: " <<<"$out"
	}
	check "lintian: no errors" no_lintian_errors
else
	echo "install-deb: lintian not installed: not run"
fi

# what dpkg would do: conffiles, and no enabling or starting at install
control=$scratch/control
dpkg-deb -e "$deb" "$control"
check "/etc/lnsd/lnsd.yaml is a conffile" grep -qx /etc/lnsd/lnsd.yaml "$control/conffiles"
check "/etc/default/lnsd is a conffile" grep -qx /etc/default/lnsd "$control/conffiles"
# (that it is not enabled either is seen only on a machine it is installed on: CI)
never_started() {
	! grep -Eq "deb-systemd-invoke (start|restart|try-restart)" "$control"/p*
}
check "the package never starts or restarts lnsd.service" never_started
check "the package stops lnsd.service on removal" grep -q "deb-systemd-invoke stop lnsd.service" "$control/prerm"

root=$scratch/root
check "dpkg -x lnsd" dpkg -x "$deb" "$root"
check "dpkg -x lnsd-lacsim" dpkg -x "$lacsim_deb" "$root"
for f in usr/sbin/lnsd usr/sbin/lnsctl usr/bin/lacsim usr/libexec/lnsd/lnsd-hugepages; do
	check "$f in the packages" test -x "$root/$f"
done
for f in lib/systemd/system/lnsd.service etc/lnsd/lnsd.yaml etc/default/lnsd \
	usr/share/doc/lnsd/examples/seed.yaml usr/share/doc/lnsd/examples/seed-radius.yaml \
	usr/share/doc/lnsd/README.Debian usr/share/man/man8/lnsd.8.gz \
	usr/share/man/man8/lnsctl.8.gz usr/share/man/man5/lnsd.yaml.5.gz; do
	check "$f in the package" test -s "$root/$f"
done
check "the packaged configuration is root's alone (0640)" test "$(stat -c %a "$root/etc/lnsd/lnsd.yaml")" = 640
# shellcheck disable=SC2016 # $LNSD_OPTS is systemd's
check "the packaged unit starts /usr/sbin/lnsd -c /etc/lnsd/lnsd.yaml" \
	grep -qxF 'ExecStart=/usr/sbin/lnsd -c /etc/lnsd/lnsd.yaml $LNSD_OPTS' "$root/lib/systemd/system/lnsd.service"
check "the packaged lnsd is a release build (no sanitizer)" \
	bash -c "! objdump -p '$root/usr/sbin/lnsd' 2>/dev/null | grep -q libasan"

packaged_ok() { # file
	local err rc
	err=$("$root/usr/sbin/lnsd" --check-config "$1" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$err" = "lnsd: $1: configuration ok" ]; then
		return 0
	fi
	echo "install-deb: $1: exit $rc: $err"
	return 1
}
check "the packaged lnsd --version" test "$("$root/usr/sbin/lnsd" --version)" = "lnsd $version"
check "the packaged lnsd --check-config on the packaged configuration" \
	packaged_ok "$root/etc/lnsd/lnsd.yaml"
check "the packaged lnsd --check-config on seed-radius.yaml" \
	packaged_ok "$root/usr/share/doc/lnsd/examples/seed-radius.yaml"
lacsim_help() {
	"$root/usr/bin/lacsim" --help | grep -q -- "--server IP"
}
check "the packaged lacsim --help" lacsim_help

# a machine of its own (CI): install, look, purge
if [ -n "${CI:-}" ] && [ "$(id -u)" -eq 0 ]; then
	if dpkg-query -W -f='${Status}' lnsd 2>/dev/null | grep -q "ok installed"; then
		echo "install-deb: lnsd is installed on this machine: not installed over it"
	else
		installed=yes
		check "dpkg -i the packages" dpkg -i "$deb" "$lacsim_deb"
		packaged_ok_installed() {
			local err
			err=$(/usr/sbin/lnsd --check-config /etc/lnsd/lnsd.yaml 2>&1) &&
				[ "$err" = "lnsd: /etc/lnsd/lnsd.yaml: configuration ok" ]
		}
		check "installed: lnsd --check-config /etc/lnsd/lnsd.yaml" packaged_ok_installed
		check "installed: lnsd.service is disabled" \
			test "$(systemctl is-enabled lnsd.service 2>/dev/null)" = disabled
		check "installed: lnsd is not running" bash -c '! pgrep -f "^/usr/sbin/lnsd" >/dev/null'
		check "installed: man finds lnsd.yaml(5)" man -w 5 lnsd.yaml
		check "dpkg --purge the packages" dpkg --purge lnsd lnsd-lacsim
		installed=""
		check "purged: /etc/lnsd gone" test ! -e /etc/lnsd
		check "purged: lnsd gone" test ! -e /usr/sbin/lnsd
	fi
fi

summary
