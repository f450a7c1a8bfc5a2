// Query timing: pg_stat_statements for SQLite (see README.md in this folder).
#ifndef DOCTOR_TIMING_TIMING_H_
#define DOCTOR_TIMING_TIMING_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kTimingArea;

}  // namespace doctor

#endif  // DOCTOR_TIMING_TIMING_H_
