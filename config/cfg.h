/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lnsd's configuration: one YAML file, read and validated before anything
 * starts. Every error names file:line:column and what was expected; a file
 * with any error is refused whole (lnsd does not start, a reload changes
 * nothing). The result is an immutable struct: a reload builds a new one
 * and the daemon swaps the pointer.
 */
#ifndef CFG_H
#define CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lns_log.h"

#define CFG_NAME_MAX	   64
#define CFG_MAX_PORTS	   8
#define CFG_MAX_SIDE_PORTS 4 /* facing the LACs, and facing the core */
#define CFG_MAX_LISTEN	   8
#define CFG_MAX_EAL_ARGS   32
#define CFG_MAX_AUTH	   3
#define CFG_MAX_RANGES	   16
#define CFG_MAX_ERRORS	   32
#define CFG_MSG_MAX	   512 /* file:line:column: and what is wrong */
#define CFG_MAX_RADIUS	   4
#define CFG_MAX_WORKERS	   16	/* lnsd's arrays of workers */
#define CFG_MAX_LCORE	   128	/* Debian's DPDK: RTE_MAX_LCORE */
#define CFG_MAX_CPU	   1024 /* CPU_SETSIZE */

/* Where a value was written, for messages that come after loading (file:line:column). */
struct cfg_where {
	unsigned line, col;
};

enum cfg_port_role { CFG_PORT_ACCESS, CFG_PORT_CORE, CFG_PORT_BOTH };
/* A packet to a subscriber whose encapsulation exceeds the access MTU. */
enum cfg_too_big { CFG_TOO_BIG_FRAGMENT, CFG_TOO_BIG_ICMP };
enum cfg_renegotiate { CFG_RENEG_ON_MISMATCH, CFG_RENEG_NEVER, CFG_RENEG_ALWAYS };
enum cfg_auth { CFG_AUTH_PAP, CFG_AUTH_CHAP, CFG_AUTH_MSCHAPV2 };
enum cfg_sequencing { CFG_SEQ_PEER, CFG_SEQ_NEVER, CFG_SEQ_ALWAYS };
/* Who authenticates a profile's subscribers. */
enum cfg_aaa { CFG_AAA_LOCAL, CFG_AAA_RADIUS };
/* What RADIUS sees of user@realm. */
enum cfg_realm { CFG_REALM_KEEP, CFG_REALM_STRIP };

struct cfg_dpdk {
	uint16_t workers; /* worker lcores; default 1 */
	/*
	 * EAL -l ("0-2") or, with '@' or '(', EAL --lcores ("0@0,1@1,2@1":
	 * lcores on fewer CPUs); empty: "0-<workers>". The lowest lcore is
	 * the control lcore; the next ones the workers.
	 */
	char lcores[CFG_NAME_MAX];
	bool lcores_map;		   /* --lcores syntax */
	uint16_t lcore_ids[CFG_MAX_LCORE]; /* as listed */
	unsigned n_lcores;		   /* workers + 1 at least */
	uint8_t cpus[CFG_MAX_CPU / 8];	   /* the CPUs they run on, a bit each */
	struct cfg_where lcores_at;	   /* 0:0 when not given */
	uint32_t memory_mb;		   /* default 512 */
	uint32_t mbufs;			   /* per NUMA socket in use; 0: from ports and workers */
	bool hugepages;			   /* default false (--no-huge); true with a PCI port */
	char file_prefix[CFG_NAME_MAX];	   /* EAL --file-prefix; default "lnsd" */
	bool capture;			   /* rte_pdump for dpdk-dumpcap; default true */
	char eal_args[CFG_MAX_EAL_ARGS][128]; /* appended as they are */
	unsigned n_eal_args;
};

struct cfg_port {
	char name[CFG_NAME_MAX];
	/*
	 * A virtual device as EAL's --vdev takes it ("net_af_packet0,iface=x"),
	 * or a PCI address as its allow-list -a does ("0000:3b:00.0", with
	 * device arguments after a comma).
	 */
	char device[128];
	bool pci;		   /* device is a PCI address */
	struct cfg_where at;	   /* the port's entry */
	uint16_t rx_queues;	   /* RX queues, spread over the workers; 0: one per worker */
	uint16_t rx_ring, tx_ring; /* descriptors; 0: what the NIC prefers, else 1024 */
	bool rx_checksum_offload;  /* the NIC's checksum checks, where it has them; default true */
	bool tx_checksum_offload;  /* the outer IPv4 checksum by the NIC; default false (measured) */
	enum cfg_port_role role;
	uint32_t ipv4; /* host order */
	uint8_t prefix_len;
	uint32_t aliases[CFG_MAX_LISTEN - 1]; /* more addresses on the same subnet */
	unsigned n_aliases;
	uint16_t vlan;	  /* 0: none */
	uint16_t mtu;	  /* default 1500 */
	uint32_t gateway; /* next hop for the core side; 0: none */
	uint8_t ipv6[16]; /* core side: our IPv6 address, answered in neighbour discovery */
	uint8_t ipv6_len;
	uint8_t gateway6[16]; /* core side: the IPv6 next hop; all zero: none */
	int too_big;	      /* enum cfg_too_big: fragment the outer IPv4 (default), or ICMP
				 "fragmentation needed" when the inner packet has DF */
};

struct cfg_l2tp {
	char host_name[CFG_NAME_MAX];	 /* default "lnsd" */
	uint32_t listen[CFG_MAX_LISTEN]; /* answering on UDP 1701; default: every access address */
	unsigned n_listen;
	uint16_t rx_window;		     /* default 4 */
	uint32_t hello_interval_s;	     /* default 60 */
	uint32_t rtx_initial_ms, rtx_max_ms; /* 1000, 8000 */
	uint8_t rtx_retries;		     /* 5 */
	uint32_t no_sessions_left_s;	     /* 10 */
	bool hide_avps; /* Assigned Tunnel and Session IDs hidden (tunnels with a secret) */
	uint32_t max_tunnels, max_sessions, max_sessions_per_tunnel;
};

/* Where lnsd's log lines go and how much of each category. */
enum cfg_log_target { CFG_LOG_STDERR, CFG_LOG_SYSLOG };

struct cfg_log {
	int target;		  /* enum cfg_log_target; default stderr */
	int facility;		  /* 0: daemon, 1..8: local0..local7 */
	int level[LOG_CAT_COUNT]; /* enum log_level per category; default info */
};

struct cfg_profile {
	char name[CFG_NAME_MAX];
	char match_host[CFG_NAME_MAX]; /* the LAC's host name; empty: any */
	uint32_t match_addr;	       /* the LAC's source network, host order */
	uint8_t match_prefix;	       /* 0 with match_addr 0: any */
	bool is_default;	       /* name "default": for unknown LACs */
	char secret[CFG_NAME_MAX];     /* empty: no tunnel authentication */
	uint32_t hello_interval_s;
	uint16_t rx_window;
	uint32_t max_sessions; /* 0: the global limit */
	enum cfg_renegotiate lcp_renegotiate;
	enum cfg_auth auth[CFG_MAX_AUTH];
	unsigned n_auth;
	bool proxy_auth;	 /* default true */
	uint16_t mru;		 /* default 1460 */
	uint16_t mss_clamp;	 /* 0: none */
	char pool[CFG_NAME_MAX]; /* empty: AAA or users give addresses */
	uint32_t dns[2];
	unsigned n_dns;
	bool ipv6;	     /* IPv6CP, and a /64 from the pool's prefix6 by RA */
	uint8_t dns6[2][16]; /* in RAs (RDNSS, RFC 8106) */
	unsigned n_dns6;
	uint32_t ra_interval_s; /* unsolicited RAs once started; default 200 */
	/* data Ns/Nr from us: peer: when the LAC sends Sequencing Required; always;
	   never: only when the LAC requires it, which RFC 2661 §5.4.5 makes binding */
	enum cfg_sequencing sequencing;
	uint32_t setup_rate;   /* new calls a second from this LAC; 0: no limit */
	uint32_t max_in_setup; /* calls being set up at once; 0: no limit */
	/* peer quirks, each counted where it applies */
	bool send_hello; /* default true */
	/* peer quirk: unknown AVPs with the M bit skipped, not fatal (hits counted per tunnel) */
	bool tolerate_unknown_mandatory_avp;
	/* the IPCP address lnsd gives itself on this profile's links; 0: ppp.local_address */
	uint32_t local_address;
	int aaa;       /* enum cfg_aaa; default local */
	int realm;     /* enum cfg_realm; default keep */
	unsigned line; /* where it was defined, for messages */
};

struct cfg_radius_server {
	uint32_t address;	       /* host order */
	uint16_t auth_port, acct_port; /* 1812, 1813 */
	char secret[CFG_NAME_MAX];
	/*
	 * Access answers without Message-Authenticator are refused (default
	 * true: Blast-RADIUS, CVE-2024-3596); false takes them from a legacy
	 * server that cannot sign, counted. Servers only, not dae_clients.
	 */
	bool require_message_authenticator;
};

/* RADIUS servers, tried in order: the next when one stops answering. */
struct cfg_radius {
	struct cfg_radius_server servers[CFG_MAX_RADIUS];
	unsigned n_servers;
	char nas_identifier[CFG_NAME_MAX]; /* default: the L2TP host name */
	uint32_t nas_ip_address;	   /* default: the access port's address */
	uint32_t timeout_ms;		   /* per attempt; default 1000 */
	uint8_t retries;		   /* attempts per server after the first; default 2 */
	uint16_t threads;		   /* AAA threads; default 2 */
	uint32_t queue;			   /* authentications waiting or in flight; default 4096 */
	uint32_t acct_backlog;		   /* accounting records kept for retry; default 65536 */
	uint32_t interim_interval_s;	   /* default 0: only when RADIUS asks */
	/* Dynamic Authorization (RFC 5176): Disconnect and CoA from these clients */
	uint32_t dae_listen;				      /* address to listen on; 0: off */
	uint16_t dae_port;				      /* default 3799 */
	struct cfg_radius_server dae_clients[CFG_MAX_RADIUS]; /* address and secret */
	unsigned n_dae_clients;
};

struct cfg_user {
	char name[CFG_NAME_MAX];
	char password[CFG_NAME_MAX];
	uint32_t ipv4; /* 0: from the pool; 0xffffffff: the subscriber chooses */
};

struct cfg_range {
	uint32_t first, last; /* host order, inclusive */
};

struct cfg_pool {
	char name[CFG_NAME_MAX];
	struct cfg_range ranges[CFG_MAX_RANGES];
	unsigned n_ranges;
	struct cfg_range exclude[CFG_MAX_RANGES];
	unsigned n_exclude;
	/* IPv6: a /64 for each subscriber out of this prefix (/32 to /63); len 0: none */
	uint8_t prefix6[16];
	uint8_t prefix6_len;
};

/* PPP settings for every profile (a profile may override them). */
struct cfg_ppp {
	/*
	 * The IPCP address lnsd gives itself, as Cisco's virtual template
	 * borrows it with "ip unnumbered". Default: the first core port's
	 * address, never one LACs dial: a LAC whose PPP client shares its host
	 * (xl2tpd and pppd) routes that address through its own tunnel.
	 */
	uint32_t local_address;
};

/* How operators reach lnsd: lnsctl's socket, Prometheus, DPDK telemetry. */
struct cfg_management {
	char socket[108];	 /* lnsctl's UNIX socket; default /run/lnsd.sock; "" none */
	uint32_t metrics_listen; /* Prometheus text over HTTP on this address; 0: off */
	uint16_t metrics_port;	 /* default 9464 */
	bool telemetry;		 /* /lnsd/... commands in DPDK telemetry; default true */
};

struct lns_config {
	char path[256];
	struct cfg_dpdk dpdk;
	struct cfg_port ports[CFG_MAX_PORTS];
	unsigned n_ports;
	struct cfg_l2tp l2tp;
	struct cfg_ppp ppp;
	struct cfg_log log;
	struct cfg_profile *profiles;
	unsigned n_profiles;
	struct cfg_user *users;
	unsigned n_users;
	struct cfg_pool *pools;
	unsigned n_pools;
	struct cfg_radius radius;
	struct cfg_management management;
};

struct cfg_errors {
	char msg[CFG_MAX_ERRORS][CFG_MSG_MAX];
	unsigned n;
	unsigned dropped; /* beyond CFG_MAX_ERRORS */
	/* what loads but is likely a mistake, with file:line:column as errors */
	char warning[CFG_MAX_ERRORS][CFG_MSG_MAX];
	unsigned n_warnings;
	unsigned warnings_dropped;
};

/*
 * Reads and validates path. Returns the configuration, or NULL with every
 * error found (up to CFG_MAX_ERRORS) in errs; warnings come either way.
 */
struct lns_config *cfg_load(const char *path, struct cfg_errors *errs);
void cfg_free(struct lns_config *c);
/* Two port devices that EAL takes for one: the same name before the first comma. */
bool cfg_same_device(const char *a, const char *b);
/* A PCI address as EAL takes it: [DDDD:]BB:DD.F, then the end or a comma. */
bool cfg_device_is_pci(const char *device);
/* CPU c is one the lcores run on. */
bool cfg_uses_cpu(const struct cfg_dpdk *d, unsigned c);

/* The profile for a LAC: its host name first, then its address, then "default". */
const struct cfg_profile *cfg_find_profile(const struct lns_config *c, const char *host,
					   size_t host_len, uint32_t addr);
const struct cfg_pool *cfg_find_pool(const struct lns_config *c, const char *name);
const struct cfg_user *cfg_find_user(const struct lns_config *c, const char *name, size_t name_len);

#endif
