// A fixed log-scale latency histogram: half-octave buckets (each bucket's upper bound is sqrt(2)
// times its lower bound) from 1 µs to 2^30 µs (about 18 minutes), additive so that histograms from
// many processes merge exactly by adding bucket counts. Pure C++.
//
//   bucket 0            [0, 1 µs)
//   bucket i, 1..60     [2^((i-1)/2) µs, 2^(i/2) µs)
//   bucket 61           [2^30 µs, infinity)
//
// Percentiles come from the cumulative counts with geometric interpolation inside the bucket
// that holds the rank, clamped to the observed min and max: the estimate is always inside the
// bucket that holds the exact percentile (a unit test checks it).
#ifndef DOCTOR_TIMING_HISTOGRAM_H_
#define DOCTOR_TIMING_HISTOGRAM_H_

#include <array>
#include <cstdint>
#include <string>

namespace doctor::timing {

inline constexpr int kBuckets = 62;
using Buckets = std::array<uint64_t, kBuckets>;

// The bucket of a duration in nanoseconds.
int BucketOf(double ns);
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
