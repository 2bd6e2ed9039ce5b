// SPDX-License-Identifier: BSD-2-Clause
// The syslog sink: priority from facility and level, "category: line", and
// the per-category levels deciding what reaches it.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "lns_log.h"
}

#include <syslog.h> // after lns_log.h: its LOG_* macros shadow our level names below

namespace
{
std::vector<std::pair<int, std::string>> lines;

void
capture(int priority, const char *line)
{
	lines.emplace_back(priority, line);
}
} // namespace

TEST(Log, SyslogSinkMapsLevelsAndFacilityAndKeepsCategoryFilters)
{
	lines.clear();
	log_syslog_set_writer(capture);
	log_use_syslog("lnsd-test", 1);			// local0
	log_set_level(LOG_CAT_L2TP, (enum log_level)3); // debug
	log_set_level(LOG_CAT_PPP, (enum log_level)1);	// warn
	log_write(LOG_CAT_L2TP, (enum log_level)3, "Tnl %u L2TP: I SCCRQ from %s", 55270u, "hgw");
	log_write(LOG_CAT_L2TP, (enum log_level)0, "broken");
	log_write(LOG_CAT_MAIN, (enum log_level)1, "warned");
	// below PPP's level: filtered before any sink, as the LOG() macro does
	if (log_enabled(LOG_CAT_PPP, (enum log_level)2))
		log_write(LOG_CAT_PPP, (enum log_level)2, "not shown");
	ASSERT_EQ(3u, lines.size());
	EXPECT_EQ(LOG_LOCAL0 | LOG_DEBUG, lines[0].first);
	EXPECT_EQ("l2tp: Tnl 55270 L2TP: I SCCRQ from hgw", lines[0].second);
	EXPECT_EQ(LOG_LOCAL0 | LOG_ERR, lines[1].first);
	EXPECT_EQ(LOG_LOCAL0 | LOG_WARNING, lines[2].first);
	EXPECT_EQ("main: warned", lines[2].second);

	log_use_syslog("lnsd-test", 42); // out of range: daemon
	log_write(LOG_CAT_DP, (enum log_level)2, "info");
	ASSERT_EQ(4u, lines.size());
	EXPECT_EQ(LOG_DAEMON | LOG_INFO, lines[3].first);
	EXPECT_EQ("dataplane: info", lines[3].second);
	log_set_sink(nullptr, nullptr);
	log_syslog_set_writer(nullptr);
}
