/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the machine must offer a configuration before EAL starts, checked
 * in lnsd's words rather than EAL's: the CPUs the lcores run on, each PCI
 * port bound to a driver DPDK can drive (with an IOMMU group for
 * vfio-pci), and free hugepages. Only files under /sys are read, so that
 * --check-config can say it all and the tests can give a tree of their own.
 */
#include "lnsd_host.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * EAL's arguments: PCI ports on its allow-list (and no PCI scan at all
 * when there are none, so that lnsd never takes a NIC it was not given),
 * virtual devices as --vdev, one device once however many ports it
 * carries (a trunk's VLANs), the lcores as -l or --lcores.
 */
void
lnsd_eal_args(const struct lns_config *c, const char *prog, struct lnsd_eal_args *a)
{
	bool any_pci = false;

#define ARG(...)                                                                   \
	do {                                                                       \
		if (a->argc < LNSD_EAL_MAX_ARGS) {                                 \
			snprintf(a->buf[a->argc], sizeof(a->buf[0]), __VA_ARGS__); \
			a->argv[a->argc] = a->buf[a->argc];                        \
			a->argc++;                                                 \
		}                                                                  \
	} while (0)
	a->argc = 0;
	ARG("%s", prog);
	for (unsigned i = 0; i < c->n_ports; i++)
		any_pci = any_pci || c->ports[i].pci;
	if (!any_pci)
		ARG("--no-pci");
	/* dpdk-dumpcap and dpdk-proc-info attach as secondary processes: they need the
	   shared configuration under /var/run/dpdk/PREFIX */
	if (!(c->dpdk.capture && c->dpdk.hugepages))
		ARG("--no-shconf");
	ARG("--file-prefix=%s", c->dpdk.file_prefix);
	if (!c->dpdk.hugepages)
		ARG("--no-huge");
	ARG("-m");
	ARG("%u", c->dpdk.memory_mb);
	ARG("%s", c->dpdk.lcores_map ? "--lcores" : "-l");
	ARG("%s", c->dpdk.lcores);
	ARG("--log-level=warning");
	for (unsigned i = 0; i < c->n_ports; i++) {
		bool listed = false;

		for (unsigned j = 0; j < i; j++)
			listed = listed || cfg_same_device(c->ports[j].device, c->ports[i].device);
		if (listed)
			continue;
		if (c->ports[i].pci) {
			ARG("-a");
			ARG("%s", c->ports[i].device);
		} else {
			ARG("--vdev=%s", c->ports[i].device);
		}
	}
	for (unsigned i = 0; i < c->dpdk.n_eal_args; i++)
		ARG("%s", c->dpdk.eal_args[i]);
#undef ARG
	a->argv[a->argc] = NULL;
}

/* Kernel drivers under which DPDK drives a NIC: its own, or mlx5's bifurcated one. */
static const char *const dpdk_drivers[] = { "vfio-pci", "uio_pci_generic", "igb_uio", "mlx5_core",
					    NULL };

void
lnsd_device_name(const char *device, char *out, size_t cap)
{
	size_t n = strcspn(device, ",");

	if (cfg_device_is_pci(device) && n == 7)
		snprintf(out, cap, "0000:%.*s", (int)n, device); /* EAL names it with its domain */
	else
		snprintf(out, cap, "%.*s", (int)n, device);
}

static void
where(FILE *out, const struct lns_config *c, const struct cfg_where *at)
{
	fprintf(out, "%s:%u:%u: ", c->path, at->line, at->col);
}

/* The driver a PCI device is bound to, "" for none; false when there is no such device. */
static bool
pci_driver(const char *sysfs, const char *addr, char *drv, size_t cap)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs, addr);
	if (stat(path, &st) != 0)
		return false;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", sysfs, addr);
	n = readlink(path, link, sizeof(link) - 1);
	drv[0] = '\0';
	if (n > 0) {
		const char *base;
		size_t len;

		link[n] = '\0';
		base = strrchr(link, '/');
		base = base != NULL ? base + 1 : link;
		len = strnlen(base, cap - 1);
		memcpy(drv, base, len); /* a driver's name: short, or cut */
		drv[len] = '\0';
	}
	return true;
}

static bool
dpdk_can_drive(const char *drv)
{
	for (unsigned i = 0; dpdk_drivers[i] != NULL; i++)
		if (strcmp(drv, dpdk_drivers[i]) == 0)
			return true;
	return false;
}

/* vfio-pci needs the device in an IOMMU group, or vfio's unsafe no-IOMMU mode. */
static bool
vfio_usable(const char *sysfs, const char *addr)
{
	char path[PATH_MAX], mode = 'N';
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", sysfs, addr);
	if (stat(path, &st) == 0)
		return true;
	snprintf(path, sizeof(path), "%s/module/vfio/parameters/enable_unsafe_noiommu_mode", sysfs);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fread(&mode, 1, 1, f) != 1)
			mode = 'N';
		fclose(f);
	}
	return mode == 'Y' || mode == '1';
}

bool
lnsd_pci_diagnose(const char *sysfs, const char *device, char *why, size_t cap)
{
	char addr[64], drv[64];

	lnsd_device_name(device, addr, sizeof(addr));
	if (!pci_driver(sysfs, addr, drv, sizeof(drv)))
		snprintf(why, cap,
			 "there is no PCI device %s on this machine (lspci -D lists them)", addr);
	else if (drv[0] == '\0')
		snprintf(why, cap,
			 "PCI device %s is bound to no driver: dpdk-devbind.py --bind=vfio-pci %s",
			 addr, addr);
	else if (!dpdk_can_drive(drv))
		snprintf(why, cap,
			 "PCI device %s is bound to %s, a kernel driver, not vfio-pci or uio: "
			 "dpdk-devbind.py --bind=vfio-pci %s",
			 addr, drv, addr);
	else if (strcmp(drv, "vfio-pci") == 0 && !vfio_usable(sysfs, addr))
		snprintf(
			why, cap,
			"PCI device %s is bound to vfio-pci but has no IOMMU group: turn the IOMMU "
			"on (VT-d or AMD-Vi in the BIOS, intel_iommu=on or amd_iommu=on on the "
			"kernel command line) or bind it to uio_pci_generic",
			addr);
	else
		return false;
	return true;
}

static unsigned
check_cpus(const struct lns_config *c, const cpu_set_t *allowed, FILE *out)
{
	unsigned first = CFG_MAX_CPU, n_allowed = (unsigned)CPU_COUNT(allowed);

	for (unsigned cpu = 0; cpu < CFG_MAX_CPU && first == CFG_MAX_CPU; cpu++)
		if (cfg_uses_cpu(&c->dpdk, cpu) && (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, allowed)))
			first = cpu;
	if (first == CFG_MAX_CPU)
		return 0;
	where(out, c, &c->dpdk.lcores_at);
	fprintf(out,
		"dpdk.lcores '%s' runs lcores on CPU %u, which lnsd may not use here (%u CPUs "
		"allowed): with fewer CPUs than lcores, map them, e.g. '0@0,1@1,2@1'\n",
		c->dpdk.lcores, first, n_allowed);
	return 1;
}

static unsigned
check_pci_ports(const struct lns_config *c, const char *sysfs, FILE *out)
{
	unsigned errors = 0;

	for (unsigned i = 0; i < c->n_ports; i++) {
		char why[512];

		if (!c->ports[i].pci ||
		    !lnsd_pci_diagnose(sysfs, c->ports[i].device, why, sizeof(why)))
			continue;
		where(out, c, &c->ports[i].at);
		fprintf(out, "port '%s': %s\n", c->ports[i].name, why);
		errors++;
	}
	return errors;
}

/* Free hugepages of every size, in kB. */
static unsigned long long
free_hugepages_kb(const char *sysfs)
{
	static const unsigned sizes_kb[] = { 2048, 1048576 };
	unsigned long long total = 0;

	for (unsigned i = 0; i < sizeof(sizes_kb) / sizeof(sizes_kb[0]); i++) {
		char path[PATH_MAX];
		unsigned long long n = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/kernel/mm/hugepages/hugepages-%ukB/free_hugepages",
			 sysfs, sizes_kb[i]);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%llu", &n) == 1)
			total += n * sizes_kb[i];
		fclose(f);
	}
	return total;
}

/*
 * A warning only: DPDK takes back the hugepage files a previous lnsd left
 * (they count as used), and tells itself when memory runs short.
 */
static unsigned
check_hugepages(const struct lns_config *c, const char *sysfs, FILE *out)
{
	unsigned long long want = (unsigned long long)c->dpdk.memory_mb * 1024,
			   have = free_hugepages_kb(sysfs);

	if (!c->dpdk.hugepages || have >= want)
		return 0;
	fprintf(out,
		"%s: warning: dpdk.memory_mb %u wants %llu MB of hugepages, %llu MB are free "
		"(lnsd-hugepages, or hugepages=N on the kernel command line)\n",
		c->path, c->dpdk.memory_mb, want / 1024, have / 1024);
	return 0;
}

unsigned
lnsd_check_host(const struct lns_config *c, const char *sysfs, const cpu_set_t *allowed, FILE *out)
{
	return check_cpus(c, allowed, out) + check_pci_ports(c, sysfs, out) +
	       check_hugepages(c, sysfs, out);
}
