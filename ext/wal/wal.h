// The WAL health area: wal_health, wal_checkpoints, lock_stats, lock_stats_connections,
// doctor_known_issues, doctor_checkpoint(), and doctor's counting busy handler.
// User documentation: ext/wal/README.md.
#ifndef DOCTOR_WAL_WAL_H_
#define DOCTOR_WAL_WAL_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kWalArea;

}  // namespace doctor

#endif  // DOCTOR_WAL_WAL_H_
