// An index as a line of a Drizzle ORM schema (drizzle-orm/sqlite-core), so the schema file and the
// database stay in step and `drizzle-kit generate` produces the same index instead of proposing
// to drop it. Columns are written as `t.<column>` with the database's column name (`t["due day"]`
// when it is not a JavaScript identifier): use your schema's property name where it differs.
// Pure C++, no SQLite.
//
// Example:
//   DrizzleIndexLine({"jobs", {{"priority", "", true}, {"run_at"}}, "state = 'queued'", false,
//                     "idx_jobs_q"})
//   // index('idx_jobs_q').on(t.priority.desc(), t.run_at).where(sql`state = 'queued'`)
#ifndef DOCTOR_INDEXES_DRIZZLE_SCHEMA_H_
#define DOCTOR_INDEXES_DRIZZLE_SCHEMA_H_

#include <string>

#include "ext/indexes/index_def.h"

namespace doctor::indexes {

std::string DrizzleIndexLine(const IndexDef& d);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_DRIZZLE_SCHEMA_H_
