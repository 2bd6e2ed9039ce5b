// SPDX-License-Identifier: BSD-2-Clause
// lnsd against the machine before EAL starts: each problem with the port's or the
// key's file:line:column and what to do, on a sysfs tree the test builds; and the
// EAL arguments a configuration gives.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

extern "C" {
#include "cfg.h"
#include "lnsd_host.h"
}

namespace
{

struct Sysfs {
	std::string root;
	Sysfs()
	{
		char tmpl[] = "/tmp/lnsd-sysfs-XXXXXX";
		root = mkdtemp(tmpl);
	}
	~Sysfs()
	{
		std::string cmd = "rm -rf '" + root + "'";
		EXPECT_EQ(0, system(cmd.c_str()));
	}
	void mkdirs(const std::string &rel)
	{
		std::string cmd = "mkdir -p '" + root + "/" + rel + "'";
		ASSERT_EQ(0, system(cmd.c_str()));
	}
	// a PCI device, bound to drv ("" none), in an IOMMU group or not
	void device(const std::string &addr, const std::string &drv, bool iommu_group)
	{
		std::string dev = "bus/pci/devices/" + addr;
		mkdirs(dev);
		if (!drv.empty()) {
			mkdirs("bus/pci/drivers/" + drv);
			ASSERT_EQ(0, symlink((root + "/bus/pci/drivers/" + drv).c_str(),
					     (root + "/" + dev + "/driver").c_str()));
		}
		if (iommu_group) {
			mkdirs("kernel/iommu_groups/7");
			ASSERT_EQ(0, symlink((root + "/kernel/iommu_groups/7").c_str(),
					     (root + "/" + dev + "/iommu_group").c_str()));
		}
	}
	void free_hugepages(unsigned n)
	{
		mkdirs("kernel/mm/hugepages/hugepages-2048kB");
		std::ofstream(root + "/kernel/mm/hugepages/hugepages-2048kB/free_hugepages") << n;
	}
};

struct Loaded {
	lns_config *c = nullptr;
	std::string path;
	~Loaded()
	{
		cfg_free(c);
		remove(path.c_str());
	}
};

std::unique_ptr<Loaded>
load(const std::string &text)
{
	static int n;
	auto l = std::make_unique<Loaded>();
	cfg_errors errs;
	l->path = "test_host_" + std::to_string(n++) + ".yaml";
	std::ofstream(l->path) << text;
	l->c = cfg_load(l->path.c_str(), &errs);
	EXPECT_NE(nullptr, l->c) << (errs.n ? errs.msg[0] : "");
	return l;
}

cpu_set_t
cpus(unsigned n)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	for (unsigned i = 0; i < n; i++)
		CPU_SET(i, &s);
	return s;
}

// What lnsd_check_host says, and how many errors.
std::pair<unsigned, std::string>
check(const lns_config *c, const Sysfs &sys, unsigned n_cpus = 2)
{
	char *buf = nullptr;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	cpu_set_t allowed = cpus(n_cpus);
	unsigned errors = lnsd_check_host(c, sys.root.c_str(), &allowed, out);
	fclose(out);
	std::string text(buf, len);
	free(buf);
	return { errors, text };
}

const char *const pci_ports =
	"ports:\n"
	"  - {name: acc, device: \"0000:3b:00.0\", role: access,"
	" address: 192.0.2.1/24}\n"
	"  - {name: core, device: \"3b:00.1,rxq_pkt_fill_thresh=1\", role: core,"
	" address: 198.51.100.1/24}\n";

std::vector<std::string>
eal_args(const lns_config *c)
{
	static struct lnsd_eal_args a;
	lnsd_eal_args(c, "lnsd", &a);
	std::vector<std::string> v;
	for (int i = 0; i < a.argc; i++)
		v.push_back(a.argv[i]);
	EXPECT_EQ(nullptr, a.argv[a.argc]);
	return v;
}

bool
has(const std::vector<std::string> &v, const std::string &a, const std::string &b = "")
{
	for (size_t i = 0; i < v.size(); i++)
		if (v[i] == a && (b.empty() || (i + 1 < v.size() && v[i + 1] == b)))
			return true;
	return false;
}

} // namespace

TEST(Host, PciPortsBoundForDpdkPass)
{
	Sysfs sys;
	sys.device("0000:3b:00.0", "vfio-pci", true);
	sys.device("0000:3b:00.1", "uio_pci_generic", false);
	sys.free_hugepages(512);
	auto l = load(pci_ports);
	auto r = check(l->c, sys);
	EXPECT_EQ(0u, r.first) << r.second;
	EXPECT_EQ("", r.second);
}

TEST(Host, EachPciProblemIsNamedWithThePortsPositionAndTheFix)
{
	Sysfs sys;
	sys.device("0000:3b:00.0", "i40e", true);
	sys.free_hugepages(512);
	auto l = load(pci_ports);
	auto r = check(l->c, sys);
	EXPECT_EQ(2u, r.first);
	EXPECT_NE(std::string::npos,
		  r.second.find(l->path +
				":2:5: port 'acc': PCI device 0000:3b:00.0 is bound to "
				"i40e, a kernel driver, not vfio-pci or uio: dpdk-devbind.py "
				"--bind=vfio-pci 0000:3b:00.0"))
		<< r.second;
	EXPECT_NE(std::string::npos,
		  r.second.find(l->path + ":3:5: port 'core': there is no PCI device 0000:3b:00.1"))
		<< r.second;

	Sysfs nogroup;
	nogroup.device("0000:3b:00.0", "vfio-pci", false);
	nogroup.device("0000:3b:00.1", "", false);
	nogroup.free_hugepages(512);
	r = check(l->c, nogroup);
	EXPECT_EQ(2u, r.first);
	EXPECT_NE(std::string::npos, r.second.find("bound to vfio-pci but has no IOMMU group"))
		<< r.second;
	EXPECT_NE(std::string::npos, r.second.find("0000:3b:00.1 is bound to no driver"))
		<< r.second;
}

TEST(Host, VfioWithoutAGroupPassesInNoIommuMode)
{
	Sysfs sys;
	sys.device("0000:3b:00.0", "vfio-pci", false);
	sys.device("0000:3b:00.1", "vfio-pci", false);
	sys.mkdirs("module/vfio/parameters");
	std::ofstream(sys.root + "/module/vfio/parameters/enable_unsafe_noiommu_mode") << "Y\n";
	sys.free_hugepages(512);
	auto l = load(pci_ports);
	EXPECT_EQ(0u, check(l->c, sys).first);
}

TEST(Host, TooFewHugepagesIsAWarning)
{
	Sysfs sys;
	sys.device("0000:3b:00.0", "vfio-pci", true);
	sys.device("0000:3b:00.1", "vfio-pci", true);
	sys.free_hugepages(10);
	auto l = load(pci_ports); // hugepages on by default with a PCI port; 512 MB
	auto r = check(l->c, sys);
	EXPECT_EQ(0u, r.first);
	EXPECT_NE(std::string::npos,
		  r.second.find("warning: dpdk.memory_mb 512 wants 512 MB of hugepages, 20 MB are "
				"free"))
		<< r.second;
}

TEST(Host, LcoresOnCpusThisMachineLacksAreNamed)
{
	Sysfs sys;
	auto l = load("dpdk:\n  workers: 2\n");
	auto r = check(l->c, sys, 2);
	EXPECT_EQ(1u, r.first);
	EXPECT_NE(std::string::npos,
		  r.second.find(l->path + ":2:12: dpdk.lcores '0-2' runs lcores on CPU 2, which "
					  "lnsd may not use here (2 CPUs allowed)"))
		<< r.second;
	auto mapped = load("dpdk:\n  workers: 2\n  lcores: \"0@0,1@1,2@1\"\n");
	EXPECT_EQ(0u, check(mapped->c, sys, 2).first);
}

TEST(Host, EalArgumentsAllowPciPortsAndMapLcores)
{
	auto l = load(std::string(pci_ports) + "dpdk:\n  workers: 2\n  lcores: \"0@0,1@1,2@1\"\n");
	auto a = eal_args(l->c);
	EXPECT_FALSE(has(a, "--no-pci")) << "EAL must scan the PCI ports it is allowed";
	EXPECT_FALSE(has(a, "--no-huge"));
	EXPECT_TRUE(has(a, "-a", "0000:3b:00.0"));
	EXPECT_TRUE(has(a, "-a", "3b:00.1,rxq_pkt_fill_thresh=1"));
	EXPECT_TRUE(has(a, "--lcores", "0@0,1@1,2@1"));
	EXPECT_FALSE(has(a, "-l"));

	auto v = load("ports:\n"
		      "  - {name: trunk-a, device: \"net_tap0,iface=t\", role: access, vlan: 10,"
		      " address: 192.0.2.1/24}\n"
		      "  - {name: trunk-c, device: net_tap0, role: core, vlan: 20,"
		      " address: 198.51.100.1/24}\n");
	a = eal_args(v->c);
	EXPECT_TRUE(has(a, "--no-pci")) << "virtual devices only: no NIC taken by surprise";
	EXPECT_TRUE(has(a, "--no-huge"));
	EXPECT_TRUE(has(a, "-l", "0-1"));
	EXPECT_TRUE(has(a, "--vdev=net_tap0,iface=t"));
	EXPECT_FALSE(has(a, "--vdev=net_tap0")) << "one device once, however many VLANs it carries";
}

TEST(Host, DeviceNamesAsEalGivesThem)
{
	char name[64];
	lnsd_device_name("3b:00.1,arg=1", name, sizeof(name));
	EXPECT_STREQ("0000:3b:00.1", name);
	lnsd_device_name("0000:af:00.0", name, sizeof(name));
	EXPECT_STREQ("0000:af:00.0", name);
	lnsd_device_name("net_af_packet0,iface=x", name, sizeof(name));
	EXPECT_STREQ("net_af_packet0", name);
}
