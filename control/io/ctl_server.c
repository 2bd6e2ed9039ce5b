/* SPDX-License-Identifier: BSD-2-Clause */
#include "ctl_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lns_log.h"

#define MAX_CONNS      8
#define LINE_MAX_LEN   2048  /* an HTTP request's headers fit */
#define IDLE_LIMIT_MS  5000  /* to send the request line */
#define STALL_LIMIT_MS 30000 /* to take some of the answer */

struct ctl_conn {
	int fd; /* -1: free */
	char line[LINE_MAX_LEN];
	size_t line_len;
	struct ctl_out out; /* the answer, once the line is complete */
	size_t sent;
	bool answering;
	uint64_t since_ms;
};

struct ctl_server {
	int fd;
	bool http;
	char path[108];
	ctl_handler_fn fn;
	void *ctx;
	struct ctl_conn conns[MAX_CONNS];
};

struct ctl_server *
ctl_server_open(const char *path, ctl_handler_fn fn, void *ctx)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	if (s == NULL)
		return NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		free(s);
		errno = ENAMETOOLONG;
		return NULL;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->fn = fn;
	s->ctx = ctx;
	for (int i = 0; i < MAX_CONNS; i++)
		s->conns[i].fd = -1;
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) { /* not ours to remove */
		free(s);
		errno = EEXIST;
		return NULL;
	}
	unlink(path); /* a socket left by a process that is gone */
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, 0660) != 0 || listen(s->fd, MAX_CONNS) != 0) {
		err = errno;
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

struct ctl_server *
ctl_server_open_http(uint32_t addr, uint16_t port, ctl_handler_fn fn, void *ctx)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, err;

	if (s == NULL)
		return NULL;
	sa.sin_addr.s_addr = htonl(addr);
	s->http = true;
	s->fn = fn;
	s->ctx = ctx;
	for (int i = 0; i < MAX_CONNS; i++)
		s->conns[i].fd = -1;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s->fd, MAX_CONNS) != 0) {
		err = errno;
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

static void
conn_close(struct ctl_conn *c)
{
	close(c->fd);
	c->fd = -1;
	ctl_out_free(&c->out);
}

void
ctl_server_close(struct ctl_server *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].fd >= 0)
			conn_close(&s->conns[i]);
	close(s->fd);
	if (!s->http)
		unlink(s->path);
	free(s);
}

/* The request line into words, then the command's answer behind the status line. */
static void
run_line(struct ctl_server *s, struct ctl_conn *c)
{
	char *argv[CTL_MAX_ARGS], *save = NULL;
	int argc = 0;
	bool json = false;
	struct ctl_out body;
	int rc;

	for (char *w = strtok_r(c->line, " \t\r", &save); w != NULL && argc < CTL_MAX_ARGS;
	     w = strtok_r(NULL, " \t\r", &save)) {
		if (argc == 0 && !json && strcmp(w, "json") == 0)
			json = true;
		else
			argv[argc++] = w;
	}
	ctl_out_init(&body, json);
	if (argc == 0) {
		body.json = false; /* errors are one line of text */
		body.len = 0;
		ctl_text(&body, "empty command\n");
		rc = -1;
	} else {
		rc = s->fn(s->ctx, argc, argv, &body);
	}
	ctl_out_finish(&body);
	ctl_out_init(&c->out, false);
	if (s->http)
		ctl_text(&c->out,
			 "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 rc == 0 ? "200 OK" : "404 Not Found", body.len);
	else
		ctl_text(&c->out, "%s\n", rc == 0 ? "ok" : "error");
	if (body.len > 0)
		ctl_text(&c->out, "%.*s", (int)body.len, body.buf);
	ctl_out_free(&body);
	c->answering = true;
	c->sent = 0;
}

/* Reads what is there; a full line runs the command. Returns false when the conn is done. */
static bool
conn_read(struct ctl_server *s, struct ctl_conn *c)
{
	ssize_t n = read(c->fd, c->line + c->line_len, sizeof(c->line) - 1 - c->line_len);
	char *nl;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
		return false;
	if (n < 0)
		return true;
	c->line_len += (size_t)n;
	c->line[c->line_len] = '\0';
	/* HTTP: the whole request head is read, so that closing does not reset the answer */
	if (s->http && strstr(c->line, "\r\n\r\n") == NULL && strstr(c->line, "\n\n") == NULL)
		nl = NULL;
	else
		nl = strchr(c->line, '\n');
	if (nl == NULL && c->line_len == sizeof(c->line) - 1) {
		ctl_out_init(&c->out, false);
		if (s->http)
			ctl_text(&c->out, "HTTP/1.0 431 Request Header Fields Too Large\r\n"
					  "Content-Length: 0\r\nConnection: close\r\n\r\n");
		else
			ctl_text(&c->out, "error\ncommand line too long\n");
		c->answering = true;
		return true;
	}
	if (nl != NULL) {
		*nl = '\0';
		run_line(s, c);
	}
	return true;
}

static bool
conn_write(struct ctl_conn *c)
{
	/* MSG_NOSIGNAL: a client gone before its answer must not kill lnsd with SIGPIPE */
	ssize_t n = send(c->fd, c->out.buf + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK;
	c->sent += (size_t)n;
	return c->sent < c->out.len;
}

static void
accept_new(struct ctl_server *s, uint64_t now_ms)
{
	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int i = 0;

		if (fd < 0)
			return;
		while (i < MAX_CONNS && s->conns[i].fd >= 0)
			i++;
		if (i == MAX_CONNS) {
			static const char busy[] = "error\nbusy: too many lnsctl connections\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL) <
			    0) { /* closed anyway */
			}
			close(fd);
			continue;
		}
		memset(&s->conns[i], 0, sizeof(s->conns[i]));
		s->conns[i].fd = fd;
		s->conns[i].since_ms = now_ms;
	}
}

unsigned
ctl_server_poll(struct ctl_server *s, uint64_t now_ms)
{
	unsigned busy = 0;

	accept_new(s, now_ms);
	for (int i = 0; i < MAX_CONNS; i++) {
		struct ctl_conn *c = &s->conns[i];
		bool open;

		if (c->fd < 0)
			continue;
		busy++;
		if (c->answering) {
			size_t before = c->sent;

			open = conn_write(c);
			if (c->sent != before)
				c->since_ms = now_ms;
			else if (now_ms - c->since_ms >= STALL_LIMIT_MS)
				open = false; /* a reader that never reads would hold its slot */
		} else
			open = conn_read(s, c) &&
			       (c->answering || now_ms - c->since_ms < IDLE_LIMIT_MS);
		if (c->answering && open && c->sent == 0)
			open = conn_write(c);
		if (!open)
			conn_close(c);
	}
	return busy;
}
