// The WAL health area: wal_health, wal_checkpoints, lock_stats, lock_stats_connections,
// doctor_checkpoint().
// User documentation: ext/wal/README.md.
#ifndef DOCTOR_WAL_WAL_H_
#define DOCTOR_WAL_WAL_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kWalArea;

}  // namespace doctor

#endif  // DOCTOR_WAL_WAL_H_
