#include "ext/migrations/check.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/migrations/apply.h"
#include "ext/migrations/dry_run.h"
#include "ext/migrations/replay.h"
#include "ext/migrations/risk_by_tool.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

// One dry run in a savepoint that is always rolled back, with foreign keys as `fk_on` and, when
// `fk_guard`, off around it as migrate() turns them.
absl::StatusOr<std::vector<Finding>> DryRunOnce(sqlite3* c, FactCache* cache,
                                                const std::vector<std::string>& statements,
                                                bool fk_on, bool fk_guard,
                                                const std::string& journal_mode,
                                                const std::vector<HotQuery>* hot = nullptr,
                                                PrivateDb* private_db = nullptr) {
  DryRun run(c, cache, statements, fk_on, fk_guard);
  run.DatabaseJournalMode(journal_mode);
  run.Replay(hot, private_db);
  if (run.Refused()) return std::move(run.findings());
  ASSIGN_OR_RETURN(Rows fk, Query(c, "PRAGMA foreign_keys"));
  const bool was_on = !fk.empty() && fk[0][0].AsInt() != 0;
  const bool want_on = fk_on && !fk_guard;
  // Cascades find their child rows by index (only while the statements run).
  if (want_on) run.IndexForeignKeys();
  if (want_on != was_on) {
    RETURN_IF_ERROR(Exec(c, want_on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF"));
  }
  // The write lock first, before anything is read: SQLite waits for a lock through the busy
  // handler only outside a transaction. Left to the first write statement inside the savepoint,
  // another connection's write transaction failed the dry run at once ("database is locked"),
  // which read as the migration failing on this database.
  const bool own_transaction = sqlite3_get_autocommit(c) != 0;
  if (own_transaction) {
    absl::Status begun = Exec(c, "BEGIN IMMEDIATE");
    if (!begun.ok()) {
      if (want_on != was_on) {
        Exec(c, was_on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF").IgnoreError();
      }
      return absl::UnavailableError(
          absl::StrCat("the dry run could not take the write lock: ", begun.message()));
    }
  }
  // In its own transaction no savepoint: with one open, SQLite keeps every page a DROP TABLE
  // frees in memory until the savepoint ends (a table rebuild's dry run of a 437 MB table took
  // 454 MB).
  if (!own_transaction) RETURN_IF_ERROR(Exec(c, "SAVEPOINT doctor_check"));
  absl::Status status = run.Run();
  absl::Status rollback = Exec(c, own_transaction ? "ROLLBACK" : "ROLLBACK TO doctor_check");
  // The database as it was before the run: what the run's violations are compared with.
  if (status.ok() && rollback.ok()) status = run.NoteViolationsAgainstBefore();
  if (!own_transaction) {
    absl::Status released = Exec(c, "RELEASE doctor_check");
    if (rollback.ok()) rollback = released;
  }
  if (want_on != was_on) {
    Exec(c, was_on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF").IgnoreError();
  }
  RETURN_IF_ERROR(status);
  RETURN_IF_ERROR(rollback);
  return std::move(run.findings());
}

}  // namespace

absl::StatusOr<std::vector<Finding>> CheckMigration(sqlite3* c, FactCache* cache,
                                                    const std::string& sql,
                                                    bool caller_in_transaction,
                                                    const std::string& journal_mode,
                                                    const std::vector<HotQuery>& hot,
                                                    PrivateDb* private_db) {
  const double start = MonotonicMs();
  if (std::optional<size_t> nul = NulByteOffset(sql)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the migration has a NUL byte at byte offset ", *nul,
        " (SQLite would stop reading there and skip the rest); nothing was run"));
  }
  Migration m;
  m.name = "(check)";
  m.text = sql;
  m.breakpoints = absl::StrContains(sql, kBreakpoint);
  std::vector<std::string> statements = StatementsOf(m);
  if (statements.empty()) return absl::InvalidArgumentError("the migration is empty: it has no statements");
  ASSIGN_OR_RETURN(Rows fk, Query(c, "PRAGMA foreign_keys"));
  const bool fk_on = !fk.empty() && fk[0][0].AsInt() != 0;
  const bool in_txn = caller_in_transaction || sqlite3_get_autocommit(c) == 0;
  const bool fk_guard = fk_on && AsksForeignKeysOff(sql) && !in_txn;
  ASSIGN_OR_RETURN(std::vector<Finding> findings, DryRunOnce(c, cache, statements, fk_on, fk_guard,
                                                                       journal_mode, &hot,
                                                                       private_db));
  if (!findings.empty() && findings.back().kind == "statement_refused") {  // nothing ran
    DescribePerTool(statements, fk_guard, nullptr, &findings);
    return findings;
  }
  // Drizzle's migrator runs every migration inside one transaction with foreign keys on
  // (better-sqlite3's default), where PRAGMA foreign_keys=OFF is ignored: when that differs from
  // how migrate_dir would run it here, a second dry run shows what it would do.
  std::optional<std::vector<Finding>> drizzle;
  if (!fk_on || fk_guard) {
    ASSIGN_OR_RETURN(drizzle, DryRunOnce(c, cache, statements, /*fk_on=*/true, /*fk_guard=*/false,
                                       journal_mode));
  }
  DescribePerTool(statements, fk_guard, drizzle ? &*drizzle : nullptr, &findings);
  Finding done{"info", "dry_run", "", absl::StrCat(statements.size(), " statement(s) ran in ",
                                                    MonotonicMs() - start,
                                                    " ms and were rolled back")};
  done.migrate_dir = "rolled back";
  done.drizzle = drizzle ? "rolled back (run a second time as Drizzle's migrator would)" : "rolled back";
  findings.push_back(std::move(done));
  return findings;
}

}  // namespace doctor::migrations
