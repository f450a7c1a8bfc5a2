// The settings of query timing (shown in doctor_config, changed with doctor_set).
#ifndef DOCTOR_TIMING_SETTINGS_H_
#define DOCTOR_TIMING_SETTINGS_H_

#include "ext/core/setting.h"

namespace doctor::timing {

extern Setting kTimingOn;     // timing: on | off
extern Setting kStatsMax;     // stats_max: entries kept before the least used are evicted
extern Setting kSlowMs;       // slow_ms: threshold of the slow-query log
extern Setting kSlowMax;      // slow_max: size of the slow-query ring
extern Setting kSlowParams;   // slow_params: keep the expanded SQL (bound values) of slow ones
extern Setting kStatsShareMs;  // stats_share_ms: background store flush interval, 0 = off
extern Setting kStatsShareExamples;  // stats_share_examples: literal examples in the sidecar

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_SETTINGS_H_
