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

void BusyStats::OnCall(int count, double slept_ms, bool gave_up) {
  absl::MutexLock lock(&mu_);
  if (count == 0) {
    c_.waits++;
    current_wait_ms_ = 0;
  }
  if (gave_up) {
    c_.busy_errors++;
  } else {
    c_.retries++;
  }
  c_.wait_ms += slept_ms;
  current_wait_ms_ += slept_ms;
  c_.longest_wait_ms = std::max(c_.longest_wait_ms, current_wait_ms_);
}

BusyCounters BusyStats::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return c_;
}

}  // namespace doctor::wal
