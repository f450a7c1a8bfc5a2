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

TEST(BusyCounters, CountsWaitsRetriesAndErrors) {
  BusyCounters c;
  c.OnCall(0, 1, false, 1);
  c.OnCall(1, 2, false, 3);
  c.OnCall(2, 0, true, 3);  // gave up after 3 ms
  c.OnCall(0, 1, false, 1);  // a second wait that succeeded
  EXPECT_EQ(c.waits, 2);
  EXPECT_EQ(c.retries, 3);
  EXPECT_EQ(c.busy_errors, 1);
  EXPECT_DOUBLE_EQ(c.wait_ms, 4);
  EXPECT_DOUBLE_EQ(c.longest_wait_ms, 3);
}

TEST(BusyCounters, MergeSumsAndKeepsTheLongestWait) {
  BusyCounters a, b;
  a.OnCall(0, 5, false, 5);
  b.OnCall(0, 2, false, 2);
  b.OnCall(1, 0, true, 2);
  a.Merge(b);
  EXPECT_EQ(a.waits, 2);
  EXPECT_EQ(a.retries, 2);
  EXPECT_EQ(a.busy_errors, 1);
  EXPECT_DOUBLE_EQ(a.wait_ms, 7);
  EXPECT_DOUBLE_EQ(a.longest_wait_ms, 5);
}

}  // namespace
}  // namespace doctor::wal
