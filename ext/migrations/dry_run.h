// One dry run of migrate_check (check.h): runs a migration's statements one by one inside a
// savepoint the caller opened (and rolls back), and collects the findings as they run: what each
// statement is (drops, rebuilds, PRAGMAs without effect, NOT NULL columns without a default),
// what it did (rows deleted through ON DELETE CASCADE and other side effects, a failure), and
// at the end what changed (foreign-key violations, new foreign keys without an index, foreign keys
// SQLite cannot use, rows lost by a rebuild, dropped triggers, the plans of the replayed hot
// queries).
#ifndef DOCTOR_MIGRATIONS_DRY_RUN_H_
#define DOCTOR_MIGRATIONS_DRY_RUN_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ext/core/private_db.h"
#include "ext/core/sqlite.h"
#include "ext/migrations/check.h"
#include "ext/migrations/dry_run_facts.h"
#include "ext/migrations/replay.h"
#include "ext/migrations/schema.h"
#include "ext/migrations/sql_text.h"
#include "ext/migrations/violations.h"

namespace doctor::migrations {

class DryRun {
 public:
  // `fk_on`: foreign keys are on during the run; `fk_guard`: migrate() would turn them off
  // around the transaction (the migration asks for it).
  DryRun(sqlite3* c, FactCache* cache, const std::vector<std::string>& statements, bool fk_on,
         bool fk_guard)
      : c_(c), cache_(cache), statements_(statements), fk_on_(fk_on), fk_guard_(fk_guard) {}

  // Replays `hot` before and after the migration (replay.h); `private_db` owns the connection.
  void Replay(const std::vector<HotQuery>* hot, PrivateDb* private_db) {
    hot_ = hot;
    private_db_ = private_db;
  }

  // Foreign keys are on during the run: the migration's statements run with a temporary index on
  // the child columns of every foreign key without one (cascade_indexes.h), so its cascades find
  // their rows by index. They exist only while the statements run: the replay measures the hot
  // queries without them and the findings never see them.
  void IndexForeignKeys() { index_foreign_keys_ = true; }

  // The journal mode of the database the migration is for (the dry run's copy is in memory): a
  // PRAGMA journal_mode that would change it is refused as migrate() refuses it
  // (journal_mode_change.h). Not called: not checked.
  void DatabaseJournalMode(std::string mode) { journal_mode_ = std::move(mode); }

  std::vector<Finding>& findings() { return out_; }

  // Statements that would end the dry run's savepoint (and could commit it) never run: true
  // when one is there (the finding is added).
  bool Refused();

  // Runs the migration in the open savepoint; a failing statement ends it with a finding.
  absl::Status Run();

  // After Run's changes were rolled back (the database as it was before Run, or as another
  // connection committed it since when Run had a transaction of its own): the foreign-key
  // violations Run left, compared with those there before. The state before is read only when
  // there were violations after (PRAGMA foreign_key_check reads the whole database).
  absl::Status NoteViolationsAgainstBefore();

 private:
  void Add(const char* severity, const char* kind, const std::string& object,
           const std::string& detail, int64_t rows = 0);
  std::string Where(size_t i) const;
  absl::StatusOr<bool> RunStatement(size_t i);
  // After statement `s` ran: true when it only added rows to one table (counts_ updated).
  bool OnlyAddedRows(const std::string& s, const ChangeInfo& info, int64_t total_changed);
  // Findings known before the statement runs, from what it is.
  absl::Status NoteBefore(size_t i, const ChangeInfo& info);
  void NotePragma(size_t i, const ChangeInfo& info);
  void NoteDropTable(size_t i, const ChangeInfo& info);
  void NoteFailure(size_t i, const std::string& msg);
  // Rows that other tables lost (ON DELETE CASCADE) or that changed beyond the statement's own.
  void NoteCascades(size_t i, const ChangeInfo& info, const Counts& now, int64_t total_changed);
  absl::Status NotePlanChanges(const std::vector<QueryCost>& costs_before);
  // Drops the temporary foreign-key indexes still there and reads the schema again.
  absl::Status DropTemporaryIndexes();
  absl::Status NoteViolations();
  absl::Status NoteNewForeignKeys();
  // The foreign keys SQLite cannot use (core MismatchedForeignKeys) after the statements that
  // ran: a warning for each that was there before, an error for each the migration makes (listed
  // before NoteNewForeignKeys' findings, which leave those keys out: core ForeignKeysWithoutIndex).
  absl::Status NoteMismatchedForeignKeys();
  void NoteLostRowsAndTriggers();

  sqlite3* c_;
  FactCache* cache_;
  const std::vector<std::string>& statements_;
  const bool fk_on_;
  const bool fk_guard_;
  std::string journal_mode_;
  std::vector<Finding> out_;
  size_t at_ = 0;  // the statement running (1-based), 0 before and after
  std::vector<SchemaObject> before_, current_;
  std::vector<MismatchedForeignKey> mismatched_before_;
  Counts counts_before_, counts_;
  // The violations Run left ("child -> parent" -> rows), and where their findings go in out_.
  ViolationCounts violations_after_;
  size_t violations_at_ = 0;
  std::set<std::string> dropped_tables_;
  std::set<std::string> module_tables_;  // ModuleTables: rows changed by a module, not by SQL
  const std::vector<HotQuery>* hot_ = nullptr;
  PrivateDb* private_db_ = nullptr;
  bool index_foreign_keys_ = false;
  std::vector<std::string> temporary_indexes_;  // created by IndexForeignKeysForDryRun
};

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_DRY_RUN_H_
