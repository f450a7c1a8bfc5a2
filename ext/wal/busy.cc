#include "ext/wal/busy.h"

#include <algorithm>

namespace doctor::wal {

int BusyDelayMs(int count, int64_t timeout_ms) {
  static const int kDelays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
  static const int kTotals[] = {0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228};
  constexpr int kN = sizeof(kDelays) / sizeof(kDelays[0]);
  if (count < 0) count = 0;
  int64_t delay, prior;
  if (count < kN) {
    delay = kDelays[count];
    prior = kTotals[count];
  } else {
    delay = kDelays[kN - 1];
    prior = kTotals[kN - 1] + delay * static_cast<int64_t>(count - (kN - 1));
  }
  if (prior + delay > timeout_ms) {
    delay = timeout_ms - prior;
    if (delay <= 0) return 0;
  }
  return static_cast<int>(delay);
}

void BusyCounters::OnCall(int count, double slept_ms, bool gave_up, double wait_so_far_ms) {
  if (count == 0) waits++;
  if (gave_up) {
    busy_errors++;
  } else {
    retries++;
  }
  wait_ms += slept_ms;
  longest_wait_ms = std::max(longest_wait_ms, wait_so_far_ms);
}

void BusyCounters::Merge(const BusyCounters& other) {
  waits += other.waits;
  retries += other.retries;
  wait_ms += other.wait_ms;
  longest_wait_ms = std::max(longest_wait_ms, other.longest_wait_ms);
  busy_errors += other.busy_errors;
}

}  // namespace doctor::wal
