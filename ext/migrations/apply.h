// Applying migrations atomically and journaling them (SQL glue over the pure pieces).
//
// How it works: a run opens BEGIN IMMEDIATE (or a SAVEPOINT when the caller is already inside a
// transaction; transaction.h), decides what is pending inside it from the journals, runs each migration's
// statements one by one (split with SplitStatements; Drizzle files first on their breakpoints),
// and writes doctor_migrations (and __drizzle_migrations for drizzle folders) in the same
// transaction. Any error rolls everything of that transaction back.
//
// Foreign keys: SQLite ignores PRAGMA foreign_keys inside a transaction, so a migration that
// asks for foreign_keys=OFF (drizzle-kit's table rebuilds) would otherwise cascade-delete child
// rows when it drops the parent. When such a migration runs on a connection with foreign keys
// on, the run turns them off before BEGIN, runs PRAGMA foreign_key_check before COMMIT (rolling
// back on any new violation) and turns them back on afterwards: lang_altertable.html's 12 steps.
#ifndef DOCTOR_MIGRATIONS_APPLY_H_
#define DOCTOR_MIGRATIONS_APPLY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/core/setting.h"
#include "ext/migrations/drizzle_table.h"
#include "ext/migrations/folder.h"
#include "ext/migrations/journal.h"
#include "ext/migrations/plan.h"
#include "ext/migrations/schema.h"

namespace doctor::migrations {

// migrate_schema_hash: record schema_before / schema_after for every migration (on by default).
extern Setting kSchemaHashSetting;

// Per-connection state: the schema fact cache.
class MigrateState : public AreaState {
 public:
  explicit MigrateState(Connection&) {}
  FactCache cache;
  absl::Mutex mu;
  LastScan last ABSL_GUARDED_BY(mu);
};

struct Migration {
  std::string name;
  std::string text;      // what runs, as given
  std::string checksum;  // sha256 hex of text
  std::string source;    // sql | dir | drizzle
  std::string kind = "apply";  // apply | revert
  std::string origin;    // the file it came from, if any
  bool breakpoints = false;  // drizzle: split on `--> statement-breakpoint` first
  bool drizzle = false;      // also record it in __drizzle_migrations
  std::optional<int64_t> created_at;
  std::optional<std::string> drizzle_name;  // folder-per-migration layout: the folder's name
  std::string drizzle_hash;  // what Drizzle records when it differs from checksum (not UTF-8)
};

// The statements of a migration in run order (blank and comment-only pieces left out).
std::vector<std::string> StatementsOf(const Migration& m);

// migrate(name, sql): "applied" or "already applied"; errors on drift or failure.
absl::StatusOr<std::string> MigrateOne(Connection& c, const Migration& m);

// migrate_dir(path): applies what is pending, returns how many.
absl::StatusOr<int64_t> MigrateFolder(Connection& c, const std::string& path);

// migrate_baseline(path [, upto]): journals pending migrations as applied without running them.
absl::StatusOr<int64_t> BaselineFolder(Connection& c, const std::string& path,
                                       const std::optional<std::string>& upto);

// migrate_revert(name [, path]): runs NNNN_name.down.sql and journals the revert.
absl::StatusOr<std::string> RevertOne(Connection& c, const std::string& name,
                                      const std::optional<std::string>& path);

// schema_hash of a schema, through the connection's fact cache. `appended_only`: sqlite_schema only
// gained rows since this connection's previous hash (see HashSchemaAppended).
absl::StatusOr<std::string> SchemaHashOf(Connection& c, const std::string& schema,
                                         bool appended_only = false);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_APPLY_H_
