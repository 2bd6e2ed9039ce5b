#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time from the committed corpus,
# writing what it finds into a scratch corpus in the build directory (never
# into the source tree). Exit status: libFuzzer's (non-zero on a finding).
set -euo pipefail
fuzzer=$1 seconds=$2 corpus=$3 work=$4
mkdir -p "$work"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work" "$corpus"
