// A fixed log-scale latency histogram: half-octave buckets (each bucket's upper bound is sqrt(2)
// times its lower bound) from 1 µs to 2^30 µs (about 18 minutes), additive so that histograms from
// many processes merge exactly by adding bucket counts. Pure C++.
//
//   bucket 0            [0, 1 µs)
//   bucket i, 1..60     [2^((i-1)/2) µs, 2^(i/2) µs)
//   bucket 61           [2^30 µs, infinity)
//
// Percentiles come from the cumulative counts with geometric interpolation inside the bucket
// that holds the rank, clamped to the observed min and max (Counters::PercentileMs passes them
// only when they are the histogram's extremes): the estimate is always inside the bucket that
// holds the exact percentile (a unit test checks it).
#ifndef DOCTOR_TIMING_HISTOGRAM_H_
#define DOCTOR_TIMING_HISTOGRAM_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace doctor::timing {

inline constexpr int kBuckets = 62;
using Buckets = std::array<uint64_t, kBuckets>;

// The bucket of a duration in microseconds. Inline: it runs once per statement.
inline int BucketOfUs(double us) {
  if (!(us >= 1.0)) return 0;  // also NaN and negatives
  // us = 1.f * 2^e: read e and f from the IEEE-754 bits.
  uint64_t bits;
  std::memcpy(&bits, &us, sizeof bits);
  const int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  // log2(us) = e + log2(1.f); the upper half of the octave starts at 1.f = sqrt(2), whose
  // fraction bits are 0x6A09E667F3BCD.
  const int half = (bits & ((uint64_t{1} << 52) - 1)) >= 0x6A09E667F3BCDULL ? 1 : 0;
  const int i = 2 * e + half + 1;
  return i < kBuckets - 1 ? i : kBuckets - 1;
}
// The lower and upper bound of bucket i in milliseconds (the last upper bound is infinity).
double BucketLowMs(int i);
double BucketHighMs(int i);

// The p-th percentile (0 < p <= 1) in milliseconds of `count` samples, or 0 when count is 0.
double Percentile(const Buckets& b, uint64_t count, double p, double min_ms, double max_ms);

// One line a person reads at a glance: the span from the lowest to the highest non-empty bucket
// drawn with block characters (▁ … █, a space for an empty bucket), between the two bounds:
// "45µs ▁▃█▂ 362µs". Empty when there are no samples.
std::string Sparkline(const Buckets& b);

// "0.8µs", "812µs", "12.4ms", "3.21s": a short human duration.
std::string FormatMs(double ms);

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_HISTOGRAM_H_
