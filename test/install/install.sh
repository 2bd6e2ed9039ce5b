#!/usr/bin/env bash
# meson install into a scratch directory, then what an operator gets there:
# the installed lnsd's --check-config on the installed example (and on
# broken copies), the unit and the paths it names, the hugepage helper,
# the configuration kept by a reinstall, man pages (when built), lnsctl and
# lacsim --help.
#
#   test/install/install.sh BUILD_DIR man|noman
set -uo pipefail
build=$(cd "${1:?build directory}" && pwd)
man=${2:?man or noman}
top=$(cd "$(dirname "$0")/../.." && pwd)
e2e=install
# shellcheck source=test/e2e/lib.sh
. "$top/test/e2e/lib.sh"

scratch=$(mktemp -d /tmp/lnsd-install.XXXXXX)
mounts=()
cleanup() {
	local m
	for m in "${mounts[@]}"; do
		umount "$m" 2>/dev/null
	done
	rm -rf "$scratch"
}
trap cleanup EXIT
dest=$scratch/dest

# The install directories as this build has them (absolute; sysconfdir may be /etc).
read -r bindir sbindir sysconfdir libexecdir datadir mandir < <(meson introspect --buildoptions "$build" |
	python3 -c '
import json, os, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
print(" ".join(os.path.join(opts["prefix"], opts[name]) for name in
               ("bindir", "sbindir", "sysconfdir", "libexecdir", "datadir", "mandir")))
')
version=$(meson introspect --projectinfo "$build" | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')

check "meson install --destdir" meson install -C "$build" --destdir "$dest" --no-rebuild --quiet
# every file meson says it installs is there
installed_all() {
	meson introspect --installed "$build" | python3 -c '
import json, os, sys
missing = [p for p in json.load(sys.stdin).values() if not os.path.exists(sys.argv[1] + p)]
for p in missing:
    print("install: not installed:", p)
sys.exit(1 if missing else 0)
' "$dest"
}
check "every file meson installs is in DESTDIR" installed_all

lnsd=$dest$sbindir/lnsd
lnsctl=$dest$sbindir/lnsctl
lacsim=$dest$bindir/lacsim
conf=$dest$sysconfdir/lnsd/lnsd.yaml
examples=$dest$datadir/doc/lnsd/examples
check "lnsd in sbin" test -x "$lnsd"
check "lnsctl in sbin" test -x "$lnsctl"
check "lacsim in bin" test -x "$lacsim"
check "seed.yaml in share/doc/lnsd/examples" cmp -s "$examples/seed.yaml" "$top/config/seed.yaml"
check "seed-radius.yaml among them" cmp -s "$examples/seed-radius.yaml" "$top/config/seed-radius.yaml"
check "the default configuration is seed.yaml" cmp -s "$conf" "$top/config/seed.yaml"
check "the default configuration is root's alone (0640)" test "$(stat -c %a "$conf")" = 640
check "/etc/default/lnsd asks for no hugepages" grep -qx "LNSD_HUGEPAGES=0" "$dest$sysconfdir/default/lnsd"

check "lnsd --version names meson's version" test "$("$lnsd" --version)" = "lnsd $version"

# --check-config on a good file: exit 0, no output but the one ok line
config_ok() { # file
	local err rc
	err=$("$lnsd" --check-config "$1" 2>&1 >"$scratch/stdout")
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$err" = "lnsd: $1: configuration ok" ] && [ ! -s "$scratch/stdout" ]; then
		return 0
	fi
	echo "install: --check-config $1: exit $rc: $err"
	return 1
}
check "lnsd --check-config on the installed configuration" config_ok "$conf"
check "lnsd --check-config on seed.yaml" config_ok "$examples/seed.yaml"
check "lnsd --check-config on seed-radius.yaml" config_ok "$examples/seed-radius.yaml"

# --check-config on a broken copy: exit 1, FILE:LINE:COLUMN: at the broken line
config_bad() { # file, the line it is broken at
	local err rc
	err=$("$lnsd" --check-config "$1" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qE "^$1:$2:[0-9]+: " <<<"$err"; then
		return 0
	fi
	echo "install: --check-config $1: exit $rc, expected 1 and $1:$2:COLUMN: ...: $err"
	return 1
}
bad=$scratch/bad-number.yaml
sed 's/^  workers: 1$/  workers: many/' "$conf" >"$bad"
check "a broken copy (a word for a number) is refused at its line" \
	config_bad "$bad" "$(grep -n '^  workers: many$' "$bad" | cut -d: -f1)"
bad=$scratch/bad-key.yaml
sed 's/^  rx_window: 300$/  rx_windoe: 300/' "$conf" >"$bad"
check "a broken copy (an unknown key) is refused at its line" \
	config_bad "$bad" "$(grep -n '^  rx_windoe: 300$' "$bad" | cut -d: -f1)"
bad=$scratch/bad-yaml.yaml
sed 's/^  listen: \[192.0.2.1\]$/  listen: [192.0.2.1/' "$conf" >"$bad"
check "a broken copy (not YAML) is refused with file:line:column" config_bad "$bad" "[0-9]+"

# the unit: lnsd with the installed configuration, checked first, and paths that exist
unit=$(find "$dest" -name lnsd.service -path "*/systemd/system/*")
check "lnsd.service installed" test -f "$unit"
unit_has() { # the line
	grep -qxF "$1" "$unit" || { echo "install: lnsd.service has no line: $1"; return 1; }
}
check "the unit starts lnsd -c the configuration" \
	unit_has "ExecStart=$sbindir/lnsd -c $sysconfdir/lnsd/lnsd.yaml \$LNSD_OPTS"
check "the unit checks the configuration first" \
	unit_has "ExecStartPre=$sbindir/lnsd --check-config $sysconfdir/lnsd/lnsd.yaml"
check "the unit reserves hugepages first" unit_has "ExecStartPre=+$libexecdir/lnsd/lnsd-hugepages"
# shellcheck disable=SC2016 # $MAINPID is systemd's
check "the unit reloads with SIGHUP" unit_has 'ExecReload=/bin/kill -HUP $MAINPID'
check "the unit reads /etc/default/lnsd" unit_has "EnvironmentFile=-$sysconfdir/default/lnsd"
check "the unit gives lnsd time to stop" unit_has "TimeoutStopSec=30s"
check "the unit restarts lnsd on failure" unit_has "Restart=on-failure"
check "the unit bounds the capabilities" \
	unit_has "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN CAP_IPC_LOCK CAP_SYS_ADMIN CAP_SYS_RAWIO"
exec_paths_exist() {
	local line path ok=0
	while IFS= read -r line; do
		path=${line#*=}
		path=${path#[-+@!:]}
		path=${path%% *}
		case $path in
		/bin/kill) ;;
		*) [ -x "$dest$path" ] || { echo "install: $line: $dest$path is missing"; ok=1; } ;;
		esac
	done < <(grep -E '^Exec[A-Za-z]*=' "$unit")
	return $ok
}
check "every program the unit runs is installed" exec_paths_exist
if command -v systemd-analyze >/dev/null; then
	# the unit as it would be in DESTDIR's root (systemd-analyze has no DESTDIR)
	mkdir -p "$scratch/unit"
	sed -e "s|$sbindir/|$dest$sbindir/|g" -e "s|$libexecdir/|$dest$libexecdir/|g" \
		-e "s|$sysconfdir/|$dest$sysconfdir/|g" "$unit" >"$scratch/unit/lnsd.service"
	verify() {
		local out
		out=$(systemd-analyze verify --man=no "$scratch/unit/lnsd.service" 2>&1 | grep "lnsd.service")
		[ -z "$out" ] || { echo "$out"; return 1; }
	}
	check "systemd-analyze verify lnsd.service" verify
else
	echo "install: systemd-analyze not found: the unit not verified"
fi

# the hugepage helper, as the unit runs it
helper=$dest$libexecdir/lnsd/lnsd-hugepages
check "lnsd-hugepages installed" test -x "$helper"
check "lnsd-hugepages: none asked, nothing to do" env LNSD_HUGEPAGES=0 "$helper"
bad_setting() {
	LNSD_HUGEPAGES=lots "$helper" 2>/dev/null
	[ $? -eq 2 ]
}
check "lnsd-hugepages: a bad count is exit 2" bad_setting
if [ "$(id -u)" -eq 0 ]; then
	# a pool of our own, and a hugetlbfs mounted for the time of the test
	pools=$scratch/pools
	mkdir -p "$pools/hugepages-2048kB" "$scratch/huge"
	echo 0 >"$pools/hugepages-2048kB/nr_hugepages"
	if mount -t hugetlbfs nodev "$scratch/huge"; then
		mounts+=("$scratch/huge")
		raised() {
			local out
			out=$(LNSD_HUGEPAGES=8 LNSD_HUGEPAGE_KB=2048 LNSD_HUGEPAGES_SYSFS=$pools "$helper") &&
				[ "$(cat "$pools/hugepages-2048kB/nr_hugepages")" = 8 ] && grep -q "raised" <<<"$out"
		}
		check "lnsd-hugepages raises a pool with too few pages" raised
		# a pool the "kernel" will not raise: read-only
		echo 2 >"$pools/hugepages-2048kB/nr_hugepages"
		if mount --bind "$pools" "$pools" && mounts=("$pools" "${mounts[@]}") &&
			mount -o remount,ro,bind "$pools"; then
			short() {
				local err
				err=$(LNSD_HUGEPAGES=8 LNSD_HUGEPAGE_KB=2048 LNSD_HUGEPAGES_SYSFS=$pools "$helper" 2>&1)
				if [ $? -eq 1 ] && grep -q "the kernel gave 2 of the 8 2048 kB hugepages" <<<"$err"; then
					return 0
				fi
				echo "install: $err"
				return 1
			}
			check "lnsd-hugepages says when the kernel gave too few" short
		fi
	fi
else
	echo "install: not root: lnsd-hugepages' pools not tried"
fi

# a reinstall keeps the operator's configuration
echo "# the operator's" >>"$conf"
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
check "a reinstall keeps an edited configuration" grep -qx "# the operator's" "$conf"

# man pages
if [ "$man" = man ]; then
	for page in man8/lnsd.8 man8/lnsctl.8 man5/lnsd.yaml.5; do
		check "$page installed" test -s "$dest$mandir/$page"
	done
	if command -v man >/dev/null; then
		renders() { # page, a text it must have
			local warnings text
			warnings=$(man --warnings -l "$1" 2>&1 >"$scratch/man.txt")
			text=$(cat "$scratch/man.txt")
			if [ -z "$warnings" ] && grep -q "^NAME" <<<"$text" && grep -qF -- "$2" <<<"$text"; then
				return 0
			fi
			echo "install: man -l $1: ${warnings:-no \"$2\" in it}"
			return 1
		}
		check "lnsd(8) renders without warnings" renders "$dest$mandir/man8/lnsd.8" "--check-config"
		check "lnsctl(8) renders without warnings" renders "$dest$mandir/man8/lnsctl.8" "show sessions"
		check "lnsd.yaml(5) renders without warnings" renders "$dest$mandir/man5/lnsd.yaml.5" "max_sessions_per_tunnel"
		# lnsd.yaml(5) is docs/config.md: each of its sections is in the page
		sections() {
			local s ok=0
			man -l "$dest$mandir/man5/lnsd.yaml.5" 2>/dev/null >"$scratch/yaml5.txt"
			while read -r s; do
				grep -qx "   $s" "$scratch/yaml5.txt" || { echo "install: lnsd.yaml(5) has no section $s"; ok=1; }
			done < <(sed -n 's/^## //p' "$top/docs/config.md")
			return $ok
		}
		check "lnsd.yaml(5) has every section of docs/config.md" sections
	fi
	if command -v lexgrog >/dev/null; then
		check "lnsd(8)'s NAME for whatis" lexgrog "$dest$mandir/man8/lnsd.8"
		check "lnsctl(8)'s NAME for whatis" lexgrog "$dest$mandir/man8/lnsctl.8"
		check "lnsd.yaml(5)'s NAME for whatis" lexgrog "$dest$mandir/man5/lnsd.yaml.5"
	fi
else
	echo "install: built without man pages (-Dman, pandoc): not checked"
	check "no man pages when none are built" test ! -e "$dest$mandir/man8/lnsd.8"
fi

# lnsctl: its message when lnsd is not there
unreachable() {
	local err
	err=$("$lnsctl" -s "$scratch/none.sock" show tunnels 2>&1)
	[ $? -eq 2 ] && grep -q "cannot reach lnsd" <<<"$err"
}
check "lnsctl says when lnsd cannot be reached (exit 2)" unreachable

# lacsim --help: exit 0 and every option of its table
help_lists_options() {
	local out name ok=0
	out=$("$lacsim" --help) || { echo "install: lacsim --help: exit $?"; return 1; }
	while read -r name; do
		grep -qE -- "^  --$name( |$)" <<<"$out" || { echo "install: lacsim --help has no --$name"; ok=1; }
	done < <(sed -n '/^} lacsim_options\[\] = {/,/^};/s/^\t{ "\([a-z0-9-]*\)".*/\1/p' "$top/test/lacsim/lacsim.c")
	[ "$(sed -n '/^} lacsim_options\[\] = {/,/^};/p' "$top/test/lacsim/lacsim.c" | grep -c '^	{ "')" -gt 20 ] || ok=1
	return $ok
}
check "lacsim --help exits 0 and names every option" help_lists_options
bad_option() {
	"$lacsim" --no-such-option >/dev/null 2>&1
	[ $? -eq 2 ]
}
check "lacsim with a bad option exits 2" bad_option

summary
