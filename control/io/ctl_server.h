/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsctl's server side: a UNIX stream socket the control loop polls,
 * never blocking. A client sends one line, "[json ]WORD...", and reads
 * "ok" or "error" on the first line, then the command's output, then EOF.
 * Connections are bounded, and one that says nothing for 5 s is closed.
 */
#ifndef CTL_SERVER_H
#define CTL_SERVER_H

#include <stdint.h>

#include "ctl_out.h"

#define CTL_MAX_ARGS 16

/* Runs a command; returns 0, or -1 after writing the error into out (text). */
typedef int (*ctl_handler_fn)(void *ctx, int argc, char **argv, struct ctl_out *out);

struct ctl_server;

/* Listens on path (a stale socket file there is replaced); NULL with errno. */
struct ctl_server *ctl_server_open(const char *path, ctl_handler_fn fn, void *ctx);
/*
 * The same over HTTP/1.0 on a TCP address (host order), for Prometheus:
 * "GET /metrics" becomes the command "GET /metrics" for fn, whose text is
 * the 200 answer's body; an error is a 404 with fn's text.
 */
struct ctl_server *ctl_server_open_http(uint32_t addr, uint16_t port, ctl_handler_fn fn, void *ctx);
void ctl_server_close(struct ctl_server *s);
/* Accepts, reads, runs and writes what it can now; returns how much it did. */
unsigned ctl_server_poll(struct ctl_server *s, uint64_t now_ms);

#endif
