#include "ext/migrations/apply.h"

#include <chrono>
#include <functional>
#include <set>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/pragma_guard.h"
#include "ext/migrations/sha256.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {

Setting kSchemaHashSetting = Setting::Bool(
    "migrate_schema_hash", true,
    "Record schema_hash() before and after every migration in doctor_migrations (schema_before, "
    "schema_after); off skips that work (a fifth of migrate_dir's time on 1,000 tiny "
    "migrations) and leaves them NULL.");

namespace {

constexpr char kJournalDdl[] =
    "CREATE TABLE IF NOT EXISTS doctor_migrations(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  checksum TEXT NOT NULL,      -- sha256 hex of the migration text\n"
    "  applied_at TEXT NOT NULL,    -- ISO-8601 UTC\n"
    "  duration_ms REAL,\n"
    "  statements INTEGER,\n"
    "  schema_before TEXT,          -- schema_hash() before\n"
    "  schema_after TEXT,           -- schema_hash() after\n"
    "  sql TEXT,                    -- the text that ran\n"
    "  source TEXT NOT NULL,        -- sql | dir | drizzle\n"
    "  kind TEXT NOT NULL DEFAULT 'apply',  -- apply | baseline | adopted | revert\n"
    "  origin TEXT                  -- the file it came from\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS doctor_migrations_name ON doctor_migrations(name, id);";

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<bool> TableExists(Connection& c, const char* name) {
  ASSIGN_OR_RETURN(Rows r, Query(c, "SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?1",
                                 {Value(name)}));
  return !r.empty();
}

absl::StatusOr<bool> ForeignKeysOn(Connection& c) {
  ASSIGN_OR_RETURN(Rows r, Query(c, "PRAGMA foreign_keys"));
  return !r.empty() && r[0][0].AsInt() != 0;
}

absl::Status SetForeignKeys(Connection& c, bool on) {
  return Exec(c, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF");
}

// BEGIN IMMEDIATE, or a savepoint inside the caller's transaction.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) {}
  ~Transaction() {
    if (open_) Rollback().IgnoreError();
  }
  absl::Status Begin() {
    savepoint_ = sqlite3_get_autocommit(c_.db()) == 0;
    absl::Status s = Exec(c_, savepoint_ ? "SAVEPOINT doctor_migrate" : "BEGIN IMMEDIATE");
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("cannot start the transaction: ", s.message()));
    open_ = true;
    return absl::OkStatus();
  }
  absl::Status Commit() {
    open_ = false;
    absl::Status s = Exec(c_, savepoint_ ? "RELEASE doctor_migrate" : "COMMIT");
    if (!s.ok()) {
      Exec(c_, savepoint_ ? "ROLLBACK TO doctor_migrate; RELEASE doctor_migrate" : "ROLLBACK")
          .IgnoreError();
      return absl::Status(s.code(), absl::StrCat("commit failed, rolled back: ", s.message()));
    }
    return absl::OkStatus();
  }
  absl::Status Rollback() {
    open_ = false;
    if (!savepoint_ && sqlite3_get_autocommit(c_.db())) return absl::OkStatus();  // already gone
    return Exec(c_, savepoint_ ? "ROLLBACK TO doctor_migrate; RELEASE doctor_migrate" : "ROLLBACK");
  }
  bool savepoint() const { return savepoint_; }

 private:
  Connection& c_;
  bool open_ = false;
  bool savepoint_ = false;
};

absl::StatusOr<std::set<std::string>> ForeignKeyViolations(Connection& c) {
  ASSIGN_OR_RETURN(Rows rows, Query(c, "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check"));
  std::set<std::string> out;
  for (const Row& r : rows) {
    out.insert(absl::StrCat(r[0].AsText(), " rowid ", r[1].is_null() ? "?" : r[1].AsText(),
                            " -> ", r[2].AsText()));
  }
  return out;
}

std::string ExplainFailure(const std::string& message) {
  if (absl::StrContains(message, "database table is locked")) {
    return absl::StrCat(message,
                        " (another statement on this connection is still reading, e.g. the query "
                        "that called this function reads tables: call it in a statement of its "
                        "own, SELECT migrate_dir('...'))");
  }
  if (absl::StrContains(message, "error in view ") || absl::StrContains(message, "error in trigger ")) {
    return absl::StrCat(message,
                        " (a view or trigger that uses the table is in the way of the rebuild's "
                        "RENAME: drop it before and recreate it after in the migration, or run "
                        "with PRAGMA legacy_alter_table=ON)");
  }
  return message;
}

// Runs one statement to completion; its rows are discarded.
absl::Status RunStatement(Connection& c, const std::string& sql) {
  Connection::InternalScope internal(c);
  const char* p = sql.data();
  const char* end = sql.data() + sql.size();
  while (p < end) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(c.db(), p, static_cast<int>(end - p), &stmt, &tail);
    if (rc != SQLITE_OK) return absl::InvalidArgumentError(sqlite3_errmsg(c.db()));
    if (stmt == nullptr) break;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      std::string message = sqlite3_errmsg(c.db());
      sqlite3_finalize(stmt);
      return absl::InvalidArgumentError(message);
    }
    sqlite3_finalize(stmt);
    p = tail;
  }
  return absl::OkStatus();
}

absl::Status EnsureJournal(Connection& c) { return Exec(c, kJournalDdl); }

// Runs a migration inside the open transaction and journals it. `schema` carries the schema hash
// from one migration to the next within a run. `fk_guard`: foreign keys were turned off for it.
absl::Status ApplyInside(Connection& c, MigrateState& st, const Migration& m, std::string* schema,
                         bool fk_guard, bool tables_ready = false) {
  if (std::optional<size_t> nul = NulByteOffset(m.text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "migration '", m.name, "'", m.origin.empty() ? "" : absl::StrCat(" ('", m.origin, "')"),
        " has a NUL byte at byte offset ", *nul,
        " (SQLite would stop reading there and skip the rest); nothing was applied"));
  }
  std::vector<std::string> statements = StatementsOf(m);
  if (statements.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("migration '", m.name, "' is empty: it has no statements"));
  }
  const size_t n = statements.size();
  for (size_t i = 0; i < n; ++i) {
    StatementInfo info = Classify(statements[i]);
    if (info.kind == StatementKind::kTransactionControl || info.kind == StatementKind::kVacuum ||
        info.kind == StatementKind::kAttach) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migration '", m.name, "' statement ", i + 1, " of ", n, " (", Excerpt(statements[i], 40),
          ") cannot run inside a migration: migrations run in one transaction that the extension "
          "opens and commits"));
    }
  }
  const bool hashes = kSchemaHashSetting.On();
  if (schema->empty() && hashes) {
    ASSIGN_OR_RETURN(*schema, SchemaHashOf(c, "main"));
  }
  const std::string before = *schema;
  std::set<std::string> violations_before;
  if (fk_guard) {
    ASSIGN_OR_RETURN(violations_before, ForeignKeyViolations(c));
  }
  const double start = NowMs();
  for (size_t i = 0; i < n; ++i) {
    absl::Status s = RunStatement(c, statements[i]);
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migration '", m.name, "' failed at statement ", i + 1, " of ", n, " (",
          Excerpt(statements[i], 60), "): ", ExplainFailure(std::string(s.message())),
          "; nothing was applied"));
    }
  }
  if (fk_guard) {
    ASSIGN_OR_RETURN(std::set<std::string> after, ForeignKeyViolations(c));
    std::vector<std::string> fresh;
    for (const std::string& v : after) {
      if (!violations_before.count(v)) fresh.push_back(v);
    }
    if (!fresh.empty()) {
      if (fresh.size() > 5) fresh.resize(5);
      return absl::FailedPreconditionError(absl::StrCat(
          "migration '", m.name, "' leaves ", after.size() - violations_before.size(),
          " foreign-key violation(s) (PRAGMA foreign_key_check: ", absl::StrJoin(fresh, ", "),
          "); rolled back, nothing was applied"));
    }
  }
  const double duration = NowMs() - start;
  if (hashes) {
    // A migration of CREATEs and DML only appended to sqlite_schema since `before` was hashed.
    bool additive = true;
    for (const std::string& s : statements) additive = additive && IsAdditiveStatement(s);
    ASSIGN_OR_RETURN(*schema, SchemaHashOf(c, "main", additive));
  }
  if (!tables_ready) RETURN_IF_ERROR(EnsureJournal(c));
  ASSIGN_OR_RETURN(Rows inserted,
                   Query(c,
                         "INSERT INTO doctor_migrations(name, checksum, applied_at, duration_ms, "
                         "statements, schema_before, schema_after, sql, source, kind, origin) "
                         "VALUES(?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?3, ?4, ?5, ?6, "
                         "?7, ?8, ?9, ?10) RETURNING applied_at",
                         {Value(m.name), Value(m.checksum), Value(duration),
                          Value(static_cast<int64_t>(n)), hashes ? Value(before) : Value::Null(),
                          hashes ? Value(*schema) : Value::Null(),
                          Value(m.text), Value(m.source), Value(m.kind),
                          m.origin.empty() ? Value::Null() : Value(m.origin)}));
  if (m.drizzle) {
    // The caller (MigrateFolder) made the table ready for the folder's layout. Both journals
    // get the same applied_at.
    RETURN_IF_ERROR(InsertDrizzleRow(
        c, DrizzleEntry{m.drizzle_hash.empty() ? m.checksum : m.drizzle_hash, m.created_at,
                        m.drizzle_name, inserted.empty() ? Value::Null() : inserted[0][0]}));
  }
  return absl::OkStatus();
}

// Journals a migration without running it: baseline (marked applied) or adopted (Drizzle's
// migrator applied it).
absl::Status JournalOnly(Connection& c, const Folder& folder, const MigrationFile& f,
                         const std::string& source, const std::string& kind,
                         const std::string& schema, bool drizzle_row) {
  RETURN_IF_ERROR(EnsureJournal(c));
  ASSIGN_OR_RETURN(Rows inserted,
                   Query(c,
                         "INSERT INTO doctor_migrations(name, checksum, applied_at, duration_ms, "
                         "statements, schema_before, schema_after, sql, source, kind, origin) "
                         "VALUES(?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, 0, ?3, ?3, "
                         "?4, ?5, ?6, ?7) RETURNING applied_at",
                         {Value(f.name), Value(f.checksum), Value(schema), Value(f.text),
                          Value(source), Value(kind), Value(f.path)}));
  if (drizzle_row) {
    RETURN_IF_ERROR(EnsureDrizzleTable(c, folder));
    DrizzleEntry e = DrizzleEntryOf(folder, f);
    if (!inserted.empty()) e.applied_at = inserted[0][0];
    RETURN_IF_ERROR(InsertDrizzleRow(c, e));
  }
  return absl::OkStatus();
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

// Restores foreign_keys to `on` when it goes out of scope, if it was changed.
class ForeignKeysRestorer {
 public:
  ForeignKeysRestorer(Connection& c, bool on) : c_(c), on_(on) {}
  ~ForeignKeysRestorer() {
    if (changed_) SetForeignKeys(c_, on_).IgnoreError();
  }
  absl::Status Set(bool on) {
    changed_ = on != on_;
    return SetForeignKeys(c_, on);
  }

 private:
  Connection& c_;
  bool on_;
  bool changed_ = false;
};

}  // namespace

std::vector<std::string> StatementsOf(const Migration& m) {
  std::vector<std::string> out;
  std::vector<std::string> pieces = m.breakpoints ? SplitBreakpoints(m.text)
                                                  : std::vector<std::string>{m.text};
  for (const std::string& piece : pieces) {
    for (absl::string_view s : SplitStatements(piece)) {
      if (!IsBlankSql(s)) out.emplace_back(s);
    }
  }
  return out;
}

absl::StatusOr<std::string> SchemaHashOf(Connection& c, const std::string& schema,
                                         bool appended_only) {
  Connection::InternalScope internal(c);
  MigrateState& st = c.State<MigrateState>();
  absl::MutexLock lock(&st.mu);
  if (appended_only) return HashSchemaAppended(c.db(), schema, &st.cache, &st.last);
  return HashSchemaOf(c.db(), schema, &st.cache, &st.last);
}

absl::StatusOr<std::vector<JournalRow>> LoadJournal(Connection& c) {
  ASSIGN_OR_RETURN(bool exists, TableExists(c, "doctor_migrations"));
  std::vector<JournalRow> out;
  if (!exists) return out;
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT name, checksum, kind, sql, source, applied_at, duration_ms, origin "
                                    "FROM doctor_migrations WHERE id IN "
                                    "(SELECT max(id) FROM doctor_migrations GROUP BY name) ORDER BY id"));
  for (const Row& r : rows) {
    out.push_back(JournalRow{r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsText(),
                             r[4].AsText(), r[5], r[6], r[7].AsText()});
  }
  return out;
}

absl::StatusOr<std::string> MigrateOne(Connection& c, const Migration& m) {
  ASSIGN_OR_RETURN(bool fk_on, ForeignKeysOn(c));
  const bool in_txn = sqlite3_get_autocommit(c.db()) == 0;
  const bool fk_guard = fk_on && AsksForeignKeysOff(m.text);
  if (fk_guard && in_txn) {
    return absl::FailedPreconditionError(absl::StrCat(
        "migration '", m.name, "' asks for PRAGMA foreign_keys=OFF, which SQLite ignores inside a "
        "transaction (a DROP TABLE would cascade-delete child rows): run it outside a transaction"));
  }
  ForeignKeysRestorer restore(c, fk_on);
  if (fk_guard) RETURN_IF_ERROR(restore.Set(false));
  PragmaGuard settings(c);
  RETURN_IF_ERROR(settings.Capture(SettingsPragmasOf(m.text)));
  Transaction txn(c);
  RETURN_IF_ERROR(txn.Begin());
  ASSIGN_OR_RETURN(std::vector<JournalRow> journal, LoadJournal(c));
  for (const JournalRow& j : journal) {
    if (j.name != m.name || j.kind == "revert") continue;
    if (j.checksum == m.checksum) return std::string("already applied");
    return absl::FailedPreconditionError(absl::StrCat(
        "migration '", m.name, "' was already applied with checksum ", j.checksum,
        " but this text has checksum ", m.checksum, " (drift): nothing was run"));
  }
  std::string schema;
  RETURN_IF_ERROR(ApplyInside(c, c.State<MigrateState>(), m, &schema, fk_guard));
  RETURN_IF_ERROR(txn.Commit());
  settings.Keep();
  return std::string("applied");
}

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
  MigrateState& st = c.State<MigrateState>();
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
    // Created (or upgraded to Drizzle 1.0's columns) before anything else, as Drizzle does.
    RETURN_IF_ERROR(EnsureDrizzleTable(c, folder));
    ASSIGN_OR_RETURN(std::vector<JournalRow> journal, LoadJournal(c));
    ASSIGN_OR_RETURN(std::vector<DrizzleRow> drizzle, LoadDrizzle(c));
    std::vector<PlanItem> plan = MakePlan(folder, journal, drizzle);
    std::vector<std::string> changed;
    for (const PlanItem& item : plan) {
      if (item.status == "changed") changed.push_back(absl::StrCat(item.name, " (", item.note, ")"));
    }
    if (!changed.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          changed.size(), " applied migration(s) changed on disk: ",
          absl::StrJoin(changed, "; "), "; nothing was run"));
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
      if (item.drizzle_only || (item.drizzle_unnamed && item.status == "applied")) {
        // Applied, but Drizzle's journal lacks it (or lists it without the name Drizzle 1.0
        // looks for): record it so Drizzle never reruns it.
        DrizzleEntry e = DrizzleEntryOf(folder, *item.file);
        if (std::holds_alternative<std::string>(item.applied_at.storage())) e.applied_at = item.applied_at;
        RETURN_IF_ERROR(InsertDrizzleRow(c, e));
      } else if (item.status == "pending") {
        pending.push_back(&item);
      }
    }
    if (!pending.empty()) RETURN_IF_ERROR(EnsureJournal(c));
    size_t k = 0;
    for (; k < pending.size(); ++k) {
      const bool needs_off = fk_on && AsksForeignKeysOff(pending[k]->file->text);
      if (needs_off && in_txn) {
        return absl::FailedPreconditionError(absl::StrCat(
            "migration '", pending[k]->name, "' asks for PRAGMA foreign_keys=OFF, which SQLite "
            "ignores inside a transaction (a DROP TABLE would cascade-delete child rows): run "
            "migrate_dir outside a transaction"));
      }
      if (needs_off != fk_off_now) break;
      absl::Status s = ApplyInside(c, st, FromFile(folder, *pending[k]->file), &schema, needs_off,
                                   /*tables_ready=*/true);
      if (!s.ok()) {
        if (applied > 0) {
          return absl::Status(s.code(), absl::StrCat(s.message(), " (", applied,
                                                     " earlier migration(s) of this run stay applied)"));
        }
        return s;
      }
    }
    RETURN_IF_ERROR(txn.Commit());
    settings.Keep();
    applied += static_cast<int64_t>(k);
    if (k == pending.size()) return applied;
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
    if (item.status == "pending") {
      RETURN_IF_ERROR(JournalOnly(c, folder, *item.file, drizzle_layout ? "drizzle" : "dir", "baseline",
                                  schema, drizzle_layout));
      ++count;
    }
    if (upto && item.name == *upto) break;
  }
  RETURN_IF_ERROR(txn.Commit());
  return count;
}

absl::StatusOr<std::string> RevertOne(Connection& c, const std::string& name,
                                      const std::optional<std::string>& path) {
  ASSIGN_OR_RETURN(bool exists, TableExists(c, "doctor_migrations"));
  std::string origin;
  if (exists) {
    ASSIGN_OR_RETURN(Rows rows, Query(c,
                                      "SELECT kind, origin, source FROM doctor_migrations WHERE name = ?1 "
                                      "ORDER BY id DESC LIMIT 1",
                                      {Value(name)}));
    if (rows.empty() || rows[0][0].AsText() == "revert") {
      return absl::FailedPreconditionError(absl::StrCat("migration '", name, "' is not applied"));
    }
    origin = rows[0][1].AsText();
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
    down = absl::StrCat(*path, "/", name, ".down.sql");
  } else if (absl::EndsWith(origin, ".sql")) {
    down = absl::StrCat(origin.substr(0, origin.size() - 4), ".down.sql");
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
  ASSIGN_OR_RETURN(bool fk_on, ForeignKeysOn(c));
  const bool fk_guard = fk_on && AsksForeignKeysOff(m.text);
  if (fk_guard && sqlite3_get_autocommit(c.db()) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "down migration of '", name, "' asks for PRAGMA foreign_keys=OFF, which SQLite ignores "
        "inside a transaction: run it outside a transaction"));
  }
  ForeignKeysRestorer restore(c, fk_on);
  if (fk_guard) RETURN_IF_ERROR(restore.Set(false));
  PragmaGuard settings(c);
  RETURN_IF_ERROR(settings.Capture(SettingsPragmasOf(m.text)));
  Transaction txn(c);
  RETURN_IF_ERROR(txn.Begin());
  std::string schema;
  RETURN_IF_ERROR(ApplyInside(c, c.State<MigrateState>(), m, &schema, fk_guard));
  RETURN_IF_ERROR(txn.Commit());
  settings.Keep();
  return std::string("reverted");
}

}  // namespace doctor::migrations
