#include "ext/core/time.h"

#include <chrono>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace doctor {

int64_t UnixMs() { return absl::ToUnixMillis(absl::Now()); }

double MonotonicMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string IsoTime(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

}  // namespace doctor
