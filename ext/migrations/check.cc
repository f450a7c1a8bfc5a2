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

// The statements of `earlier` (CheckMigration), or an error for one migrate() refuses.
absl::StatusOr<std::vector<std::string>> EarlierStatements(const std::string& earlier) {
  if (earlier.empty()) return std::vector<std::string>();
  if (std::optional<size_t> nul = NulByteOffset(earlier)) {
    return absl::InvalidArgumentError(
        absl::StrCat("argument 'earlier' has a NUL byte at byte offset ", *nul));
  }
  Migration m;
  m.name = "(earlier)";
  m.text = earlier;
  m.breakpoints = absl::StrContains(earlier, kBreakpoint);
  std::vector<std::string> statements = StatementsOf(m);
  for (size_t i = 0; i < statements.size(); ++i) {
    ChangeKind kind = Classify(statements[i]).kind;
    if (kind == ChangeKind::kTransactionControl || kind == ChangeKind::kVacuum ||
        kind == ChangeKind::kAttach) {
      return absl::InvalidArgumentError(absl::StrCat(
          "argument 'earlier': statement ", i + 1, " of ", statements.size(), " (",
          Excerpt(statements[i], 60), ") is one migrate() refuses (transaction control, VACUUM, "
          "ATTACH), so the migrations after it never run; nothing was checked"));
    }
  }
  return statements;
}

// Runs `earlier` in the dry run's open transaction, before the migration's own statements.
absl::Status RunEarlier(sqlite3* c, const std::vector<std::string>& earlier) {
  for (size_t i = 0; i < earlier.size(); ++i) {
    absl::Status ran = Exec(c, earlier[i]);
    if (!ran.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "argument 'earlier' fails at its statement ", i + 1, " of ", earlier.size(), " (",
          Excerpt(earlier[i], 60), "): ", ran.message(),
          "; migrate_dir would stop there, so the migration was not checked"));
    }
  }
  return absl::OkStatus();
}

// One dry run in a savepoint that is always rolled back, with foreign keys as `fk_on` and, when
// `fk_guard`, off around it as migrate() turns them.
absl::StatusOr<std::vector<Finding>> DryRunOnce(sqlite3* c, FactCache* cache,
                                                const std::vector<std::string>& statements,
                                                bool fk_on, bool fk_guard,
                                                const std::string& journal_mode,
                                                const std::vector<std::string>& earlier,
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
  absl::Status status = RunEarlier(c, earlier);
  if (status.ok()) status = run.Run();
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
                                                    PrivateDb* private_db,
                                                    const std::string& earlier) {
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
  ASSIGN_OR_RETURN(const std::vector<std::string> before, EarlierStatements(earlier));
  ASSIGN_OR_RETURN(Rows fk, Query(c, "PRAGMA foreign_keys"));
  const bool fk_on = !fk.empty() && fk[0][0].AsInt() != 0;
  const bool in_txn = caller_in_transaction || sqlite3_get_autocommit(c) == 0;
  const bool fk_guard = fk_on && AsksForeignKeysOff(sql) && !in_txn;
  ASSIGN_OR_RETURN(std::vector<Finding> findings, DryRunOnce(c, cache, statements, fk_on, fk_guard,
                                                                       journal_mode, before, &hot,
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
                                       journal_mode, before));
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
