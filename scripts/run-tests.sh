#!/usr/bin/env bash
# One command for every test: installs dependencies, builds with
# AddressSanitizer and UndefinedBehaviorSanitizer, runs the unit tests,
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

echo "== unit tests (gcc, ASan+UBSan)"
setup build-test -Dsanitizers=true -Dtests=true
ninja -C build-test -j "$jobs"
meson test -C build-test --suite unit --print-errorlogs --num-processes "$jobs"

echo "== fuzzers (clang libFuzzer, ASan+UBSan, ${fuzz_seconds}s each)"
CC=clang CXX=clang++ setup build-fuzz -Dtests=false -Dfuzzers=true -Dsanitizers=true \
	-Dfuzz_seconds="$fuzz_seconds"
ninja -C build-fuzz -j "$jobs"
meson test -C build-fuzz --suite fuzz --print-errorlogs --num-processes 1
