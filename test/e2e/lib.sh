# Sourced by the end-to-end scripts: counting checks, the LAC simulator in
# the lab's LAC namespace, and waiting for lnsd. The script sets $build
# (the build directory) and $e2e (its name in the output) first.
# shellcheck shell=bash

passed=0
failed=0

check() { # name, then the command
	local name=$1
	shift
	if "$@"; then
		echo "$e2e: ok: $name"
		passed=$((passed + 1))
	else
		echo "$e2e: FAILED: $name"
		failed=$((failed + 1))
	fi
}

# lacsim from the lab's LAC toward lnsd's access address, echoes to the core
lac() {
	timeout 120 ip netns exec lab-lac "$build/test/lacsim/lacsim" --server 192.0.2.1 \
		--local 192.0.2.2 --target 198.51.100.2 "$@"
}

# Waits (20 s at most) until lnsd's log says it is up.
wait_lnsd_up() { # log file
	for _ in $(seq 1 100); do
		grep -q "l2tp-gw up" "$1" && return 0
		sleep 0.2
	done
	return 1
}

# Ends a process this test started: the signal, 5 s at most, then KILL.
stop_pid() { # pid (may be empty), signal
	local pid=$1
	[ -n "$pid" ] || return 0
	kill "-$2" "$pid" 2>/dev/null
	for _ in $(seq 1 25); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

summary() {
	echo "$e2e: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
