/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsctl: lnsd's operator command line. Sends one command over lnsd's
 * UNIX socket and prints the answer: tables for people, JSON with --json.
 *
 *   lnsctl [-s SOCKET] [--json] show tunnels | peers | stats | metrics
 *   lnsctl show sessions [tunnel ID] [user NAME] [address A.B.C.D]
 *   lnsctl show session TUNNEL/SESSION
 *   lnsctl clear session TUNNEL/SESSION | clear tunnel ID
 *   lnsctl debug l2tp|ppp|radius|dataplane on|off
 *   lnsctl reload | drain on|off
 *
 * Exit status: 0 done, 1 lnsd refused the command (its message on
 * stderr), 2 lnsd could not be reached or usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/lnsd.sock"
#define TIMEOUT_MS     10000

static int
connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int
send_line(int fd, bool json, int argc, char **argv)
{
	char line[512];
	size_t len = (size_t)snprintf(line, sizeof(line), "%s", json ? "json" : "");

	for (int i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n') != NULL || len + strlen(argv[i]) + 2 >= sizeof(line)) {
			fprintf(stderr, "lnsctl: command too long or not one line\n");
			return -1;
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", len ? " " : "",
					argv[i]);
	}
	line[len++] = '\n';
	return write(fd, line, len) == (ssize_t)len ? 0 : -1;
}

/* Everything until lnsd closes; NULL (errno) on a timeout or error. */
static char *
read_all(int fd, size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap);

	*len = 0;
	while (buf != NULL) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, TIMEOUT_MS) <= 0) {
			free(buf);
			errno = ETIMEDOUT;
			return NULL;
		}
		n = read(fd, buf + *len, cap - *len - 1);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0) {
			buf[*len] = '\0';
			return buf;
		}
		*len += (size_t)n;
		if (*len + 1 == cap) {
			char *more = realloc(buf, cap * 2);

			if (more == NULL)
				free(buf);
			buf = more;
			cap *= 2;
		}
	}
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: lnsctl [-s SOCKET] [--json] COMMAND...\n"
			"  show tunnels | peers | stats | metrics\n"
			"  show sessions [tunnel ID] [user NAME] [address A.B.C.D]\n"
			"  show session TUNNEL/SESSION\n"
			"  clear session TUNNEL/SESSION | clear tunnel ID\n"
			"  debug l2tp|ppp|radius|dataplane on|off\n"
			"  reload | drain on|off\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = { { "socket", required_argument, NULL, 's' },
					      { "json", no_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *path = getenv("LNSD_SOCKET") ? getenv("LNSD_SOCKET") : DEFAULT_SOCKET;
	bool json = false;
	size_t len;
	char *answer, *body;
	int o, fd;

	while ((o = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		if (o == 's') {
			path = optarg;
		} else if (o == 'j') {
			json = true;
		} else {
			usage();
			return 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	fd = connect_to(path);
	if (fd < 0) {
		fprintf(stderr,
			"lnsctl: cannot reach lnsd at %s: %s (is lnsd running? -s SOCKET)\n", path,
			strerror(errno));
		return 2;
	}
	if (send_line(fd, json, argc - optind, argv + optind) != 0 ||
	    (answer = read_all(fd, &len)) == NULL) {
		fprintf(stderr, "lnsctl: %s: %s\n", path, strerror(errno));
		close(fd);
		return 2;
	}
	close(fd);
	body = strchr(answer, '\n');
	body = body != NULL ? body + 1 : answer + len;
	if (strncmp(answer, "ok\n", 3) == 0) {
		fputs(body, stdout);
		free(answer);
		return 0;
	}
	fprintf(stderr, "lnsctl: %s", *body ? body : "lnsd refused the command\n");
	free(answer);
	return 1;
}
