// SQL glue of the migrations area: argument checks and result shaping only; the work is in
// apply.cc (running and journaling), plan.cc (status), check.cc (dry run), schema.cc (hash, diff).
#include "ext/migrations/migrate.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ext/core/function.h"
#include "ext/core/private_db.h"
#include "ext/core/sql.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"
#include "ext/core/table.h"
#include "ext/core/table_rows.h"
#include "ext/core/text.h"
#include "ext/core/time.h"
#include "ext/migrations/apply.h"
#include "ext/migrations/check.h"
#include "ext/migrations/replay.h"
#include "ext/migrations/replay_params.h"
#include "ext/migrations/drift.h"
#include "ext/migrations/drizzle_table.h"
#include "ext/migrations/folder.h"
#include "ext/migrations/journal_mode_change.h"
#include "ext/migrations/plan.h"
#include "ext/migrations/schema.h"
#include "ext/migrations/sha256.h"
#include "ext/migrations/sql_text.h"

namespace doctor {
namespace {

using migrations::Migration;

absl::StatusOr<std::optional<std::string>> OptionalText(const Args& args, int i, const char* name) {
  if (i >= args.size() || args.Missing(i)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string s, args.Text(i, name));
  return std::optional<std::string>(std::move(s));
}

absl::StatusOr<Value> Migrate(FunctionCall& call) {
  ASSIGN_OR_RETURN(std::string name, call.args().Text(0, "name"));
  ASSIGN_OR_RETURN(std::string sql, call.args().Text(1, "sql"));
  if (name.empty()) return absl::InvalidArgumentError("argument 'name' is empty");
  Migration m;
  m.name = name;
  m.text = sql;
  m.checksum = migrations::Sha256Hex(sql);
  m.source = "sql";
  m.breakpoints = sql.find(migrations::kBreakpointText) != std::string::npos;
  ASSIGN_OR_RETURN(std::string result, migrations::MigrateOne(call.connection(), m));
  return Value(result);
}

absl::StatusOr<Value> MigrateDir(FunctionCall& call) {
  ASSIGN_OR_RETURN(std::string path, call.args().Text(0, "path"));
  ASSIGN_OR_RETURN(int64_t n, migrations::MigrateFolder(call.connection(), path));
  return Value(n);
}

absl::StatusOr<Value> Baseline(FunctionCall& call) {
  ASSIGN_OR_RETURN(std::string path, call.args().Text(0, "path"));
  ASSIGN_OR_RETURN(std::optional<std::string> upto, OptionalText(call.args(), 1, "upto"));
  ASSIGN_OR_RETURN(int64_t n, migrations::BaselineFolder(call.connection(), path, upto));
  return Value(n);
}

absl::StatusOr<Value> Revert(FunctionCall& call) {
  ASSIGN_OR_RETURN(std::string name, call.args().Text(0, "name"));
  ASSIGN_OR_RETURN(std::optional<std::string> path, OptionalText(call.args(), 1, "path"));
  ASSIGN_OR_RETURN(std::string result, migrations::RevertOne(call.connection(), name, path));
  return Value(result);
}

absl::StatusOr<Value> SchemaHash(FunctionCall& call) {
  ASSIGN_OR_RETURN(std::string wanted, call.args().TextOr(0, "schema", "main"));
  ASSIGN_OR_RETURN(std::string schema, ResolveSchema(call.connection(), wanted));
  ASSIGN_OR_RETURN(std::string hash, migrations::SchemaHashOf(call.connection(), schema));
  return Value(hash);
}

constexpr Column kStatusColumns[] = {
    {"name", "TEXT", "The migration's name: file stem, drizzle-kit tag or Drizzle folder name."},
    {"status", "TEXT", "applied | pending | changed | missing | error (a file that cannot be used, or a pending one with no statements) | unlisted (a .sql file of a drizzle-kit folder that meta/_journal.json does not list: nothing runs it)."},
    {"checksum", "TEXT", "sha256 hex of the file's text, else of the applied text."},
    {"applied_at", "TEXT", "When it was applied (ISO-8601 UTC); NULL when pending."},
    {"duration_ms", "REAL", "How long it ran, in milliseconds."},
    {"note", "TEXT", "Why: a changed checksum, adopted from Drizzle, out of order, an error."},
};

void AddStatusRow(RowBuilder& rows, const std::string& name, const std::string& status,
                  const std::string& checksum, const Value& applied_at, const Value& duration_ms,
                  const Value& note) {
  rows.NewRow();
  rows.Set("name", Value(name));
  rows.Set("status", Value(status));
  rows.Set("checksum", checksum.empty() ? Value::Null() : Value(checksum));
  rows.Set("applied_at", applied_at);
  rows.Set("duration_ms", duration_ms);
  rows.Set("note", note);
}

// The __drizzle_migrations rows of migrations doctor_migrations does not hold (by checksum, or by
// the hash Drizzle records for the text that ran): those only Drizzle's migrator applied.
std::vector<migrations::DrizzleRow> DrizzleOnly(const std::vector<migrations::JournalRow>& journal,
                                                const std::vector<migrations::DrizzleRow>& drizzle) {
  absl::flat_hash_set<std::string> journaled;
  for (const auto& j : journal) {
    journaled.insert(j.checksum);
    if (!j.sql.empty()) journaled.insert(migrations::DrizzleHash(j.sql));
  }
  std::vector<migrations::DrizzleRow> out;
  for (const auto& d : drizzle) {
    if (!journaled.count(d.hash)) out.push_back(d);
  }
  return out;
}

// migration_status' note on a file of a drizzle-kit folder that its journal does not list;
// `applied`: doctor_migrations has it applied from this folder.
std::string UnlistedNote(const std::string& file, bool applied) {
  return absl::StrCat(
      file, " is not in meta/_journal.json: drizzle-kit migrate, migrate() of drizzle-orm and "
      "migrate_dir never run it",
      applied ? " (doctor_migrations has it applied: its journal entry was removed after it ran)"
              : "",
      ". To run it, move its statements into the migration `drizzle-kit generate --custom` "
      "writes (it adds the journal entry) and delete it; if it was left behind when its journal "
      "entry was removed, delete it");
}

absl::StatusOr<Rows> Status(TableCall& call) {
  ASSIGN_OR_RETURN(std::optional<std::string> path, OptionalText(call.args(), 0, "path"));
  Connection& c = call.connection();
  ASSIGN_OR_RETURN(std::vector<migrations::JournalRow> journal, migrations::LoadJournal(c));
  RowBuilder rows(kStatusColumns);
  if (!path) {
    for (const auto& j : journal) {
      bool reverted = j.kind == "revert";
      AddStatusRow(rows, j.name, reverted ? "pending" : "applied", j.checksum, j.applied_at,
                   j.duration_ms,
                   reverted ? Value("reverted") : j.kind == "apply" ? Value::Null() : Value(j.kind));
    }
    // Migrations only Drizzle's migrator applied: a database it migrated listed none.
    ASSIGN_OR_RETURN(std::vector<migrations::DrizzleRow> drizzle, migrations::LoadDrizzle(c));
    for (const auto& d : DrizzleOnly(journal, drizzle)) {
      const std::string name =
          d.name ? *d.name
                 : absl::StrCat(migrations::DrizzleTable(), ":",
                                d.created_at ? absl::StrCat(*d.created_at) : std::string("?"));
      AddStatusRow(rows, name, "applied", d.hash, d.applied_at, Value::Null(),
                   Value("applied by Drizzle's migrator; migration_status(folder) names its file"));
    }
    return rows.Finish();
  }
  ASSIGN_OR_RETURN(migrations::Folder folder, migrations::ReadFolder(*path));
  ASSIGN_OR_RETURN(std::vector<migrations::DrizzleRow> drizzle, migrations::LoadDrizzle(c));
  // Drizzle's migrator skips them without a word, and so does migrate_dir: before, so did this
  // table, and a hand-written 0003_x.sql looked applied to everyone. One applied before its
  // journal entry was removed is that row, not also `missing` ("no file in the folder").
  absl::flat_hash_map<std::string, const migrations::PlanItem*> applied_unlisted;
  for (const std::string& file : folder.unlisted) {
    applied_unlisted[absl::StripSuffix(file, ".sql")] = nullptr;
  }
  const std::vector<migrations::PlanItem> plan = migrations::MakePlan(folder, journal, drizzle);
  for (const migrations::PlanItem& p : plan) {
    auto unlisted = applied_unlisted.find(p.name);
    if (p.status == migrations::PlanStatus::kMissing && unlisted != applied_unlisted.end()) {
      unlisted->second = &p;
      continue;
    }
    AddStatusRow(rows, p.name, migrations::PlanStatusName(p.status), p.checksum, p.applied_at,
                 p.duration_ms, p.note.empty() ? Value::Null() : Value(p.note));
  }
  for (const std::string& file : folder.unlisted) {
    const std::string name(absl::StripSuffix(file, ".sql"));
    const migrations::PlanItem* applied = applied_unlisted[name];
    AddStatusRow(rows, name, "unlisted", applied ? applied->checksum : "",
                 applied ? applied->applied_at : Value::Null(),
                 applied ? applied->duration_ms : Value::Null(),
                 Value(UnlistedNote(file, applied != nullptr)));
  }
  return rows.Finish();
}

// A connection for migrate_check's dry run. The calling SELECT counts as a statement in progress,
// and SQLite refuses DROP TABLE on a connection with one, so the dry run cannot use the caller's
// connection: it gets a second connection to the same file, or (for an in-memory database, or
// when the caller is inside a transaction whose changes a second connection would not see) an
// in-memory copy made with the backup API.
//
// In rollback-journal mode the caller's own read lock blocks the second connection's writes, so
// only WAL databases get the second connection.
absl::StatusOr<std::unique_ptr<PrivateDb>> DryRunConnection(Connection& caller) {
  sqlite3* db = caller.db();
  const char* file = sqlite3_db_filename(db, "main");
  const bool in_txn = sqlite3_get_autocommit(db) == 0;
  ASSIGN_OR_RETURN(Rows mode, Query(db, "PRAGMA main.journal_mode"));
  const bool wal = !mode.empty() && mode[0][0].AsText() == "wal";
  // In EXCLUSIVE locking mode a WAL database keeps its wal-index in this connection's heap and
  // its lock for the connection's life: no second connection can read it, so copy it instead.
  ASSIGN_OR_RETURN(Rows locking, Query(db, "PRAGMA main.locking_mode"));
  const bool exclusive = !locking.empty() && locking[0][0].AsText() == "exclusive";
  const bool use_file = file != nullptr && *file != 0 && !in_txn && wal && !exclusive;
  PrivateDbOptions options;
  options.flags = SQLITE_OPEN_READWRITE | (use_file ? 0 : SQLITE_OPEN_CREATE);
  absl::StatusOr<std::unique_ptr<PrivateDb>> opened =
      PrivateDb::Open(caller, use_file ? file : ":memory:", options);
  if (!opened.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot open a connection for the dry run: ",
                                               opened.status().message()));
  }
  sqlite3* scratch = (*opened)->db();
  sqlite3_busy_timeout(scratch, 5000);
  if (!use_file) {
    sqlite3_backup* backup = sqlite3_backup_init(scratch, "main", db, "main");
    int rc = backup ? sqlite3_backup_step(backup, -1) : SQLITE_ERROR;
    if (backup) sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE && in_txn && (rc == SQLITE_LOCKED || rc == SQLITE_BUSY)) {
      // SQLite copies no database its connection is writing to (sqlite3_backup_step).
      return absl::FailedPreconditionError(
          "cannot copy the database for the dry run while this connection's transaction has "
          "written to it; run migrate_check after COMMIT or ROLLBACK");
    }
    if (rc != SQLITE_DONE) {
      std::string message = sqlite3_errmsg(scratch);
      return absl::UnavailableError(absl::StrCat("cannot copy the database for the dry run: ", message));
    }
  }
  return opened;
}

constexpr Column kCheckColumns[] = {
    {"severity", "TEXT",
     "error (migrate() would fail or lose data, or leave a schema SQLite refuses writes on) | "
     "warning | info."},
    {"kind", "TEXT",
     "What was found: destructive, cascade, table_rebuild, plan_change (a hot query of "
     "query_stats changes plan), dry_run, ..."},
    {"object", "TEXT", "The table, column, index or statement it is about."},
    {"detail", "TEXT", "What happens, with the statement and the rows at stake."},
    {"migrate_dir", "TEXT", "What happens when migrate() or migrate_dir runs the migration."},
    {"drizzle", "TEXT",
     "What happens under Drizzle's migrator or drizzle-kit migrate (one transaction, foreign keys "
     "on): e.g. the child rows a table rebuild's cascade deletes there."},
};

// migrate_check('drizzle') or migrate_check('drizzle/0001_x.sql'): a path where the migration's
// text belongs reads as SQL and fails with "near "drizzle": syntax error". Said plainly instead.
absl::Status NotAPath(const std::string& sql) {
  const std::string text(absl::StripAsciiWhitespace(sql));
  if (text.empty() || KindOfStatement(text) != StatementKind::kOther) return absl::OkStatus();
  if (text.find_first_of(" \t\r\n;()'\"") != std::string::npos) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "migrate_check: argument 'sql' must be the SQL text of a migration, got '", Utf8Prefix(text, 80),
      "', which looks like a path: pass the file's text, migrate_check(readfile('",
      Utf8Prefix(text, 80), "')); a folder's pending migrations are dry-run by "
      "doctor_report('main', 'quick', '", Utf8Prefix(text, 80), "') and migration_status('",
      Utf8Prefix(text, 80), "')"));
}

// The dry run runs on a copy of main alone, where a statement on an attached schema fails with
// "unknown database aux" although migrate() would run it: that finding says what it is instead
// of "fails and rolls back" (the statements after it were not checked either).
void MarkAttachedSchemas(Connection& c, std::vector<migrations::Finding>* findings) {
  constexpr absl::string_view kUnknown = "unknown database ";
  for (migrations::Finding& f : *findings) {
    const size_t at = f.detail.find(kUnknown);
    if (f.kind != "statement_failed" || at == std::string::npos) continue;
    const std::string schema = f.detail.substr(at + kUnknown.size());
    if (!ResolveSchema(c, schema).ok()) continue;  // truly unknown: the migration fails
    f.severity = "warning";
    f.kind = "not_checked";
    // "statement 1 of 1 (CREATE TABLE aux.t(a)): unknown database aux"
    const std::string where(absl::StripSuffix(f.detail.substr(0, at), ": "));
    f.detail = absl::StrCat(where, " uses the attached database '", schema,
                            "': migrate_check dry-runs on a copy of main only, so this statement "
                            "and those after it were not checked");
    f.migrate_dir = f.drizzle = "not checked";
  }
}

absl::StatusOr<Rows> Check(TableCall& call) {
  ASSIGN_OR_RETURN(std::string sql, call.args().Text(0, "sql"));
  RETURN_IF_ERROR(NotAPath(sql));
  ASSIGN_OR_RETURN(std::optional<std::string> earlier, OptionalText(call.args(), 1, "earlier"));
  Connection& c = call.connection();
  ASSIGN_OR_RETURN(Rows fk, Query(c, "PRAGMA foreign_keys"));
  const bool fk_on = !fk.empty() && fk[0][0].AsInt() != 0;
  const bool in_txn = sqlite3_get_autocommit(c.db()) == 0;
  ASSIGN_OR_RETURN(const std::string journal_mode, migrations::JournalModeOf(c.db()));
  ASSIGN_OR_RETURN(std::vector<migrations::HotQuery> hot, migrations::ReadHotQueries(c));
  RETURN_IF_ERROR(migrations::ChooseParameters(c, &hot));
  ASSIGN_OR_RETURN(std::unique_ptr<PrivateDb> dry_run, DryRunConnection(c));
  sqlite3* scratch = dry_run->db();
  RETURN_IF_ERROR(Exec(scratch, fk_on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF"));
  absl::StatusOr<std::vector<migrations::Finding>> findings =
      migrations::CheckMigration(scratch, &c.State<migrations::MigrateState>().cache, sql, in_txn,
                                 journal_mode, hot, dry_run.get(), earlier.value_or(""));
  if (!findings.ok() && absl::StrContains(findings.status().message(), "database is locked")) {
    return absl::Status(findings.status().code(), absl::StrCat(
        "migrate_check: ", findings.status().message(), " (another connection holds the database's "
        "lock: a write transaction kept open past the 5 s the dry run waits, whose process "
        "lock_stats.writer_pid names: run the check again when it has ended; or a connection in "
        "PRAGMA locking_mode=EXCLUSIVE, which keeps it for its whole life, and on a WAL database "
        "no other connection can even read: run migrate_check on that connection, or set PRAGMA "
        "locking_mode=NORMAL there and run one statement to release the lock)"));
  }
  if (!findings.ok()) return findings.status();
  MarkAttachedSchemas(c, &*findings);
  RowBuilder rows(kCheckColumns);
  for (const migrations::Finding& f : *findings) {
    rows.NewRow();
    rows.Set("severity", Value(f.severity));
    rows.Set("kind", Value(f.kind));
    rows.Set("object", Value(f.object));
    rows.Set("detail", Value(f.detail));
    rows.Set("migrate_dir", Value(f.migrate_dir));
    rows.Set("drizzle", Value(f.drizzle));
  }
  return rows.Finish();
}

// Applies `sql` to a fresh in-memory database (no ATTACH allowed) and reads its schema.
absl::StatusOr<std::vector<migrations::SchemaObject>> ScratchSchema(Connection& caller,
                                                                 const std::string& sql,
                                                                 const char* which) {
  absl::StatusOr<std::unique_ptr<PrivateDb>> scratch = PrivateDb::Open(caller, ":memory:");
  if (!scratch.ok()) return absl::ResourceExhaustedError("cannot open a scratch database");
  sqlite3* db = (*scratch)->db();
  migrations::BoundReplayScratch(db);
  absl::Status s = ExecUserSql(db, sql);
  absl::StatusOr<std::vector<migrations::SchemaObject>> out =
      s.ok() ? migrations::ReadSchema(db, "main", nullptr)
             : absl::InvalidArgumentError(absl::StrCat(which, " does not apply to an empty database: ",
                                                       s.message()));
  return out;
}

constexpr Column kDiffColumns[] = {
    {"change", "TEXT", "added | removed | changed, from sql_a to sql_b."},
    {"type", "TEXT", "table | index | view | trigger."},
    {"name", "TEXT", "The object's name."},
    {"detail", "TEXT", "What differs: column by column for a table, else the normalized facts."},
};

absl::StatusOr<Rows> Diff(TableCall& call) {
  ASSIGN_OR_RETURN(std::string a, call.args().Text(0, "sql_a"));
  ASSIGN_OR_RETURN(std::string b, call.args().Text(1, "sql_b"));
  ASSIGN_OR_RETURN(auto sa, ScratchSchema(call.connection(), a, "sql_a"));
  ASSIGN_OR_RETURN(auto sb, ScratchSchema(call.connection(), b, "sql_b"));
  RowBuilder rows(kDiffColumns);
  for (const auto& ch : migrations::DiffSchemas(sa, sb)) {
    rows.NewRow();
    rows.Set("change", Value(ch.change));
    rows.Set("type", Value(ch.type));
    rows.Set("name", Value(ch.name));
    rows.Set("detail", Value(ch.detail));
  }
  return rows.Finish();
}

constexpr Column kDriftColumns[] = {
    {"drift", "TEXT",
     "extra (only in the live schema) | missing (only in the replayed migrations) | changed | "
     "unreplayable (a migration does not replay on an empty database)."},
    {"type", "TEXT", "table | index | view | trigger."},
    {"name", "TEXT", "The object's name."},
    {"detail", "TEXT", "What differs, as schema_diff says it."},
    {"fix_sql", "TEXT", "The SQL of a new migration that records the live state, ending with ';'."},
    {"drizzle", "TEXT", "For an index: the line of a Drizzle schema that declares it."},
    {"migration_file", "TEXT",
     "With a folder: where the new migration (every row's fix_sql) goes, in the folder's layout."},
    {"since", "TEXT",
     "Where the journal's schema hashes (schema_before / schema_after) first show a change made "
     "outside the migrations: before the first, between two, or after the last migration; NULL "
     "when they cannot tell (hashes not recorded)."},
};

absl::StatusOr<Rows> Drift(TableCall& call) {
  ASSIGN_OR_RETURN(std::optional<std::string> path, OptionalText(call.args(), 0, "path"));
  Connection& c = call.connection();
  Value file = Value::Null();
  ASSIGN_OR_RETURN(std::vector<migrations::JournalRow> journal, migrations::LoadJournal(c));
  ASSIGN_OR_RETURN(std::vector<migrations::DrizzleRow> drizzle, migrations::LoadDrizzle(c));
  // The migrations Drizzle's migrator applied are replayed too, from their files: without them
  // every table of a database it migrated was "extra", in no migration.
  std::string unknown;  // why they cannot all be replayed
  if (path) {
    ASSIGN_OR_RETURN(migrations::Folder folder, migrations::ReadFolder(*path));
    file = Value(migrations::NewMigrationPath(folder, UnixMs()));
    std::string edited;
    journal = migrations::ReplayList(journal, migrations::MakePlan(folder, journal, drizzle), &edited);
    if (!edited.empty()) {
      unknown = absl::StrCat("migration '", edited, "' was applied by Drizzle's migrator and its "
                             "file edited since: the text that ran is not known; the comparison "
                             "stops here");
    }
  } else if (size_t n = DrizzleOnly(journal, drizzle).size(); n > 0) {
    unknown = absl::StrCat(n, " migration(s) applied by Drizzle's migrator (in ",
                           migrations::DrizzleTable(), ") are not in doctor_migrations: their text "
                           "is in the migration folder, which schema_drift(folder) replays");
  }
  if (!unknown.empty()) {
    RowBuilder rows(kDriftColumns);
    rows.NewRow();
    rows.Set("drift", Value("unreplayable"));
    rows.Set("type", Value::Null());
    rows.Set("name", Value(""));
    rows.Set("detail", Value(unknown));
    rows.Set("fix_sql", Value::Null());
    rows.Set("drizzle", Value::Null());
    rows.Set("migration_file", file);
    rows.Set("since", Value::Null());
    return rows.Finish();
  }
  absl::StatusOr<std::unique_ptr<PrivateDb>> scratch = PrivateDb::Open(c, ":memory:");
  if (!scratch.ok()) return absl::ResourceExhaustedError("cannot open a scratch database for the replay");
  Connection::InternalScope internal(c);
  ASSIGN_OR_RETURN(std::vector<migrations::HashLink> chain, migrations::LoadHashChain(c.db()));
  std::string replaying;
  ASSIGN_OR_RETURN(std::vector<migrations::Drift> drift,
                   migrations::SchemaDrift(c.db(), (*scratch)->db(),
                                           &c.State<migrations::MigrateState>().cache, journal,
                                           chain, &replaying));
  // Stopped (work_timeout_ms, an interrupt): the call's error says which migration was running.
  if (!replaying.empty()) {
    (*scratch)->AddStopContext(absl::StrCat(" while replaying migration '", replaying, "'"));
  }
  RowBuilder rows(kDriftColumns);
  for (const migrations::Drift& d : drift) {
    rows.NewRow();
    rows.Set("drift", Value(d.drift));
    rows.Set("type", d.type.empty() ? Value::Null() : Value(d.type));
    rows.Set("name", Value(d.name));
    rows.Set("detail", Value(d.detail));
    rows.Set("fix_sql", d.fix_sql.empty() ? Value::Null() : Value(AsScriptStatement(d.fix_sql)));
    rows.Set("drizzle", d.drizzle.empty() ? Value::Null() : Value(d.drizzle));
    rows.Set("migration_file", file);
    rows.Set("since", d.since.empty() ? Value::Null() : Value(d.since));
  }
  return rows.Finish();
}

const FunctionSpec kFunctions[] = {
    {"migrate", 2, 2, Trust::kDirectOnly, Migrate, "migrate(name TEXT, sql TEXT) -> TEXT",
     "Applies one migration atomically and journals it in doctor_migrations: 'applied', or "
     "'already applied' for the same name and checksum; a different checksum is an error."},
    {"migrate_dir", 1, 1, Trust::kDirectOnly, MigrateDir, "migrate_dir(path TEXT) -> INTEGER",
     "Applies the pending migrations of a folder (plain *.sql, drizzle-kit, or Drizzle's "
     "folder-per-migration layout) in order and returns how many it applied."},
    {"migrate_baseline", 1, 2, Trust::kDirectOnly, Baseline,
     "migrate_baseline(path TEXT [, upto TEXT]) -> INTEGER",
     "Journals a folder's pending migrations (up to and including `upto`) as applied without "
     "running them, for an existing database adopting migrations; returns how many."},
    {"migrate_revert", 1, 2, Trust::kDirectOnly, Revert,
     "migrate_revert(name TEXT [, path TEXT]) -> TEXT",
     "Runs the down migration NNNN_name.down.sql of the latest applied migration atomically and "
     "journals the revert (down migrations run latest first)."},
    {"schema_hash", 0, 1, Trust::kVolatile, SchemaHash, "schema_hash([schema TEXT]) -> TEXT",
     "sha256 hex of the schema's normalized facts: ignores whitespace, comments, case and "
     "identifier quoting; leaves out sqlite_* and the migration journals."},
};

constexpr TableArg kPathArg[] = {{"path", false}};
constexpr TableArg kCheckArgs[] = {{"sql", true}, {"earlier", false}};
constexpr TableArg kDiffArgs[] = {{"sql_a", true}, {"sql_b", true}};

const TableSpec kTables[] = {
    {"migration_status", nullptr, kPathArg, true, Status, "SELECT * FROM migration_status([path])",
     "Every migration known from the journal and, with a folder, from its files: status applied | "
     "pending | changed | missing | error | unlisted, checksum, applied_at (ISO-8601 UTC), "
     "duration_ms, note.",
     kStatusColumns},
    {"migrate_check", nullptr, kCheckArgs, true, Check,
     "SELECT * FROM migrate_check(sql [, earlier])",
     "Dry run of a migration in a savepoint that is always rolled back: destructive changes with "
     "row counts, rebuilds, cascades, foreign-key violations, unindexed new foreign keys, and the "
     "hot queries of query_stats whose plan it changes (VM steps before -> after), ...; with "
     "`earlier` (the text of migrations that run before it), those run first, unchecked.",
     kCheckColumns},
    {"schema_diff", nullptr, kDiffArgs, true, Diff, "SELECT * FROM schema_diff(sql_a, sql_b)",
     "Applies each schema script to a scratch in-memory database and lists what changed from a "
     "to b: tables (column by column), indexes, views, triggers.",
     kDiffColumns},
    {"schema_drift", nullptr, kPathArg, true, Drift, "SELECT * FROM schema_drift([path])",
     "The live schema against what the journal's applied migrations produce, replayed on an empty "
     "in-memory database: objects extra, missing or changed, each with the SQL of a migration "
     "that records it and, for an index, its Drizzle schema line.",
     kDriftColumns},
};

Setting* const kSettings[] = {&migrations::kSchemaHashSetting, &migrations::kDrizzleTableSetting};

}  // namespace

const Area kMigrationsArea = {"migrations", kFunctions, kTables, kSettings, nullptr};

}  // namespace doctor
