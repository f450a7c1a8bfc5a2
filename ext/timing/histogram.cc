#include "ext/timing/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_format.h"

namespace doctor::timing {

double BucketLowMs(int i) {
  if (i <= 0) return 0.0;
  return std::pow(2.0, (i - 1) / 2.0) / 1000.0;
}

double BucketHighMs(int i) {
  if (i >= kBuckets - 1) return INFINITY;
  return std::pow(2.0, i / 2.0) / 1000.0;
}

double Percentile(const Buckets& b, uint64_t count, double p, double min_ms, double max_ms) {
  if (count == 0) return 0.0;
  // The rank of the percentile among the sorted samples, 1-based ("nearest rank").
  const double rank = std::max(1.0, std::ceil(p * static_cast<double>(count)));
  uint64_t before = 0;
  for (int i = 0; i < kBuckets; ++i) {
    if (b[i] == 0) continue;
    if (static_cast<double>(before + b[i]) >= rank) {
      double lo = std::max(BucketLowMs(i), min_ms);
      double hi = std::min(BucketHighMs(i), max_ms);
      if (hi < lo) hi = lo;
      const double f = (rank - static_cast<double>(before)) / static_cast<double>(b[i]);
      double v = (lo > 0.0) ? lo * std::pow(hi / lo, f) : lo + (hi - lo) * f;
      return std::clamp(v, min_ms, max_ms);
    }
    before += b[i];
  }
  return max_ms;
}

std::string FormatMs(double ms) {
  if (ms < 0.01) return absl::StrFormat("%.1fµs", ms * 1000.0);
  if (ms < 1.0) return absl::StrFormat("%.0fµs", ms * 1000.0);
  if (ms < 100.0) return absl::StrFormat("%.1fms", ms);
  if (ms < 1000.0) return absl::StrFormat("%.0fms", ms);
  return absl::StrFormat("%.2fs", ms / 1000.0);
}

std::string Sparkline(const Buckets& b) {
  static const char* const kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  int first = -1, last = -1;
  uint64_t top = 0;
  for (int i = 0; i < kBuckets; ++i) {
    if (b[i] == 0) continue;
    if (first < 0) first = i;
    last = i;
    top = std::max(top, b[i]);
  }
  if (first < 0) return "";
  std::string line = FormatMs(BucketLowMs(first)) + " ";
  for (int i = first; i <= last; ++i) {
    if (b[i] == 0) {
      line += " ";
      continue;
    }
    int level = static_cast<int>(std::ceil(8.0 * static_cast<double>(b[i]) / top)) - 1;
    line += kBars[std::clamp(level, 0, 7)];
  }
  const double high = BucketHighMs(last);
  line += " " + (std::isinf(high) ? std::string("∞") : FormatMs(high));
  return line;
}

}  // namespace doctor::timing
