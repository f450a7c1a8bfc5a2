// Settings of the indexes area (doctor_set / doctor_config): how much captured workload
// index_lint must have observed before it calls an index unused and proposes DROP INDEX. One
// captured query, or an hour of traffic that misses the nightly job, proves nothing.
#ifndef DOCTOR_INDEXES_SETTINGS_H_
#define DOCTOR_INDEXES_SETTINGS_H_

#include "ext/core/setting.h"

namespace doctor::indexes {

extern Setting kUnusedMinCalls;    // captured calls in query_stats, all shapes together
extern Setting kUnusedMinQueries;  // distinct captured query shapes
extern Setting kUnusedMinHours;    // from the first captured call to the last

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SETTINGS_H_
