#include "ext/migrations/apply.h"

#include <functional>
#include <optional>
#include <set>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/text.h"
#include "ext/core/time.h"
#include "ext/migrations/failure_hint.h"
#include "ext/migrations/journal.h"
#include "ext/migrations/journal_mode_change.h"
#include "ext/migrations/pragma_guard.h"
#include "ext/migrations/sha256.h"
#include "ext/migrations/sql_text.h"
#include "ext/migrations/transaction.h"
#include "ext/migrations/violations.h"

namespace doctor::migrations {

Setting kSchemaHashSetting = Setting::Bool(
    "migrate_schema_hash", true,
    "Record schema_hash() before and after every migration in doctor_migrations (schema_before, "
    "schema_after); off skips that work (a fifth of migrate_dir's time on 1,000 tiny "
    "migrations) and leaves them NULL.");

namespace {

// How messages name a migration: for a revert, the down file that runs (and fails).
std::string Who(const Migration& m) {
  if (m.kind == "revert") return absl::StrCat("down migration of '", m.name, "' (", m.origin, ")");
  return absl::StrCat("migration '", m.name, "'");
}

// A migration's statements, refusing NUL bytes, emptiness and what cannot run inside the
// transaction the extension opens.
absl::StatusOr<std::vector<std::string>> RunnableStatements(const Migration& m) {
  if (std::optional<size_t> nul = NulByteOffset(m.text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "migration '", m.name, "'", m.origin.empty() ? "" : absl::StrCat(" ('", m.origin, "')"),
        " has a NUL byte at byte offset ", *nul,
        " (SQLite would stop reading there and skip the rest); nothing was applied"));
  }
  std::vector<std::string> statements = StatementsOf(m);
  if (statements.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Who(m), " is empty: it has no statements"));
  }
  const size_t n = statements.size();
  for (size_t i = 0; i < n; ++i) {
    ChangeKind kind = Classify(statements[i]).kind;
    if (kind == ChangeKind::kTransactionControl || kind == ChangeKind::kVacuum ||
        kind == ChangeKind::kAttach) {
      return absl::InvalidArgumentError(absl::StrCat(
          Who(m), " statement ", i + 1, " of ", n, " (", Excerpt(statements[i], 40),
          ") cannot run inside a migration: migrations run in one transaction that the extension "
          "opens and commits"));
    }
  }
  return statements;
}

// A PRAGMA journal_mode the transaction cannot honour (journal_mode_change.h).
absl::Status RefuseJournalModeChange(Connection& c, const Migration& m,
                                     const std::vector<std::string>& statements) {
  std::string mode;  // read once, for the first PRAGMA journal_mode
  for (size_t i = 0; i < statements.size(); ++i) {
    if (Classify(statements[i]).kind != ChangeKind::kPragma) continue;
    if (mode.empty()) {
      ASSIGN_OR_RETURN(mode, JournalModeOf(c.db()));
    }
    const std::string why = JournalModeChangeRefusal(statements[i], mode);
    if (why.empty()) continue;
    return absl::InvalidArgumentError(absl::StrCat(Who(m), " statement ", i + 1, " of ",
                                                   statements.size(), " (",
                                                   Excerpt(statements[i], 40), ") ", why,
                                                   "; nothing was applied"));
  }
  return absl::OkStatus();
}

// Runs the statements (core Exec, one by one so an error names its statement).
absl::Status RunStatements(Connection& c, const Migration& m,
                           const std::vector<std::string>& statements) {
  const size_t n = statements.size();
  for (size_t i = 0; i < n; ++i) {
    absl::Status s = ExecUserSql(c, statements[i]);
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          Who(m), " failed at statement ", i + 1, " of ", n, " (",
          Excerpt(statements[i], 60), "): ", WithFailureHint(std::string(s.message())),
          "; nothing was applied: fix the rows or the statement SQLite names, then run it "
          "again"));
    }
  }
  return absl::OkStatus();
}

// An error when the migration leaves a foreign key SQLite cannot use that it could use before
// (its rows cannot be checked), or when foreign-key violations grew from `before` to `after` (per
// child and parent table), naming up to five violating rows of a foreign key that had none before.
absl::Status CheckNoNewViolations(Connection& c, const Migration& m, const ForeignKeyCheck& before,
                                  const ForeignKeyCheck& after) {
  std::set<std::string> unchecked_before;
  for (const MismatchedForeignKey& k : before.unchecked) {
    unchecked_before.insert(absl::AsciiStrToLower(ForeignKeyName(k.key)));
  }
  std::vector<const MismatchedForeignKey*> unchecked;
  for (const MismatchedForeignKey& k : after.unchecked) {
    if (unchecked_before.count(absl::AsciiStrToLower(ForeignKeyName(k.key))) == 0) {
      unchecked.push_back(&k);
    }
  }
  if (!unchecked.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        Who(m), " leaves foreign key ", ForeignKeyName(unchecked[0]->key), " ",
        MismatchConsequences(*unchecked[0]),
        unchecked.size() > 1 ? absl::StrCat(" (and ", unchecked.size() - 1, " more)") : "",
        "; with foreign keys off around it, migrate() checks every foreign key before COMMIT and "
        "cannot check this one: rolled back, nothing was applied"));
  }
  int64_t added = 0;
  std::vector<std::string> grown, examples;
  for (const auto& [what, count] : after.counts) {
    auto it = before.counts.find(what);
    const int64_t was = it == before.counts.end() ? 0 : it->second;
    if (count <= was) continue;
    added += count - was;
    grown.push_back(absl::StrCat(ViolationName(what), ": ", was, " before, ", count, " after"));
    if (was > 0 || examples.size() >= 5) continue;  // which rows are new is not known
    ASSIGN_OR_RETURN(std::vector<Value> rows,
                     ViolatingRows(c.db(), what.first, what.second,
                                   static_cast<int64_t>(5 - examples.size())));
    for (const Value& r : rows) {
      examples.push_back(absl::StrCat(what.first, " rowid ", r.is_null() ? "?" : r.AsText(),
                                      " -> ", what.second));
    }
  }
  if (grown.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      Who(m), " leaves ", added, " foreign-key violation(s) (PRAGMA foreign_key_check: ",
      absl::StrJoin(grown, ", "), examples.empty() ? "" : "; e.g. ",
      absl::StrJoin(examples, ", "), "); rolled back, nothing was applied"));
}

// Runs the statements with foreign keys off (migrate() turned them off around the transaction)
// and fails when they leave foreign-key violations that were not there before. Both checks read
// the whole database. (Reading the state before only when violations are left would need a
// savepoint to roll back to, and SQLite then keeps every page a DROP TABLE frees in memory: a
// table rebuild took as much memory as the table.)
absl::Status RunStatementsGuarded(Connection& c, const Migration& m,
                                  const std::vector<std::string>& statements) {
  ASSIGN_OR_RETURN(ForeignKeyCheck before, CheckForeignKeys(c.db()));
  RETURN_IF_ERROR(RunStatements(c, m, statements));
  ASSIGN_OR_RETURN(ForeignKeyCheck after, CheckForeignKeys(c.db()));
  return CheckNoNewViolations(c, m, before, after);
}

// The doctor_migrations row of a migration that ran (and Drizzle's, for a Drizzle file).
absl::Status RecordApplied(Connection& c, const Migration& m, double duration, size_t statements,
                           const Value& schema_before, const Value& schema_after) {
  ASSIGN_OR_RETURN(Rows inserted,
                   Query(c,
                         "INSERT INTO doctor_migrations(name, checksum, applied_at, duration_ms, "
                         "statements, schema_before, schema_after, sql, source, kind, origin) "
                         "VALUES(?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?3, ?4, ?5, ?6, "
                         "?7, ?8, ?9, ?10) RETURNING applied_at",
                         {Value(m.name), Value(m.checksum), Value(duration),
                          Value(static_cast<int64_t>(statements)), schema_before, schema_after,
                          Value(m.text), Value(m.source), Value(m.kind),
                          m.origin.empty() ? Value::Null() : Value(m.origin)}));
  if (!m.drizzle) return absl::OkStatus();
  // The caller (MigrateFolder) made the table ready for the folder's layout. Both journals get
  // the same applied_at.
  return InsertDrizzleRow(
      c, DrizzleEntry{m.drizzle_hash.empty() ? m.checksum : m.drizzle_hash, m.created_at,
                      m.drizzle_name, inserted.empty() ? Value::Null() : inserted[0][0]});
}

// Runs a migration inside the open transaction and journals it. `schema` carries the schema hash
// from one migration to the next within a run. `fk_guard`: foreign keys were turned off for it.
absl::Status ApplyInside(Connection& c, const Migration& m, std::string* schema, bool fk_guard,
                         bool tables_ready = false) {
  ASSIGN_OR_RETURN(std::vector<std::string> statements, RunnableStatements(m));
  RETURN_IF_ERROR(RefuseJournalModeChange(c, m, statements));
  // Before the statements: created after them, a journal the migration dropped came back empty
  // and every earlier migration was forgotten.
  if (!tables_ready) RETURN_IF_ERROR(EnsureJournal(c));
  const bool hashes = kSchemaHashSetting.On();
  if (schema->empty() && hashes) {
    ASSIGN_OR_RETURN(*schema, SchemaHashOf(c, "main"));
  }
  const std::string before = *schema;
  const double start = MonotonicMs();
  RETURN_IF_ERROR(fk_guard ? RunStatementsGuarded(c, m, statements)
                           : RunStatements(c, m, statements));
  const double duration = MonotonicMs() - start;
  if (hashes) {
    // A migration of CREATEs and DML only appended to sqlite_schema since `before` was hashed.
    bool additive = true;
    for (const std::string& s : statements) additive = additive && IsAdditiveStatement(s);
    ASSIGN_OR_RETURN(*schema, SchemaHashOf(c, "main", additive));
  }
  absl::Status recorded = RecordApplied(c, m, duration, statements.size(),
                                        hashes ? Value(before) : Value::Null(),
                                        hashes ? Value(*schema) : Value::Null());
  if (recorded.ok()) return recorded;
  return absl::Status(recorded.code(),
                      absl::StrCat(Who(m), " ran but cannot be journaled (does it drop or change "
                                   "doctor_migrations or ", DrizzleTable(), "?): ",
                                   recorded.message(), "; nothing was applied"));
}

Migration FromFile(const Folder& folder, const MigrationFile& f) {
  Migration m;
  m.name = f.name;
  m.text = f.text;
  m.checksum = f.checksum;
  m.drizzle_hash = f.drizzle_hash;
  m.origin = f.path;
  m.drizzle = folder.layout != Layout::kPlain;
  m.breakpoints = m.drizzle;
  m.source = m.drizzle ? "drizzle" : "dir";
  m.created_at = f.created_at;
  if (folder.layout == Layout::kDrizzleFolders) m.drizzle_name = f.name;
  return m;
}

// One migration in a transaction of its own, foreign keys off around it when it asks for that
// (migrate() and migrate_revert()). `journal_check` runs inside the transaction first and may
// end the run with a result of its own ("already applied").
absl::StatusOr<std::optional<std::string>> ApplyAlone(
    Connection& c, const Migration& m, absl::string_view who,
    const std::function<absl::StatusOr<std::optional<std::string>>()>& journal_check) {
  ASSIGN_OR_RETURN(bool fk_on, ForeignKeysOn(c));
  const bool fk_guard = fk_on && AsksForeignKeysOff(m.text);
  RETURN_IF_ERROR(RefuseForeignKeysOffInTransaction(fk_guard, sqlite3_get_autocommit(c.db()) == 0,
                                                    who, "it"));
  ForeignKeysRestorer restore(c, fk_on);
  if (fk_guard) RETURN_IF_ERROR(restore.Set(false));
  PragmaGuard settings(c);
  RETURN_IF_ERROR(settings.Capture(SettingsPragmasOf(m.text)));
  Transaction txn(c);
  RETURN_IF_ERROR(txn.Begin());
  if (journal_check) {
    ASSIGN_OR_RETURN(std::optional<std::string> early, journal_check());
    if (early) return early;
  }
  std::string schema;
  RETURN_IF_ERROR(ApplyInside(c, m, &schema, fk_guard));
  RETURN_IF_ERROR(txn.Commit());
  settings.Keep();
  return std::optional<std::string>();
}

}  // namespace

std::vector<std::string> StatementsOf(const Migration& m) {
  return MigrationStatements(m.text, m.breakpoints);
}

absl::StatusOr<std::string> SchemaHashOf(Connection& c, const std::string& schema,
                                         bool appended_only) {
  Connection::InternalScope internal(c);
  MigrateState& st = c.State<MigrateState>();
  absl::MutexLock lock(&st.mu);
  if (appended_only) return HashSchemaAppended(c.db(), schema, &st.cache, &st.last);
  return HashSchemaOf(c.db(), schema, &st.cache, &st.last);
}

absl::StatusOr<std::string> MigrateOne(Connection& c, const Migration& m) {
  auto journal_check = [&]() -> absl::StatusOr<std::optional<std::string>> {
    ASSIGN_OR_RETURN(std::vector<JournalRow> journal, LoadJournal(c));
    for (const JournalRow& j : journal) {
      if (j.name != m.name || j.kind == "revert") continue;
      if (j.checksum == m.checksum) return std::optional<std::string>("already applied");
      return absl::FailedPreconditionError(absl::StrCat(
          "migration '", m.name, "' was already applied with checksum ", j.checksum,
          " but this text has checksum ", m.checksum, " (drift): nothing was run"));
    }
    return std::optional<std::string>();
  };
  ASSIGN_OR_RETURN(std::optional<std::string> early,
                   ApplyAlone(c, m, absl::StrCat("migration '", m.name, "'"), journal_check));
  return early ? *early : std::string("applied");
}

namespace {

// One transaction of migrate_dir: decides what is pending inside it, journals what Drizzle's
// migrator applied, and applies pending migrations while they want foreign keys as they are now
// (`fk_off_now`). Returns how many it applied; fewer than pending means the run must switch
// foreign keys and go on (*done stays false).
absl::StatusOr<size_t> ApplyPass(Connection& c, const Folder& folder, bool fk_on, bool in_txn,
                                 bool fk_off_now, int64_t applied_before, bool* done) {
  // Created (or upgraded to Drizzle 1.0's columns) before anything else, as Drizzle does.
  RETURN_IF_ERROR(EnsureDrizzleTable(c, folder));
  ASSIGN_OR_RETURN(std::vector<JournalRow> journal, LoadJournal(c));
  ASSIGN_OR_RETURN(std::vector<DrizzleRow> drizzle, LoadDrizzle(c));
  std::vector<PlanItem> plan = MakePlan(folder, journal, drizzle);
  std::vector<std::string> changed;
  for (const PlanItem& item : plan) {
    if (item.status == PlanStatus::kChanged) {
      changed.push_back(absl::StrCat(item.name, " (", item.note, ")"));
    }
  }
  if (!changed.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        changed.size(), " applied migration(s) changed on disk: ",
        JoinFirst(changed, "; ", 5),
        "; nothing was run: restore each file as it was applied (git checkout) and put new "
        "changes in a new migration"));
  }
  std::string schema;
  std::vector<const PlanItem*> pending;
  for (const PlanItem& item : plan) {
    if (item.adopt) {
      if (schema.empty()) {
        ASSIGN_OR_RETURN(schema, SchemaHashOf(c, "main"));
      }
      RETURN_IF_ERROR(JournalOnly(c, folder, *item.file, "drizzle", "adopted", schema, false));
    }
    if (item.drizzle_only || (item.drizzle_unnamed && item.status == PlanStatus::kApplied)) {
      // Applied, but Drizzle's journal lacks it (or lists it without the name Drizzle 1.0
      // looks for): record it so Drizzle never reruns it.
      DrizzleEntry e = DrizzleEntryOf(folder, *item.file);
      if (std::holds_alternative<std::string>(item.applied_at.storage())) e.applied_at = item.applied_at;
      RETURN_IF_ERROR(InsertDrizzleRow(c, e));
    } else if (item.pending()) {
      pending.push_back(&item);
    }
  }
  if (!pending.empty()) RETURN_IF_ERROR(EnsureJournal(c));
  size_t k = 0;
  for (; k < pending.size(); ++k) {
    const bool needs_off = fk_on && AsksForeignKeysOff(pending[k]->file->text);
    RETURN_IF_ERROR(RefuseForeignKeysOffInTransaction(
        needs_off, in_txn, absl::StrCat("migration '", pending[k]->name, "'"), "migrate_dir"));
    if (needs_off != fk_off_now) break;
    absl::Status s = ApplyInside(c, FromFile(folder, *pending[k]->file), &schema, needs_off,
                                 /*tables_ready=*/true);
    if (!s.ok() && applied_before > 0) {
      return absl::Status(s.code(), absl::StrCat(s.message(), " (", applied_before,
                                                 " earlier migration(s) of this run stay applied)"));
    }
    RETURN_IF_ERROR(s);
  }
  *done = k == pending.size();
  return k;
}

}  // namespace

absl::StatusOr<int64_t> MigrateFolder(Connection& c, const std::string& path) {
  ASSIGN_OR_RETURN(Folder folder, ReadFolder(path));
  RETURN_IF_ERROR(UsableFolder(folder));
  ASSIGN_OR_RETURN(bool fk_on, ForeignKeysOn(c));
  const bool in_txn = sqlite3_get_autocommit(c.db()) == 0;
  ForeignKeysRestorer restore(c, fk_on);
  std::vector<std::string> settings_set;  // what the folder's PRAGMA statements may change
  for (const MigrationFile& f : folder.files) {
    settings_set = SettingsPragmasOf(f.text, std::move(settings_set));
  }
  bool fk_off_now = false;
  int64_t applied = 0;
  // Each pass is one transaction that decides what is pending inside it. A pass ends early only
  // to switch foreign keys off (or back on) between migrations, which SQLite allows only outside
  // a transaction.
  for (size_t pass = 0; pass < 2 * folder.files.size() + 2; ++pass) {
    PragmaGuard settings(c);  // a failed pass puts back what its migrations set
    RETURN_IF_ERROR(settings.Capture(settings_set));
    Transaction txn(c);
    RETURN_IF_ERROR(txn.Begin());
    bool done = false;
    ASSIGN_OR_RETURN(size_t k, ApplyPass(c, folder, fk_on, in_txn, fk_off_now, applied, &done));
    RETURN_IF_ERROR(txn.Commit());
    settings.Keep();
    applied += static_cast<int64_t>(k);
    if (done) return applied;
    fk_off_now = !fk_off_now;
    RETURN_IF_ERROR(restore.Set(!fk_off_now));
  }
  return absl::InternalError("migrate_dir: the run did not settle (concurrent changes?)");
}

absl::StatusOr<int64_t> BaselineFolder(Connection& c, const std::string& path,
                                       const std::optional<std::string>& upto) {
  ASSIGN_OR_RETURN(Folder folder, ReadFolder(path));
  RETURN_IF_ERROR(UsableFolder(folder));
  if (upto) {
    bool found = false;
    for (const auto& f : folder.files) found = found || f.name == *upto;
    if (!found) {
      return absl::NotFoundError(absl::StrCat("no migration named '", *upto, "' in '", path, "'"));
    }
  }
  Transaction txn(c);
  RETURN_IF_ERROR(txn.Begin());
  RETURN_IF_ERROR(EnsureDrizzleTable(c, folder));
  ASSIGN_OR_RETURN(std::vector<JournalRow> journal, LoadJournal(c));
  ASSIGN_OR_RETURN(std::vector<DrizzleRow> drizzle, LoadDrizzle(c));
  std::vector<PlanItem> plan = MakePlan(folder, journal, drizzle);
  ASSIGN_OR_RETURN(std::string schema, SchemaHashOf(c, "main"));
  int64_t count = 0;
  const bool drizzle_layout = folder.layout != Layout::kPlain;
  for (const PlanItem& item : plan) {
    if (item.file == nullptr) continue;
    if (item.pending()) {
      RETURN_IF_ERROR(JournalOnly(c, folder, *item.file, drizzle_layout ? "drizzle" : "dir", "baseline",
                                  schema, drizzle_layout));
      ++count;
    }
    if (upto && item.name == *upto) break;
  }
  RETURN_IF_ERROR(txn.Commit());
  return count;
}

namespace {

// The down file beside the journal's `origin` of migration `name`, when the origin is that
// migration's own file: named `<name>.sql` and still holding the text the journal's checksum
// names. The origin is a path read from the database file, which may come from another machine
// or user: without these checks `origin = '/other/project/0001_init.sql'` would make
// migrate_revert('0005_x') run /other/project/0001_init.down.sql on this database.
absl::StatusOr<std::string> DownBesideOrigin(const std::string& name, const std::string& origin,
                                             const std::string& checksum) {
  const std::string hint = "; give the folder: migrate_revert(name, path)";
  const size_t slash = origin.find_last_of("/\\");
  const std::string base = slash == std::string::npos ? origin : origin.substr(slash + 1);
  if (!SafeTag(name) || base != name + ".sql") {
    return absl::FailedPreconditionError(absl::StrCat(
        "migration '", name, "': the journal's origin '", origin, "' is not a file named '", name,
        ".sql'", hint));
  }
  absl::StatusOr<std::string> up = ReadTextFile(origin);
  if (!up.ok() || Sha256Hex(*up) != checksum) {
    return absl::FailedPreconditionError(absl::StrCat(
        "migration '", name, "': its file '", origin, "' ",
        up.ok() ? "no longer holds the text the journal records (checksum differs)"
                : "cannot be read", hint));
  }
  return absl::StrCat(origin.substr(0, origin.size() - 4), ".down.sql");
}

}  // namespace

absl::StatusOr<std::string> RevertOne(Connection& c, const std::string& name,
                                      const std::optional<std::string>& path) {
  ASSIGN_OR_RETURN(bool exists, JournalTableExists(c, "doctor_migrations"));
  std::string origin, checksum;
  if (exists) {
    ASSIGN_OR_RETURN(Rows rows, Query(c,
                                      "SELECT kind, origin, source, checksum, id FROM doctor_migrations "
                                      "WHERE name = ?1 ORDER BY id DESC LIMIT 1",
                                      {Value(name)}));
    if (rows.empty() || rows[0][0].AsText() == "revert") {
      return absl::FailedPreconditionError(absl::StrCat("migration '", name, "' is not applied"));
    }
    // Reverting under a later migration left it journaled as applied over a schema it no longer
    // has (0002 indexing a table 0001's down migration dropped: 0002 still "applied", its index
    // gone, schema_drift "unreplayable"). Down migrations run latest first.
    ASSIGN_OR_RETURN(Rows later, Query(c,
                                       "SELECT group_concat(name, ', ') FROM (SELECT name FROM "
                                       "doctor_migrations m WHERE id > ?1 AND kind <> 'revert' AND "
                                       "id = (SELECT max(id) FROM doctor_migrations WHERE name = "
                                       "m.name) ORDER BY id DESC)",
                                       {rows[0][4]}));
    if (!later.empty() && !later[0][0].is_null()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration '", name, "' is not the latest applied: ", later[0][0].AsText(),
          " (applied after it) still applied; revert those first, latest first"));
    }
    origin = rows[0][1].AsText();
    checksum = rows[0][3].AsText();
    if (rows[0][2].AsText() == "drizzle") {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration '", name, "' came from a Drizzle folder: Drizzle has no down migrations and "
          "its ", DrizzleTable(), " would still list it; write a new migration instead"));
    }
  } else {
    return absl::FailedPreconditionError(absl::StrCat("migration '", name, "' is not applied"));
  }
  std::string down;
  if (path) {
    // A name like '../x' (migrate() journals any name) would read x.down.sql beside the folder,
    // and an empty path the file at the root.
    if (path->empty()) return absl::InvalidArgumentError("the folder path is empty");
    if (!SafeTag(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migration '", name, "' cannot have a down migration file in a folder: its name is not "
          "a file name (empty, '.', '..', or holding '/' or '\\')"));
    }
    down = absl::StrCat(*path, "/", name, ".down.sql");
  } else if (absl::EndsWith(origin, ".sql")) {
    ASSIGN_OR_RETURN(down, DownBesideOrigin(name, origin, checksum));
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        "migration '", name, "' was not applied from a folder; give the folder: migrate_revert(name, path)"));
  }
  auto text = ReadTextFile(down);
  if (!text.ok()) {
    return absl::NotFoundError(absl::StrCat("migration '", name, "' has no down migration: ",
                                            text.status().message()));
  }
  Migration m;
  m.name = name;
  m.text = *text;
  m.checksum = Sha256Hex(*text);
  m.source = "dir";
  m.kind = "revert";
  m.origin = down;
  RETURN_IF_ERROR(
      ApplyAlone(c, m, absl::StrCat("down migration of '", name, "'"), nullptr).status());
  return std::string("reverted");
}

}  // namespace doctor::migrations
