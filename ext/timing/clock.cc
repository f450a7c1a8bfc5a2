#include "ext/timing/clock.h"

#include <time.h>

#include <fstream>
#include <string>

#include "absl/base/call_once.h"
#include "ext/core/time.h"

namespace doctor::timing {
namespace clock_internal {
State state;
}  // namespace clock_internal

namespace {

absl::once_flag calibrated;

// The calibration's starting point, written once before use_tsc is set.
int64_t start_mono_ns = 0;
uint64_t start_tsc = 0;

bool KernelClocksourceIsTsc() {
  std::ifstream file("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string name;
  return static_cast<bool>(file >> name) && name == "tsc";
}

void Calibrate() {
  using clock_internal::state;
#if defined(__x86_64__)
  if (KernelClocksourceIsTsc()) {
    const int64_t mono0 = MonotonicNs();
    const uint64_t tsc0 = __rdtsc();
    int64_t mono1 = mono0;
    while (mono1 - mono0 < 1000000) mono1 = MonotonicNs();
    const uint64_t tsc1 = __rdtsc();
    if (tsc1 > tsc0) {
      start_mono_ns = mono0;
      start_tsc = tsc0;
      state.ns_per_tick.store(static_cast<double>(mono1 - mono0) /
                              static_cast<double>(tsc1 - tsc0));
      state.use_tsc.store(true);
    }
  }
#endif
}

}  // namespace

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void CalibrateTraceClock() { absl::call_once(calibrated, Calibrate); }

TraceTimeOfDay::TraceTimeOfDay() {
  CalibrateTraceClock();
  now_ticks_ = TraceClockNow();
  now_unix_ms_ = doctor::UnixMs();
#if defined(__x86_64__)
  if (clock_internal::state.use_tsc.load(std::memory_order_relaxed)) {
    const int64_t span_ns = MonotonicNs() - start_mono_ns;
    const uint64_t span_ticks = static_cast<uint64_t>(now_ticks_) - start_tsc;
    if (span_ns > 1000000000 && span_ticks > 0) {  // a longer span, a more exact rate
      clock_internal::state.ns_per_tick.store(
          static_cast<double>(span_ns) / static_cast<double>(span_ticks),
          std::memory_order_relaxed);
    }
  }
#endif
}

int64_t TraceTimeOfDay::UnixMs(int64_t ticks) const {
  return now_unix_ms_ - static_cast<int64_t>(TraceTicksToNs(now_ticks_ - ticks) / 1e6);
}

}  // namespace doctor::timing
