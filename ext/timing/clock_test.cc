#include "ext/timing/clock.h"

#include <time.h>

#include <cstdlib>

#include "ext/core/time.h"
#include "gtest/gtest.h"

namespace doctor::timing {
namespace {

void SleepMs(int ms) {
  timespec ts{0, ms * 1000000L};
  nanosleep(&ts, nullptr);
}

TEST(TraceClock, MeasuresElapsedTimeLikeTheMonotonicClock) {
  CalibrateTraceClock();
  const int64_t mono0 = MonotonicNs();
  const int64_t ticks0 = TraceClockNow();
  SleepMs(50);
  const int64_t ticks1 = TraceClockNow();
  const int64_t mono1 = MonotonicNs();
  const double traced = TraceTicksToNs(ticks1 - ticks0);
  const double truth = static_cast<double>(mono1 - mono0);
  EXPECT_GE(traced, 50e6);
  // The readings are nested inside the monotonic ones: within 1% (the calibration's error is
  // ~1e-4) plus the cost of a clock read.
  EXPECT_LE(traced, truth * 1.01 + 1000);
}

TEST(TraceClock, IsMonotonic) {
  CalibrateTraceClock();
  int64_t last = TraceClockNow();
  for (int i = 0; i < 100000; ++i) {
    const int64_t now = TraceClockNow();
    ASSERT_GE(now, last);
    last = now;
  }
}

TEST(TraceClock, ConvertsReadingsToUnixMilliseconds) {
  CalibrateTraceClock();
  const int64_t before = UnixMs();
  const int64_t ticks = TraceClockNow();
  const int64_t after = UnixMs();
  SleepMs(30);  // converted later, as folds do
  const int64_t unix_ms = TraceTimeOfDay().UnixMs(ticks);
  EXPECT_GE(unix_ms, before - 2);
  EXPECT_LE(unix_ms, after + 2);
}

}  // namespace
}  // namespace doctor::timing
