// The clock of the trace callback, which reads it twice per statement. On x86-64, when the
// kernel's own clocksource is the TSC (so the TSC is constant-rate and synchronized across
// cores), it reads the TSC: ~10 ns against ~25 ns for clock_gettime(CLOCK_MONOTONIC) on this
// machine. Elsewhere it is clock_gettime(CLOCK_MONOTONIC).
//
// Example:
//   CalibrateTraceClock();                    // once, before the first reading
//   const int64_t start = TraceClockNow();
//   ...
//   const double ns = TraceTicksToNs(TraceClockNow() - start);  // or TraceTicksToMs
#ifndef DOCTOR_TIMING_CLOCK_H_
#define DOCTOR_TIMING_CLOCK_H_

#include <atomic>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace doctor::timing {

// Monotonic nanoseconds (clock_gettime).
int64_t MonotonicNs();

// Decides between the TSC and clock_gettime and measures the TSC's rate against
// CLOCK_MONOTONIC (a 1 ms spin, once per process; later calls return at once).
void CalibrateTraceClock();

// Converts earlier TraceClockNow() readings to unix milliseconds. Not for the hot path: it
// reads both system clocks once, when constructed, and refines the TSC's rate over the whole time
// since calibration, so a reading hours old still converts to the right millisecond.
class TraceTimeOfDay {
 public:
  TraceTimeOfDay();
  int64_t UnixMs(int64_t ticks) const;

 private:
  int64_t now_ticks_;
  int64_t now_unix_ms_;
};

namespace clock_internal {
// Together, so that the hot path reads one cache line for both.
struct alignas(16) State {
  std::atomic<bool> use_tsc{false};
  std::atomic<double> ns_per_tick{1.0};
};
extern State state;
}  // namespace clock_internal

inline int64_t TraceClockNow() {
#if defined(__x86_64__)
  if (clock_internal::state.use_tsc.load(std::memory_order_relaxed)) {
    return static_cast<int64_t>(__rdtsc());
  }
#endif
  return MonotonicNs();
}

inline double TraceTicksToNs(int64_t ticks) {
  return static_cast<double>(ticks) *
         clock_internal::state.ns_per_tick.load(std::memory_order_relaxed);
}
inline double TraceTicksToMs(int64_t ticks) { return TraceTicksToNs(ticks) * 1e-6; }

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_CLOCK_H_
