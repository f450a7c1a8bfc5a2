// An index as a line of a Drizzle ORM schema (drizzle-orm/sqlite-core), so the schema file and the
// database stay in step and `drizzle-kit generate` produces the same index instead of proposing
// to drop it. Columns are written as `t.<property>` with the name drizzle-kit gives a column
// (snake_case as camelCase: run_at -> t.runAt; `t['due day']` when it is no JavaScript
// identifier): use your schema's property name where it differs. One home for the whole
// extension: index_advise, index_lint's fixes and schema_drift all write their lines here.
// A key that drizzle-kit generate would cut at a comma (an expression such as json_extract(a,
// '$.x')) gets a comment after the line saying to write its CREATE INDEX by hand.
// Pure C++, no SQLite.
//
// Example:
//   DrizzleIndexLine({"jobs", {{"priority", "", true}, {"run_at"}}, "state = 'queued'", false,
//                     "idx_jobs_q"})
//   // index('idx_jobs_q').on(sql`priority DESC`, t.runAt).where(sql`state = 'queued'`)
#ifndef DOCTOR_INDEXES_DRIZZLE_SCHEMA_H_
#define DOCTOR_INDEXES_DRIZZLE_SCHEMA_H_

#include <string>

#include "ext/indexes/index_def.h"

namespace doctor::indexes {

std::string DrizzleIndexLine(const IndexDef& d);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_DRIZZLE_SCHEMA_H_
