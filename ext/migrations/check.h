// migrate_check(sql): a dry run of a migration inside a savepoint that is always rolled back,
// reporting what it would do to the data: destructive statements with the rows at stake, table
// rebuilds, rows deleted or changed by foreign-key actions as a side effect (counted in the dry
// run), PRAGMAs without effect inside a transaction, foreign-key violations afterwards, new
// foreign keys without an index on the child columns, NOT NULL columns added without a default
// to non-empty tables, triggers a rebuild drops, views that block a rebuild's RENAME, and the
// time the dry run took; and the captured hot queries whose plan the migration changes
// (replay.h).
#ifndef DOCTOR_MIGRATIONS_CHECK_H_
#define DOCTOR_MIGRATIONS_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/private_db.h"
#include "ext/core/sqlite.h"
#include "ext/core/value.h"
#include "ext/migrations/schema.h"

namespace doctor::migrations {

struct Finding {
  std::string severity;  // error | warning | info
  std::string kind;      // destructive, cascade, table_rebuild, ... (README: migrate_check)
  std::string object;    // the table, column, index or statement it is about
  std::string detail;    // what happens, with the statement and the rows at stake
  size_t statement = 0;  // 1-based statement it is about; 0: the whole migration
  int64_t rows = 0;      // cascade: the rows deleted
  std::string migrate_dir;  // what happens when migrate() / migrate_dir runs it (risk_by_tool.h)
  std::string drizzle;      // what happens under Drizzle's migrator / drizzle-kit migrate
};

// A hot query of the application (query_stats), replayed before and after the migration.
struct HotQuery {
  std::string sql;   // the captured example, else the normalized text
  double share = 0;  // its share of the measured time of this database, 0..1
  int64_t query_id = 0;        // query_stats.query_id (0: unknown)
  std::vector<Value> params;   // values bound to its parameters 1..n (replay_params.h)
  std::string assumed;         // where they come from, for the detail ("" when none)
};

// The findings of a dry run of `sql`. Runs on `db`, which must not
// have a statement in progress (DROP TABLE refuses then): the glue gives it a second connection
// to the same file or an in-memory copy. `caller_in_transaction`: migrate() would run inside the
// caller's transaction, where PRAGMA foreign_keys cannot be changed. `journal_mode`: the
// database's (not the copy's), for the PRAGMA journal_mode that migrate() refuses. `hot`: queries replayed
// before and after the migration (replay.h), each plan change a `plan_change` finding;
// `private_db` owns `db` (for the replay's step budget), or nullptr. `earlier`: the text of the
// migrations that run before this one (a folder's earlier pending ones, joined), run first in
// each dry run and not checked themselves, so a migration that uses a table an earlier pending
// one creates is checked on the database it will meet; when one of them fails (or is a statement
// migrate() refuses), an error naming it and nothing is checked.
absl::StatusOr<std::vector<Finding>> CheckMigration(sqlite3* db, FactCache* cache,
                                                    const std::string& sql,
                                                    bool caller_in_transaction,
                                                    const std::string& journal_mode,
                                                    const std::vector<HotQuery>& hot = {},
                                                    PrivateDb* private_db = nullptr,
                                                    const std::string& earlier = "");

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_CHECK_H_
