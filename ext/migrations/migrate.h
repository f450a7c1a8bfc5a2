// The migrations area: atomic, checksummed, drift-aware migrations that speak Drizzle.
//   migrate(name, sql), migrate_dir(path), migrate_baseline(path [, upto]),
//   migrate_revert(name [, path]), schema_hash([schema]),
//   migration_status([path]), migrate_check(sql), schema_diff(sql_a, sql_b).
// See ext/migrations/README.md.
#ifndef DOCTOR_MIGRATIONS_MIGRATE_H_
#define DOCTOR_MIGRATIONS_MIGRATE_H_

#include "ext/core/area.h"

namespace doctor {

extern const Area kMigrationsArea;

}  // namespace doctor

#endif  // DOCTOR_MIGRATIONS_MIGRATE_H_
