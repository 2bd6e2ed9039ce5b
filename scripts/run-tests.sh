#!/usr/bin/env bash
# One command for every test: installs dependencies, builds with
# AddressSanitizer and UndefinedBehaviorSanitizer, runs the unit tests,
# then the end-to-end tests (real lnsd and lacsim in network namespaces),
# then builds the libFuzzer targets with clang and runs each for a bounded
# time. Exits non-zero when anything fails.
#
#   scripts/run-tests.sh            # everything
#   FUZZ_SECONDS=10 scripts/run-tests.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

fuzz_seconds=${FUZZ_SECONDS:-30}
jobs=$(nproc)

"$top/scripts/install-deps.sh"

setup() {
	local dir=$1
	shift
	if [ -d "$dir" ]; then
		meson setup --reconfigure "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi
}

# Counts a suite's results from meson's test log: "passed failed".
count_results() {
	python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL", "SKIP"):
        ok += 1
    else:
        bad += 1
print(ok, bad)
PY
}

passed=0
failed=0
run_suite() {
	local dir=$1 suite=$2 procs=$3 rc=0
	meson test -C "$dir" --suite "$suite" --print-errorlogs --num-processes "$procs" || rc=$?
	read -r ok bad < <(count_results "$dir")
	passed=$((passed + ok))
	failed=$((failed + bad))
	[ "$rc" -eq 0 ] || [ "$bad" -gt 0 ] || failed=$((failed + 1))
}

echo "== unit tests (gcc, ASan+UBSan)"
setup build-test -Dsanitizers=true -Dtests=true
ninja -C build-test -j "$jobs"
run_suite build-test unit "$jobs"

echo "== end to end (lnsd on net_af_packet in network namespaces, lacsim dialling in)"
run_suite build-test e2e 1

echo "== interop (Debian's xl2tpd and pppd in a QEMU guest, against lnsd in the lab)"
run_suite build-test interop 1

echo "== install (meson install into a scratch directory; the Debian package built, unpacked, and under CI installed and purged)"
run_suite build-test install 1

echo "== fuzzers (clang libFuzzer, ASan+UBSan, ${fuzz_seconds}s each)"
CC=clang CXX=clang++ setup build-fuzz -Dtests=false -Dfuzzers=true -Dsanitizers=true \
	-Dfuzz_seconds="$fuzz_seconds"
ninja -C build-fuzz -j "$jobs"
run_suite build-fuzz fuzz 1

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
