/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The machine against the configuration, before EAL starts (lnsd_host.c):
 * CPUs, PCI ports and their drivers, hugepages. No DPDK in here.
 */
#ifndef LNSD_HOST_H
#define LNSD_HOST_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cfg.h"

/*
 * Every problem as file:line:column: what, and what to do, on out; sysfs
 * is "/sys" (a test gives a tree of its own), allowed the CPUs lnsd may
 * run on (sched_getaffinity). Returns the number of errors.
 */
#define LNSD_EAL_MAX_ARGS (16 + 2 * CFG_MAX_PORTS + CFG_MAX_EAL_ARGS)

struct lnsd_eal_args {
	char buf[LNSD_EAL_MAX_ARGS][160];
	char *argv[LNSD_EAL_MAX_ARGS + 1];
	int argc;
};

/* rte_eal_init's arguments for the configuration (the program's name first). */
void lnsd_eal_args(const struct lns_config *c, const char *prog, struct lnsd_eal_args *a);
unsigned lnsd_check_host(const struct lns_config *c, const char *sysfs, const cpu_set_t *allowed,
			 FILE *out);
/* Why a PCI device cannot be DPDK's (true, the reason in why), or false when it can. */
bool lnsd_pci_diagnose(const char *sysfs, const char *device, char *why, size_t cap);
/* The name EAL gives a port's device: "0000:3b:00.0" for "3b:00.0,arg=1", "net_tap0" for
 * "net_tap0,iface=x". */
void lnsd_device_name(const char *device, char *out, size_t cap);

#endif
