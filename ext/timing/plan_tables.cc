// plan_changes: every change of plan the plan history recorded (plan_history.h) in this process
// and, through the stores (store_plan_changes.h), in every other process, with what
// happened between (a migration from the journals of the reading connection's database, an
// ANALYZE seen by this process, a change of SQLite version), the figures before and after, and
// the fix of a regression. Also the captured plan of a query_stats row.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/query_plan.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/core/time.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/tables.h"
#include "ext/timing/trace.h"

namespace doctor::timing {
namespace {

bool HasTable(Connection& c, const char* name) {
  absl::StatusOr<Rows> r =
      Query(c, "SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?1", {Value(name)});
  return r.ok() && !r->empty();
}

// Names of the migrations journaled between the two times (unix ms), from doctor_migrations and
// Drizzle 1.0's __drizzle_migrations (applied_at); Drizzle 0.45 keeps no time of application.
std::vector<std::string> MigrationsBetween(Connection& c, int64_t from_ms, int64_t to_ms) {
  std::vector<std::string> names;
  auto add = [&](const std::string& sql) {
    absl::StatusOr<Rows> rows = Query(c, sql, {Value(from_ms - 1), Value(to_ms + 1)});
    if (!rows.ok()) return;
    for (const Row& r : *rows) {
      const std::string name = r[0].AsText();
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  };
  constexpr const char* kUnixMs = "(julianday(applied_at) - 2440587.5) * 86400000.0";
  if (HasTable(c, "doctor_migrations")) {
    add(absl::StrCat("SELECT name FROM main.doctor_migrations WHERE kind IN ('apply', 'revert') "
                     "AND ", kUnixMs, " BETWEEN ?1 AND ?2 ORDER BY id LIMIT 20"));
  }
  if (HasTable(c, "__drizzle_migrations")) {
    add(absl::StrCat("SELECT name FROM main.\"__drizzle_migrations\" WHERE name IS NOT NULL AND ",
                     kUnixMs, " BETWEEN ?1 AND ?2 ORDER BY id LIMIT 20"));
  }
  return names;
}

std::string Cause(Connection& c, const PlanChange& change, bool own_db) {
  std::vector<std::string> causes;
  if (own_db) {
    std::vector<std::string> migrations =
        MigrationsBetween(c, change.old_plan.last_ms, change.at_ms);
    if (!migrations.empty()) {
      causes.push_back(absl::StrCat("migration ", absl::StrJoin(migrations, ", ")));
    }
  }
  if (change.analyze_between) causes.push_back("ANALYZE");
  if (change.old_plan.sqlite_version != change.new_plan.sqlite_version) {
    causes.push_back(absl::StrCat("SQLite ", change.old_plan.sqlite_version, " -> ",
                                  change.new_plan.sqlite_version));
  }
  return causes.empty() ? "schema change" : absl::StrJoin(causes, "; ");
}

bool IndexExists(Connection& c, const std::string& index) {
  absl::StatusOr<Rows> r = Query(
      c, "SELECT 1 FROM main.sqlite_schema WHERE type = 'index' AND name = ?1 COLLATE NOCASE",
      {Value(index)});
  return r.ok() && !r->empty();
}

// The CREATE INDEX of a dropped index: as a journaled migration wrote it, else from the plan.
std::string RecreateIndex(Connection& c, const PlanChange& change, const std::string& index) {
  const std::string& old_plan = change.old_plan.text;
  if (HasTable(c, "doctor_migrations")) {
    absl::StatusOr<Rows> texts = Query(
        c, "SELECT sql FROM main.doctor_migrations WHERE sql LIKE '%' || ?1 || '%' ORDER BY id DESC "
           "LIMIT 50", {Value(index)});
    if (texts.ok()) {
      for (const Row& r : *texts) {
        std::string sql = FindCreateIndex(r[0].AsText(), index);
        if (!sql.empty()) return sql;
      }
    }
  }
  const std::string table = TableOfIndex(old_plan, index);
  if (!HasTable(c, table.c_str())) return "";
  // The table's columns but its rowid alias (an INTEGER PRIMARY KEY is in every index).
  std::vector<std::string> columns;
  absl::StatusOr<Rows> info = Query(
      c, "SELECT name FROM pragma_table_info(?1) WHERE NOT (pk = 1 AND upper(type) = 'INTEGER' "
         "AND (SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1)", {Value(table)});
  if (info.ok()) {
    for (const Row& r : *info) columns.push_back(r[0].AsText());
  }
  return IndexFromPlan(old_plan, index, change.query, columns);
}

// True when sqlite_stat1 has statistics for every index the plan uses (and it uses one): an
// ANALYZE ran since they were built, in this process or another.
bool StatisticsCoverPlan(Connection& c, const std::string& plan_text) {
  int indexes = 0;
  for (const PlanStep& step : ParsePlanText(plan_text).steps) {
    if (step.index.empty() || step.automatic) continue;
    absl::StatusOr<Rows> stat = Query(
        c, "SELECT 1 FROM main.sqlite_stat1 WHERE idx = ?1 COLLATE NOCASE", {Value(step.index)});
    if (!stat.ok() || stat->empty()) return false;  // no sqlite_stat1, or none for this index
    ++indexes;
  }
  return indexes > 0;
}

// The fix of a regression: recreate the indexes the old plan used that are gone; else ANALYZE,
// unless an ANALYZE is what changed the plan: on the same data another one writes the same
// statistics and the planner picks the same plan (before, `ANALYZE;` was offered again after each
// run of it, the finding unchanged: a Sakila workload after doctor_report's own fixes).
Value Fix(Connection& c, const PlanChange& change, const std::vector<std::string>& dropped,
          bool own_db) {
  if (!own_db) return Value::Null();
  std::vector<std::string> creates;
  for (const std::string& index : dropped) {
    if (IndexExists(c, index)) continue;
    std::string sql = RecreateIndex(c, change, index);
    if (!sql.empty()) creates.push_back(sql);
  }
  if (!creates.empty()) return Value(absl::StrJoin(creates, "\n"));
  if (change.analyze_between) return Value::Null();
  // Statistics already cover the new plan's indexes: the ANALYZE ran in another process (the
  // reader that ran doctor_report's fixes, which end with one), so this process saw no ANALYZE,
  // and another one plans the same (before: `ANALYZE;` in every report after it ran, a join's
  // plan changed by an index a report fix built staying 3x slower).
  if (StatisticsCoverPlan(c, change.new_plan.text)) return Value::Null();
  return Value("ANALYZE;");
}

// This process's changes (from memory, without those from before a store's last reset) and the
// other processes' (from the stores of the databases a read covers), most recent first. A damaged
// store fails the read on its own database's connections only; a locked one is left out (`unread`).
absl::StatusOr<std::vector<PlanChange>> AllPlanChanges(Connection& connection,
                                                       UnreadStores* unread) {
  const std::string& own = connection.State<TimingState>().db_name();
  std::vector<PlanChange> all;
  absl::flat_hash_map<std::string, int64_t> reset_at;
  {
    absl::MutexLock lock(&StoreMutex());
    std::vector<PlanChange> stored;
    for (const std::string& db : ReadDbs(connection)) {
      absl::StatusOr<StoreContents> side = ReadSidecar(db, kStorePlanChanges);
      if (!side.ok()) {
        if (db == own && !StoreLocked(side.status())) return side.status();
        unread->insert_or_assign(db, std::string(side.status().message()));
        continue;
      }
      reset_at[db] = side->reset_at_ms;
      for (PlanChange& c : side->plan_changes) stored.push_back(std::move(c));
    }
    for (PlanChange& c : PlanHistory::Global().Changes(FoldedStats().Snapshot())) {
      auto it = reset_at.find(c.db);
      if (it == reset_at.end() || c.at_ms >= it->second) all.push_back(std::move(c));
    }
    std::reverse(all.begin(), all.end());  // most recent first
    for (PlanChange& c : stored) all.push_back(std::move(c));
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const PlanChange& a, const PlanChange& b) { return a.at_ms > b.at_ms; });
  return all;
}

void SetFigures(RowBuilder& rows, const char* prefix, const PlanRecord& plan) {
  const PlanFigures& f = plan.figures;
  rows.Set(absl::StrCat(prefix, "plan"), plan.text);
  rows.Set(absl::StrCat(prefix, "plan_id"), plan.plan_id);
  rows.Set(absl::StrCat(prefix, "calls"), f.calls);
  if (f.calls > 0) {
    rows.Set(absl::StrCat(prefix, "mean_ms"), f.total_ms / f.calls);
    rows.Set(absl::StrCat(prefix, "steps"), static_cast<double>(f.vm_steps) / f.calls);
  }
  rows.Set(absl::StrCat(prefix, "sqlite"), plan.sqlite_version);
}

}  // namespace

const Column kPlanChangesColumns[] = {
    {"at", "TEXT", "When the new plan was captured (ISO-8601 UTC)."},
    {"query_id", "INTEGER", "The query's id in query_stats."},
    {"query", "TEXT", "The normalized query."},
    {"db", "TEXT", "Database file."},
    {"cause", "TEXT",
     "What happened between: migration <names> (journaled in between), ANALYZE, SQLite <old> -> "
     "<new>, or schema change."},
    {"old_plan", "TEXT", "The plan before (EXPLAIN QUERY PLAN of the application's SQLite)."},
    {"new_plan", "TEXT", "The plan after."},
    {"old_plan_id", "INTEGER", "FNV-1a 64 of old_plan."},
    {"new_plan_id", "INTEGER", "FNV-1a 64 of new_plan."},
    {"dropped_indexes", "TEXT", "Indexes the old plan used and the new one does not, comma-separated."},
    {"old_calls", "INTEGER", "Runs with the old plan."},
    {"old_mean_ms", "REAL", "Mean run with the old plan, ms."},
    {"old_steps", "REAL", "VM steps per run with the old plan."},
    {"new_calls", "INTEGER", "Runs with the new plan so far."},
    {"new_mean_ms", "REAL", "Mean run with the new plan, ms."},
    {"new_steps", "REAL", "VM steps per run with the new plan."},
    {"old_sqlite", "TEXT", "sqlite3_libversion() that planned the old plan."},
    {"new_sqlite", "TEXT", "sqlite3_libversion() that planned the new plan."},
    {"regression", "INTEGER",
     "1 when the new plan costs more than twice the old one (steps per run or mean latency)."},
    {"fix", "TEXT",
     "For this database: CREATE INDEX of the dropped indexes still missing, else ANALYZE; "
     "(NULL when an ANALYZE caused the change, or sqlite_stat1 already covers every index of "
     "the new plan: another one plans the same)."},
    {"process", "",
     "'this' for this process; another process's token when read from the store."},
    {"store_error", "TEXT",
     "NULL when other processes' changes of its database were read from the shared store; else "
     "why that store could not be read (e.g. locked by another process for more than 250 ms)."},
};

absl::StatusOr<Rows> PlanChanges(TableCall& call) {
  Connection& connection = call.connection();
  const std::string& own = connection.State<TimingState>().db_name();
  UnreadStores unread;
  ASSIGN_OR_RETURN(const std::vector<PlanChange> changes, AllPlanChanges(connection, &unread));
  RowBuilder rows(kPlanChangesColumns);
  for (const PlanChange& c : changes) {
    const bool own_db = c.db == own;
    const std::vector<std::string> dropped = DroppedIndexes(c.old_plan.text, c.new_plan.text);
    rows.NewRow();
    rows.Set("at", IsoTime(c.at_ms));
    rows.Set("query_id", c.query_id);
    rows.Set("query", c.query);
    rows.Set("db", c.db);
    rows.Set("cause", Cause(connection, c, own_db));
    SetFigures(rows, "old_", c.old_plan);
    SetFigures(rows, "new_", c.new_plan);
    if (!dropped.empty()) rows.Set("dropped_indexes", absl::StrJoin(dropped, ","));
    const bool regression = IsRegression(c.old_plan.figures, c.new_plan.figures);
    rows.Set("regression", regression);
    if (regression) rows.Set("fix", Fix(connection, c, dropped, own_db));
    rows.Set("process", c.process == 0 ? Value("this") : Value(c.process));
    if (auto it = unread.find(c.db); it != unread.end()) rows.Set("store_error", it->second);
  }
  return rows.Finish();
}

}  // namespace doctor::timing
