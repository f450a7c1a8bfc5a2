#include "ext/wal/busy.h"

#include "gtest/gtest.h"

namespace doctor::wal {
namespace {

TEST(BusyDelay, MatchesSqliteSchedule) {
  // sqliteDefaultBusyCallback with a 100 ms timeout: 1+2+5+10+15+20+25 = 78, then 22, then stop.
  const int expected[] = {1, 2, 5, 10, 15, 20, 25, 22, 0};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(BusyDelayMs(i, 100), expected[i]) << i;
  EXPECT_EQ(BusyDelayMs(0, 0), 0);  // timeout 0: give up at once, like no handler
  EXPECT_EQ(BusyDelayMs(20, 100000), 100);
  int64_t total = 0;
  for (int i = 0; BusyDelayMs(i, 5000) > 0; ++i) total += BusyDelayMs(i, 5000);
  EXPECT_EQ(total, 5000);
}

TEST(BusyStats, CountsWaitsRetriesAndErrors) {
  BusyStats s;
  s.OnCall(0, 1, false);
  s.OnCall(1, 2, false);
  s.OnCall(2, 0, true);  // gave up after 3 ms
  s.OnCall(0, 1, false);  // a second wait that succeeded
  BusyCounters c = s.Snapshot();
  EXPECT_EQ(c.waits, 2);
  EXPECT_EQ(c.retries, 3);
  EXPECT_EQ(c.busy_errors, 1);
  EXPECT_DOUBLE_EQ(c.wait_ms, 4);
  EXPECT_DOUBLE_EQ(c.longest_wait_ms, 3);
}

}  // namespace
}  // namespace doctor::wal
