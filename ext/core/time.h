// Time, one home: the wall clock as unix milliseconds and ISO text (UTC), and a monotonic clock for
// durations. Durations are never taken from the wall clock (it can step), and times of day never
// from the monotonic one. (The trace callback's own cheaper clock is ext/timing/clock.h.)
//
// Example:
//   const double start = MonotonicMs();
//   ...
//   double took_ms = MonotonicMs() - start;
//   IsoTime(UnixMs()) == "2026-12-06T05:35:31.123Z"
#ifndef DOCTOR_CORE_TIME_H_
#define DOCTOR_CORE_TIME_H_

#include <cstdint>
#include <string>

namespace doctor {

// Wall clock: milliseconds since 1970-01-01 UTC.
int64_t UnixMs();

// Monotonic clock in milliseconds (fractional), for durations only.
double MonotonicMs();

// "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC.
std::string IsoTime(int64_t unix_ms);

// CPU time this process has used, in seconds, for CPU budgets (a busy machine must not starve
// work of its budget). std::clock() on Linux and macOS; on Windows, where clock() is wall time,
// GetProcessTimes (kernel + user; it advances in scheduler ticks, ~16 ms).
double ProcessCpuSeconds();

}  // namespace doctor

#endif  // DOCTOR_CORE_TIME_H_
