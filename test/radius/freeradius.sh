#!/usr/bin/env bash
# Throw-away FreeRADIUS 3.2 (Debian package "freeradius") for lnsd's
# end-to-end tests: its own configuration under a test directory, loopback
# only, started and stopped by the test.
#
#   freeradius.sh start DIR [AUTH_PORT [ACCT_PORT]]
#       Builds DIR/raddb (a copy of /etc/freeradius/3.0, rewritten), starts
#       /usr/sbin/freeradius -f -d DIR/raddb in the background as root,
#       logging to DIR/radius.log, PID in DIR/radius.pid, and waits (at most
#       10 s) until it answers Status-Server.  Exit 0 when it answers;
#       otherwise non-zero, with the tail of DIR/radius.log on stderr, and
#       nothing left running.  DIR/detail and DIR/radius.log start empty
#       (both exist once start returns).
#   freeradius.sh stop DIR
#       Kills exactly the PID in DIR/radius.pid (TERM, then KILL after 5 s)
#       and waits for it to exit.  Exit 0 also when nothing was running.
#
# Environment:
#   RADIUS_AUTH_PORT  authentication port (default 18120; argument wins)
#   RADIUS_ACCT_PORT  accounting port     (default 18130; argument wins)
#   RADIUS_DEBUG      1: run with -X (full per-request debug into the log)
#   RADIUS_REPLY_MA   0: do NOT put a Message-Authenticator in Access-Accept
#                     and Access-Reject (default 1: every reply is signed)
#
# What the server does:
#   Listens on 127.0.0.1 only: UDP auth AUTH_PORT, UDP acct ACCT_PORT.
#   No other listener, no IPv6, no proxy socket, no control socket, no
#   inner-tunnel, no EAP.  Client 127.0.0.1, secret "testing123",
#   require_message_authenticator = yes (an Access-Request without a
#   Message-Authenticator is silently dropped).  Every Access-Accept and
#   Access-Reject (and the answer to Status-Server) carries a
#   Message-Authenticator (see RADIUS_REPLY_MA); Access-Reject carries no
#   Framed-* attributes (attr_filter.access_reject).
#   reject_delay = 0.
#   Users (Cleartext-Password, so PAP, CHAP, MS-CHAP and MS-CHAPv2 work):
#     2500-1/cisco         Framed-IP-Address 255.255.255.255, PPP, Framed-User,
#                          Class "seed-class", Acct-Interim-Interval 60,
#                          MS-Primary-DNS-Server 198.51.100.53
#     pooluser/poolpass    Framed-IP-Address 255.255.255.254
#     fixed/fixedpass      203.0.113.77/32, Framed-Route "203.0.113.128/28",
#                          Session-Timeout 5, Idle-Timeout 600
#     load-*/loadpass      Framed-IP-Address 255.255.255.254
#     rejected/anything    Access-Reject, Reply-Message "account disabled"
#     anyone else          Access-Reject
#   Every Accounting-Request is appended to DIR/detail (detail format) and
#   answered with Accounting-Response.
set -euo pipefail

FREERADIUS=/usr/sbin/freeradius
SYSTEM_RADDB=/etc/freeradius/3.0
SECRET=testing123
START_TIMEOUT=10	# seconds, waiting for the first Status-Server answer
STOP_TIMEOUT=5		# seconds after SIGTERM before SIGKILL

die() { echo "freeradius.sh: $*" >&2; exit 1; }

usage() {
	echo "usage: $0 start DIR [AUTH_PORT [ACCT_PORT]] | stop DIR" >&2
	exit 2
}

# Absolute path of DIR, refusing white space and characters that FreeRADIUS's
# configuration parser or string expansion would interpret.
bad_dir_name() {
	case $1 in
	*[\"\'\$%\\\{\}\`[:space:]]*)
		die "directory name has a character FreeRADIUS would interpret: $1" ;;
	esac
}
abs_dir() {
	local d=$1
	bad_dir_name "$d"
	mkdir -p -- "$d" || die "cannot create $d"
	d=$(cd -- "$d" && pwd -P) || die "cannot enter $1"
	bad_dir_name "$d"
	printf '%s\n' "$d"
}

check_port() {
	case $1 in
	'' | *[!0-9]*) die "bad port: '$1'" ;;
	esac
	(($1 >= 1 && $1 <= 65535)) || die "bad port: $1"
}

# True when some UDP socket on this machine is bound to local port $1.
port_busy() {
	[[ -n $(ss -Hnua "sport = :$1" 2>/dev/null) ]]
}

# Are both UDP ports $1 and $2 bound (by anyone)?
ports_bound() {
	port_busy "$1" && port_busy "$2"
}

# Is $1 our freeradius, started with -d $2?
is_our_server() {
	local pid=$1 raddb=$2 comm cmdline
	[[ -r /proc/$pid/comm ]] || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
	[[ $comm == freeradius ]] || return 1
	cmdline=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	grep -qxF -- "$raddb" <<<"$cmdline"
}

log_tail() {
	local log=$1
	echo "---- last lines of $log ----" >&2
	tail -n 40 -- "$log" >&2 2>/dev/null || echo "(no log)" >&2
	echo "----" >&2
}

status_server() {
	local port=$1
	echo 'Message-Authenticator = 0x00' |
		radclient -q -r 1 -t 0.3 "127.0.0.1:$port" status "$SECRET" \
			>/dev/null 2>&1
}

write_config() {
	local dir=$1 raddb=$2 auth_port=$3 acct_port=$4

	rm -rf -- "$raddb"
	cp -a -- "$SYSTEM_RADDB" "$raddb"
	chmod -R u+rwX,go-w -- "$raddb"

	# Only our own virtual server.
	rm -f -- "$raddb"/sites-enabled/*

	# Only the modules the tests need (plus "always", whose instances are
	# the ok/reject/... unlang keywords, and "expr" for %{md5:} used by the
	# acct_unique policy).  No sql, unix, pam, eap, ntlm_auth, exec, ...
	rm -f -- "$raddb"/mods-enabled/*
	local m
	for m in always expr preprocess chap mschap pap files; do
		ln -s "../mods-available/$m" "$raddb/mods-enabled/$m"
	done
	# Access-Reject carries only Reply-Message, MS-CHAP-Error and the like,
	# not the user's Framed-* attributes (as in Debian's default site).
	cat >"$raddb/mods-enabled/attr_filter" <<'EOF'
attr_filter attr_filter.access_reject {
	key = "%{User-Name}"
	filename = ${modconfdir}/attr_filter/access_reject
}
EOF
	cat >"$raddb/mods-enabled/detail" <<EOF
# Every Accounting-Request, appended to one fixed file.
detail {
	filename = "$dir/detail"
	escape_filenames = no
	permissions = 0644
	header = "%t"
	locking = no
}
EOF

	# The main configuration, rewritten whole: our paths, no privilege drop
	# (the server stays root, so the freerad-owned copy is readable), no
	# proxying, no reject delay, log to DIR/radius.log.
	cat >"$raddb/radiusd.conf" <<EOF
# Generated by test/radius/freeradius.sh for lnsd's tests.
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = $dir
sbindir = \${exec_prefix}/sbin
logdir = $dir
raddbdir = $raddb
radacctdir = $dir/radacct
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
certdir = \${confdir}/certs
cadir = \${confdir}/certs
run_dir = $dir/run
db_dir = $dir/db
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/\${name}.pid

max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no

log {
	destination = files
	colourise = no
	file = $dir/radius.log
	stripped_names = no
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}

checkrad = \${sbindir}/checkrad

security {
	# no user/group: stay root
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}

proxy_requests = no

\$INCLUDE clients.conf

thread pool {
	start_servers = 4
	max_servers = 32
	min_spare_servers = 2
	max_spare_servers = 10
	max_requests_per_server = 0
	auto_limit_acct = no
}

modules {
	\$INCLUDE mods-enabled/
}

instantiate {
}

policy {
	\$INCLUDE policy.d/
}

\$INCLUDE sites-enabled/
EOF

	cat >"$raddb/clients.conf" <<EOF
# Generated by test/radius/freeradius.sh: the LNS under test, on loopback.
client lnsd_test {
	ipaddr = 127.0.0.1
	proto = udp
	secret = $SECRET
	require_message_authenticator = yes
	shortname = lnsd-test
	nas_type = other
}
EOF

	# FreeRADIUS 3.2.1 signs neither Access-Accept/Reject nor its answer to
	# Status-Server on its own (Blast-RADIUS hardening came in 3.2.5); a
	# Message-Authenticator in the reply list makes the encoder compute one.
	local ma='' ma_reject=''
	if [[ ${RADIUS_REPLY_MA:-1} != 0 ]]; then
		ma=$'\t\tupdate reply {\n\t\t\tMessage-Authenticator := 0x00\n\t\t}'
		ma_reject=$'\t\t\tupdate reply {\n\t\t\t\tMessage-Authenticator := 0x00\n\t\t\t}'
	fi

	cat >"$raddb/sites-enabled/lnsd-test" <<EOF
# Generated by test/radius/freeradius.sh: the only virtual server.
server lnsd_test {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $auth_port
		proto = udp
	}
	listen {
		type = acct
		ipaddr = 127.0.0.1
		port = $acct_port
		proto = udp
	}

	authorize {
		Autz-Type Status-Server {
$ma_reject
			ok
		}
		preprocess
		chap
		mschap
		files
		pap
	}

	authenticate {
		Auth-Type PAP {
			pap
		}
		Auth-Type CHAP {
			chap
		}
		Auth-Type MS-CHAP {
			mschap
		}
	}

	preacct {
		preprocess
		acct_unique
	}

	accounting {
		detail
		ok
	}

	post-auth {
$ma
		Post-Auth-Type REJECT {
			attr_filter.access_reject
$ma_reject
			ok
		}
	}
}
EOF

	# The users.  Cleartext-Password serves PAP, CHAP and MS-CHAP(v2).
	rm -f -- "$raddb/mods-config/files/authorize"
	cat >"$raddb/mods-config/files/authorize" <<'EOF'
# Generated by test/radius/freeradius.sh.

rejected	Auth-Type := Reject
	Reply-Message = "account disabled"

2500-1	Cleartext-Password := "cisco"
	Framed-IP-Address = 255.255.255.255,
	Framed-Protocol = PPP,
	Service-Type = Framed-User,
	Class = "seed-class",
	Acct-Interim-Interval = 60,
	MS-Primary-DNS-Server = 198.51.100.53

pooluser	Cleartext-Password := "poolpass"
	Framed-IP-Address = 255.255.255.254,
	Framed-Protocol = PPP,
	Service-Type = Framed-User

fixed	Cleartext-Password := "fixedpass"
	Framed-IP-Address = 203.0.113.77,
	Framed-IP-Netmask = 255.255.255.255,
	Framed-Route = "203.0.113.128/28",
	Framed-Protocol = PPP,
	Service-Type = Framed-User,
	Session-Timeout = 5,
	Idle-Timeout = 600

DEFAULT	User-Name =~ "^load-", Cleartext-Password := "loadpass"
	Framed-IP-Address = 255.255.255.254,
	Framed-Protocol = PPP,
	Service-Type = Framed-User
EOF
	: >"$raddb/mods-config/files/accounting"
	: >"$raddb/mods-config/files/pre-proxy"

	mkdir -p -- "$dir/run" "$dir/db" "$dir/radacct"
}

cmd_start() {
	local dir raddb auth_port acct_port pid log pidfile deadline p
	dir=$(abs_dir "$1")
	auth_port=${2:-${RADIUS_AUTH_PORT:-18120}}
	acct_port=${3:-${RADIUS_ACCT_PORT:-18130}}
	check_port "$auth_port"
	check_port "$acct_port"
	[[ $auth_port != "$acct_port" ]] || die "auth and acct port are both $auth_port"
	raddb=$dir/raddb
	log=$dir/radius.log
	pidfile=$dir/radius.pid

	[[ -x $FREERADIUS ]] || die "$FREERADIUS not found (apt-get install freeradius)"
	command -v radclient >/dev/null || die "radclient not found (apt-get install freeradius-utils)"
	command -v ss >/dev/null || die "ss not found (apt-get install iproute2)"
	[[ -d $SYSTEM_RADDB ]] || die "$SYSTEM_RADDB not found"

	if [[ -s $pidfile ]]; then
		pid=$(<"$pidfile")
		if is_our_server "$pid" "$raddb"; then
			die "already running in $dir (pid $pid)"
		fi
		rm -f -- "$pidfile"
	fi
	for p in "$auth_port" "$acct_port"; do
		if port_busy "$p"; then
			echo "freeradius.sh: UDP port $p is already in use:" >&2
			ss -Hnuap "sport = :$p" >&2 || true
			exit 1
		fi
	done

	write_config "$dir" "$raddb" "$auth_port" "$acct_port"
	: >"$log"
	: >"$dir/detail"

	local -a opts=(-f)
	[[ ${RADIUS_DEBUG:-0} == 0 || -z ${RADIUS_DEBUG:-} ]] || opts=(-X)

	# Started from a subshell that closes every inherited descriptor above
	# 2 (a caller's pipes, a make/ninja jobserver) and then execs, so $! is
	# the server's own PID.
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
		done
		exec "$FREERADIUS" "${opts[@]}" -d "$raddb"
	) </dev/null >>"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$pidfile"

	deadline=$((SECONDS + START_TIMEOUT))
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
			rm -f -- "$pidfile"
			echo "freeradius.sh: freeradius exited during start-up" >&2
			log_tail "$log"
			exit 1
		fi
		# radclient takes ~0.5 s of CPU to load its dictionaries: probe
		# only once both sockets are bound (they are bound just before
		# the server is ready; a probe that arrives early waits in the
		# socket buffer).
		if ports_bound "$auth_port" "$acct_port" &&
			status_server "$auth_port"; then
			break
		fi
		if ((SECONDS >= deadline)); then
			echo "freeradius.sh: no Status-Server answer on 127.0.0.1:$auth_port within ${START_TIMEOUT}s" >&2
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			rm -f -- "$pidfile"
			log_tail "$log"
			exit 1
		fi
		sleep 0.05
	done
	echo "freeradius.sh: freeradius running, pid $pid, auth 127.0.0.1:$auth_port, acct 127.0.0.1:$acct_port, log $log"
}

cmd_stop() {
	local dir pidfile pid i
	if [[ ! -d $1 ]]; then
		echo "freeradius.sh: no directory $1, nothing to stop"
		return 0
	fi
	dir=$(abs_dir "$1")
	pidfile=$dir/radius.pid
	if [[ ! -s $pidfile ]]; then
		echo "freeradius.sh: no $pidfile, nothing to stop"
		return 0
	fi
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || die "garbage in $pidfile: '$pid'"
	if ! is_our_server "$pid" "$dir/raddb"; then
		echo "freeradius.sh: pid $pid is not our freeradius (already gone)"
		rm -f -- "$pidfile"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		is_our_server "$pid" "$dir/raddb" || break
		sleep 0.1
	done
	if is_our_server "$pid" "$dir/raddb"; then
		echo "freeradius.sh: pid $pid ignored SIGTERM for ${STOP_TIMEOUT}s, sending SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			[[ -e /proc/$pid ]] || break
			# a zombie (parent has not reaped it) holds no sockets
			[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
			sleep 0.1
		done
	fi
	rm -f -- "$pidfile"
	echo "freeradius.sh: stopped pid $pid"
}

[[ $# -ge 2 ]] || usage
case $1 in
start)
	[[ $# -le 4 ]] || usage
	cmd_start "${@:2}"
	;;
stop)
	[[ $# -eq 2 ]] || usage
	cmd_stop "$2"
	;;
*) usage ;;
esac
