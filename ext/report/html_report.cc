#include "ext/report/html_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "ext/core/extension_objects.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/report/area_findings.h"
#include "ext/report/html.h"
#include "ext/report/schema_checks.h"

namespace doctor::report {
namespace {

using html::Cell;

// Index advice over the captured workload runs only when it is cheap: at most this many query
// shapes (the advisor measures each on a sampled copy).
constexpr int64_t kMostShapesToAdvise = 50;
// Rows shown per table; the rest stay one query away.
constexpr int kMostRows = 50;
// Findings shown, most severe first: one per table of a schema of 3000 tables with an unindexed
// foreign key and a duplicate index made a 2.1 MB page (6004 rows); the badges count them all.
constexpr size_t kMostFindings = 500;
// Rows read from a table whose length a setting bounds (stats_max, wal_checkpoint_history can be
// set very high): the page stays small whatever they are.
constexpr int kMostRowsRead = 200;

struct Context {
  std::string schema;
  std::string file;  // the schema's database file ("" for :memory: and temp)
  std::optional<std::string> migrations;
};

Cell TextOrNone(const Value& v) { return v.is_null() ? Cell::None() : Cell::Text(v.AsText()); }
Cell NumberOrNone(const Value& v, int decimals = 0) {
  return v.is_null() ? Cell::None() : Cell::Number(v.AsDouble(), decimals);
}

// How a column of a query's result is shown. kWaitMs: a lock wait in ms, NULL when doctor could
// not count it (a busy handler that replaced doctor's: the shell's .timeout, the application's
// own), shown as not known: a 0 there would be false, as doctor_report's text says.
// kCounted: the same for a count of waits or errors.
enum class Show { kText, kCode, kCount, kMs1, kMs3, kWaitMs, kCounted };
constexpr char kWaitNotKnown[] = "not known";
struct ShownColumn {
  const char* header;
  Show show;
};

Cell CellOf(const Value& v, Show show) {
  switch (show) {
    case Show::kText:
      return TextOrNone(v);
    case Show::kCode:
      return v.is_null() ? Cell::None() : Cell::Code(v.AsText());
    case Show::kCount:
      return NumberOrNone(v);
    case Show::kMs1:
      return NumberOrNone(v, 1);
    case Show::kMs3:
      return NumberOrNone(v, 3);
    case Show::kWaitMs:
      return v.is_null() ? Cell::Text(kWaitNotKnown) : Cell::Number(v.AsDouble(), 1);
    case Show::kCounted:
      return v.is_null() ? Cell::Text(kWaitNotKnown) : Cell::Number(v.AsDouble());
  }
  return Cell::None();
}

// One row per result row, one cell per column (the query selects them in this order).
html::Table TableOf(const Rows& rows, absl::Span<const ShownColumn> columns, bool sortable) {
  html::Table table{{}, {}, sortable, {}};
  for (const ShownColumn& c : columns) table.headers.push_back(c.header);
  for (const Row& r : rows) {
    std::vector<Cell> cells;
    for (size_t i = 0; i < columns.size() && i < r.size(); ++i) {
      cells.push_back(CellOf(r[i], columns[i].show));
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

// A section whose table could not be read says why, and the page goes on.
void NoteError(html::Page& page, const absl::Status& status) {
  if (!status.ok()) page.Note(absl::StrCat("could not be read: ", status.message()));
}

int SeverityRank(const std::string& severity) {
  return severity == "critical" ? 0 : severity == "warn" ? 1 : 2;
}

absl::Status AddFindings(Connection& c, const Context& ctx, html::Page& page) {
  page.Section("findings", "Findings",
               "doctor_report: most severe first. Nothing changes until you run a fix yourself.");
  ASSIGN_OR_RETURN(Rows rows,
                   ctx.migrations
                       ? Query(c,
                               "SELECT severity, area, object, finding, advice, fix_sql FROM "
                               "doctor_report(?1, 'quick', ?2)",
                               {Value(ctx.schema), Value(*ctx.migrations)})
                       : Query(c,
                               "SELECT severity, area, object, finding, advice, fix_sql FROM "
                               "doctor_report(?1)",
                               {Value(ctx.schema)}));
  int counts[3] = {0, 0, 0};
  html::Table table{{"severity", "area", "object", "finding", "advice", "fix SQL"}, {}, true, {}};
  for (const Row& r : rows) {
    const std::string severity = r[0].AsText();
    ++counts[SeverityRank(severity)];
    if (table.rows.size() >= kMostFindings) continue;
    table.rows.push_back({Cell{html::Escape(severity), absl::StrCat(SeverityRank(severity)), false},
                          Cell::Text(r[1].AsText()), Cell::Text(r[2].AsText()),
                          Cell::Text(r[3].AsText()), Cell::Text(r[4].AsText()),
                          r[5].is_null() ? Cell::None() : Cell::Fix(r[5].AsText())});
    table.row_classes.push_back(severity);
  }
  page.Badges({{"critical", absl::StrCat(counts[0])},
               {"warn", absl::StrCat(counts[1])},
               {"info", absl::StrCat(counts[2])}});
  if (rows.size() > kMostFindings) {
    page.Note(absl::StrCat("the ", kMostFindings, " most severe of ", rows.size(),
                           " findings; all of them: SELECT * FROM doctor_report"));
  }
  page.AddTable(table);
  return absl::OkStatus();
}

Cell Histogram(const std::string& sparkline) {
  html::Sparkline s = html::ParseSparkline(sparkline);
  if (s.levels.empty()) return Cell::Text(sparkline);
  return Cell::Bars(s.levels, s.low, s.high, absl::StrCat("latency histogram: ", sparkline));
}

absl::Status AddTopQueries(Connection& c, const Context& ctx, html::Page& page) {
  page.Section("queries", "Top queries",
               "query_stats: one row per query shape, by total time (click a column to sort). "
               "The histogram spans the fastest to the slowest half-octave bucket.");
  if (!HasTable(c, "query_stats")) return absl::NotFoundError("the timing area is not built in");
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         "SELECT query_id, query, calls, total_ms, mean_ms, p95_ms, p99_ms, "
                         "rows, vm_steps, fullscan_steps, histogram, plan "
                         "FROM query_stats WHERE db = ?1 ORDER BY total_ms DESC LIMIT ?2",
                         {Value(ctx.file), Value(int64_t{kMostRowsRead})}));
  html::Table table{{"query", "calls", "total ms", "mean ms", "p95 ms", "p99 ms", "rows",
                     "VM steps", "full-scan steps", "latency", "plan"},
                    {},
                    true,
                    {}};
  for (const Row& r : rows) {
    if (CallsTheExtension(c, r[1].AsText())) continue;
    if (table.rows.size() >= kMostRows) break;
    table.rows.push_back({Cell::Code(r[1].AsText(), absl::StrCat("query_id ", r[0].AsText())),
                          Cell::Number(r[2].AsDouble()), Cell::Number(r[3].AsDouble(), 2),
                          Cell::Number(r[4].AsDouble(), 3), Cell::Number(r[5].AsDouble(), 3),
                          Cell::Number(r[6].AsDouble(), 3), Cell::Number(r[7].AsDouble()),
                          Cell::Number(r[8].AsDouble()), Cell::Number(r[9].AsDouble()),
                          Histogram(r[10].AsText()), Cell::Code(r[11].AsText())});
  }
  if (table.rows.empty()) page.Note("no queries captured on this database yet");
  page.AddTable(table);
  return absl::OkStatus();
}

constexpr ShownColumn kSlowColumns[] = {
    {"at", Show::kText},     {"ms", Show::kMs3},         {"sql", Show::kCode},
    {"params", Show::kText}, {"VM steps", Show::kCount}, {"full-scan steps", Show::kCount},
    {"plan", Show::kCode}};

absl::Status AddSlowLog(Connection& c, const Context& ctx, html::Page& page) {
  page.Section("slow", "Slow log",
               "slow_queries: statements slower than the slow_ms setting, newest first.");
  if (!HasTable(c, "slow_queries")) return absl::NotFoundError("the timing area is not built in");
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT at, ms, sql, params, vm_steps, fullscan_steps, plan "
                                    "FROM slow_queries WHERE db = ?1 LIMIT ?2",
                                    {Value(ctx.file), Value(int64_t{kMostRows})}));
  html::Table table = TableOf(rows, kSlowColumns, true);
  if (table.rows.empty()) page.Note("no statement has been slower than slow_ms");
  page.AddTable(table);
  return absl::OkStatus();
}

constexpr ShownColumn kWalColumns[] = {{"journal mode", Show::kText},
                                       {"WAL bytes", Show::kCount},
                                       {"frames", Show::kCount},
                                       {"checkpointed", Show::kCount},
                                       {"pending", Show::kCount},
                                       {"readers", Show::kCount},
                                       {"oldest reader's frame", Show::kCount},
                                       {"autocheckpoint", Show::kCount},
                                       {"synchronous", Show::kText},
                                       {"checkpoints seen", Show::kCount},
                                       {"status", Show::kText},
                                       {"advice", Show::kText}};

absl::Status AddWal(Connection& c, const Context& ctx, html::Page& page) {
  page.Section("wal", "WAL",
               "wal_health: frames written, checkpointed and pending; readers holding a "
               "snapshot (with the pid of another process that pins it, in the advice).");
  if (!HasTable(c, "wal_health")) return absl::NotFoundError("the wal area is not built in");
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT journal_mode, wal_bytes, wal_frames, "
                                    "backfilled_frames, pending_frames, readers, "
                                    "oldest_reader_frame, autocheckpoint, synchronous, "
                                    "checkpoints, status, advice FROM wal_health(?1)",
                                    {Value(ctx.schema)}));
  html::Table table = TableOf(rows, kWalColumns, false);
  for (const Row& r : rows)
    table.row_classes.push_back(r[10].AsText() == "ok" ? "" : r[10].AsText());
  page.AddTable(table);
  return absl::OkStatus();
}

constexpr ShownColumn kCheckpointColumns[] = {{"at", Show::kText},
                                              {"mode", Show::kText},
                                              {"ms", Show::kMs1},
                                              {"busy", Show::kCount},
                                              {"WAL frames", Show::kCount},
                                              {"checkpointed", Show::kCount},
                                              {"WAL bytes after", Show::kCount}};

absl::Status AddCheckpoints(Connection& c, const Context& ctx, html::Page& page) {
  page.Paragraph(
      "Checkpoints (wal_checkpoints: run by doctor_checkpoint, or seen between two "
      "reads of wal_health), oldest first:");
  if (!HasTable(c, "wal_checkpoints")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT at, mode, ms, busy, log_frames, checkpointed_frames, "
                                    "wal_bytes_after FROM (SELECT * FROM wal_checkpoints WHERE "
                                    "file = ?1 ORDER BY at DESC LIMIT ?2) ORDER BY at",
                                    {Value(ctx.file), Value(int64_t{kMostRowsRead})}));
  std::vector<double> frames;
  for (const Row& r : rows) frames.push_back(r[4].AsDouble());
  if (rows.empty()) {
    page.Note("no checkpoint recorded by this process");
    return absl::OkStatus();
  }
  page.AddTable({{"WAL frames at each checkpoint, over time"},
                 {{Cell::Bars(frames, rows.front()[0].AsText(), rows.back()[0].AsText(),
                              "WAL frames at each checkpoint")}},
                 false,
                 {}});
  page.AddTable(TableOf(rows, kCheckpointColumns, true));
  return absl::OkStatus();
}

constexpr ShownColumn kLockColumns[] = {
    {"connections", Show::kCount},      {"counting", Show::kCount},
    {"timeout ms", Show::kCount},       {"busy waits", Show::kCounted},
    {"retries", Show::kCounted},        {"waited ms", Show::kWaitMs},
    {"longest wait ms", Show::kWaitMs}, {"SQLITE_BUSY errors", Show::kCounted}};
constexpr ShownColumn kConnectionColumns[] = {
    {"connection", Show::kText},         {"this one", Show::kText},
    {"busy handler", Show::kText},       {"timeout ms", Show::kCount},
    {"busy waits", Show::kCounted},      {"waited ms", Show::kWaitMs},
    {"SQLITE_BUSY errors", Show::kCounted}};

constexpr ShownColumn kRecordedWaitColumns[] = {
    {"statement", Show::kCode},      {"calls", Show::kCount},
    {"waited ms", Show::kWaitMs},       {"SQLITE_BUSY errors", Show::kCount},
    {"total ms", Show::kMs1}};

// The waits and BUSY errors each statement met, as every process recorded them (query_stats):
// lock_stats counts only this process, which for `npx sqlite-doctor report --html` or the
// shell is never the application's. lock_wait_ms grows only in doctor's busy handler: a statement
// that failed with SQLITE_BUSY and has none either did not wait or waited in another handler, so
// its wait is not known (CheckRecordedLockWaits says the same in words).
absl::Status AddRecordedWaits(Connection& c, const Context& ctx, html::Page& page) {
  if (!HasTable(c, "query_stats")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         absl::StrCat("SELECT query, calls, CASE WHEN lock_wait_ms = 0 AND busy > 0 "
                                      "THEN NULL ELSE lock_wait_ms END, busy, total_ms FROM "
                                      "(SELECT *, ", kFailedRunsSql, " AS busy FROM query_stats "
                                      "WHERE db = ?1) WHERE lock_wait_ms > 0 OR busy > 0 "
                                      "ORDER BY lock_wait_ms DESC, busy DESC LIMIT ?2"),
                         {Value(ctx.file), Value(int64_t{kMostRowsRead})}));
  page.Note("per statement, as every process using this file recorded it (query_stats):");
  if (rows.empty()) page.Note("no statement waited for a lock or failed with SQLITE_BUSY");
  for (const Row& r : rows) {
    if (!r[2].is_null()) continue;
    page.Note(absl::StrCat(
        "waited ms \"", kWaitNotKnown, "\": the statement failed with SQLITE_BUSY and doctor "
        "counted no wait: it did not wait, or it waited in a busy handler that replaced "
        "doctor's (sqlite3_busy_timeout or the shell's .timeout after loading, the "
        "application's own sqlite3_busy_handler); PRAGMA busy_timeout = N is counted"));
    break;
  }
  page.AddTable(TableOf(rows, kRecordedWaitColumns, true));
  return absl::OkStatus();
}

absl::Status AddLocks(Connection& c, const Context& ctx, html::Page& page) {
  page.Section("locks", "Lock waits",
               "lock_stats: busy waits and SQLITE_BUSY errors on this file in this process, "
               "counted by the connections that use doctor's busy handler "
               "(doctor_set('busy_timeout_ms', N)); then what each statement met in every "
               "process.");
  if (!HasTable(c, "lock_stats")) return absl::NotFoundError("the wal area is not built in");
  // With no connection counting (counting 0), the zeros would be false: not known.
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT connections, counting, timeout_ms, "
                                    "iif(counting > 0, busy_waits, NULL), "
                                    "iif(counting > 0, busy_retries, NULL), "
                                    "iif(counting > 0, wait_ms, NULL), "
                                    "iif(counting > 0, longest_wait_ms, NULL), "
                                    "iif(counting > 0, busy_errors, NULL) FROM "
                                    "lock_stats WHERE file = ?1",
                                    {Value(ctx.file)}));
  if (rows.empty()) page.Note("no connection of this process has this file open");
  page.AddTable(TableOf(rows, kLockColumns, false));
  ASSIGN_OR_RETURN(Rows connections,
                   Query(c,
                         // A connection whose handler is not doctor's counts nothing.
                         "SELECT connection, CASE WHEN this_connection THEN 'yes' ELSE '' END, "
                         "handler, timeout_ms, iif(handler = 'doctor', busy_waits, NULL), "
                         "iif(handler = 'doctor', wait_ms, NULL), "
                         "iif(handler = 'doctor', busy_errors, NULL) FROM "
                         "lock_stats_connections LIMIT ?1",
                         {Value(int64_t{kMostRowsRead})}));
  page.AddTable(TableOf(connections, kConnectionColumns, true));
  return AddRecordedWaits(c, ctx, page);
}

// "before: SCAN t (cost 100)\nafter: SEARCH t USING INDEX ... (cost 3)" for each statement,
// with the parameter values the advisor assumed when it had none ("with: ?1 = 6 (most
// frequent)"): a shape measured with two values is listed twice, and without them the two
// different "before" costs of the same text had no explanation.
std::string PlansBeforeAndAfter(const std::string& detail) {
  nlohmann::json statements = nlohmann::json::parse(detail, nullptr, /*allow_exceptions=*/false);
  if (!statements.is_array()) return detail;
  std::string text;
  for (const auto& s : statements) {
    if (!s.is_object()) continue;
    absl::StrAppend(&text, s.value("sql", ""));
    const auto assumed = s.find("assumed");
    if (assumed != s.end() && assumed->is_string()) {
      absl::StrAppend(&text, "\n  with:   ", assumed->get<std::string>());
    }
    absl::StrAppend(&text, "\n  before: ", s.value("plan_before", ""),
                    absl::StrFormat(" (%.0f VM steps)", s.value("cost_before", 0.0)),
                    "\n  after:  ", s.value("plan_after", ""),
                    absl::StrFormat(" (%.0f VM steps)", s.value("cost_after", 0.0)), "\n");
  }
  return text;
}

absl::Status AddIndexAdvice(Connection& c, const Context& ctx, html::Page& page) {
  page.Section("indexes", "Index advice",
               "index_advise() on the captured workload: each index measured in VM steps on a "
               "sampled copy, with the plans before and after.");
  if (!HasTable(c, "index_advise") || !HasTable(c, "query_stats")) {
    return absl::NotFoundError("the indexes or timing area is not built in");
  }
  // The application's shapes only, as index_advise() and the top queries count them: the
  // report's own statement (the shell's SELECT * FROM doctor_report) is not a workload, and
  // counting it made a fresh database's page say "could not be read: ... no captured workload".
  ASSIGN_OR_RETURN(Rows shapes,
                   Query(c, "SELECT query FROM query_stats WHERE db = ?1", {Value(ctx.file)}));
  int64_t count = 0;
  for (const Row& r : shapes) count += CallsTheExtension(c, r[0].AsText()) ? 0 : 1;
  if (ctx.schema != "main" || count == 0 || count > kMostShapesToAdvise) {
    page.Note(ctx.schema != "main" ? "index advice covers the main database only"
              : count == 0         ? "no captured workload to advise on yet"
                                   : absl::StrCat(count,
                                                  " query shapes: too many to advise on "
                                                          "here; run SELECT * FROM index_advise()"));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT index_sql, table_name, columns, benefit, statements, "
                                    "est_bytes, detail, limits FROM index_advise()"));
  html::Table table{{"index", "table", "columns", "benefit %", "statements", "est. bytes",
                     "plans before and after"},
                    {},
                    true,
                    {}};
  // What cut the advice short or was left out (a statement on an attached database's table),
  // the same on every row.
  if (!rows.empty() && !rows[0][7].is_null()) {
    page.Note(absl::StrCat("not fully advised: ", rows[0][7].AsText()));
  }
  rows.erase(std::remove_if(rows.begin(), rows.end(), [](const Row& r) { return r[0].is_null(); }),
             rows.end());
  for (const Row& r : rows) {
    table.rows.push_back({Cell::Fix(r[0].AsText()), Cell::Text(r[1].AsText()),
                          Cell::Text(r[2].AsText()), Cell::Number(100 * r[3].AsDouble(), 1),
                          Cell::Number(r[4].AsDouble()), NumberOrNone(r[5]),
                          Cell::Details("plans", PlansBeforeAndAfter(r[6].AsText()))});
  }
  if (rows.empty()) page.Note("no index pays for itself on the captured workload");
  page.AddTable(table);
  return absl::OkStatus();
}

constexpr ShownColumn kMigrationColumns[] = {{"name", Show::kText},
                                             {"status", Show::kText},
                                             {"applied at", Show::kText},
                                             {"ms", Show::kMs1},
                                             {"note", Show::kText}};

// At most kMostRows of a long journal, in its order: every migration that is not applied
// (pending, edited, missing: what needs attention) first, then the latest applied.
Rows MigrationsWorthShowing(Rows rows) {
  std::vector<bool> keep(rows.size(), false);
  size_t kept = 0;
  const size_t most = kMostRows;
  for (size_t i = 0; i < rows.size() && kept < most; ++i) {
    if (rows[i][1].AsText() != "applied") keep[i] = true, ++kept;
  }
  for (size_t i = rows.size(); i-- > 0 && kept < most;) {
    if (!keep[i]) keep[i] = true, ++kept;
  }
  Rows out;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (keep[i]) out.push_back(std::move(rows[i]));
  }
  return out;
}

absl::Status AddMigrations(Connection& c, const Context& ctx, html::Page& page) {
  page.Section("migrations", "Migrations",
               ctx.migrations ? absl::StrCat("migration_status of the folder ", *ctx.migrations)
                              : "migration_status: the journal (doctor_migrations); give "
                                "doctor_html a folder to see its pending migrations too.");
  if (!HasTable(c, "migration_status")) {
    return absl::NotFoundError("the migrations area is not built in");
  }
  ASSIGN_OR_RETURN(Rows rows, ctx.migrations
                                  ? Query(c,
                                          "SELECT name, status, applied_at, duration_ms, note FROM "
                                          "migration_status(?1)",
                                          {Value(*ctx.migrations)})
                                  : Query(c,
                                          "SELECT name, status, applied_at, duration_ms, note FROM "
                                          "migration_status"));
  const size_t total = rows.size();
  if (total > static_cast<size_t>(kMostRows)) rows = MigrationsWorthShowing(std::move(rows));
  html::Table table = TableOf(rows, kMigrationColumns, true);
  for (const Row& r : rows) {
    const std::string status = r[1].AsText();
    table.row_classes.push_back(status == "applied" ? "" : status == "pending" ? "info" : "warn");
  }
  if (rows.empty()) page.Note("no migration journaled");
  if (rows.size() < total) {
    page.Note(absl::StrCat(rows.size(), " of ", total, " migrations: those not applied first, then "
                           "the latest applied; all of them: SELECT * FROM migration_status",
                           ctx.migrations ? absl::StrCat("(", QuoteLiteral(*ctx.migrations), ")")
                                          : ""));
  }
  page.AddTable(table);
  return absl::OkStatus();
}

absl::StatusOr<Context> ContextOf(Connection& c, const std::string& wanted,
                                  const std::optional<std::string>& migrations) {
  ASSIGN_OR_RETURN(const std::string schema, ResolveSchema(c, wanted));
  ASSIGN_OR_RETURN(Rows rows, Query(c, "SELECT file FROM pragma_database_list WHERE name = ?1",
                                    {Value(schema)}));
  return Context{schema, rows.empty() ? "" : rows[0][0].AsText(), migrations};
}

}  // namespace

absl::StatusOr<std::string> HtmlReport(Connection& c, const std::string& schema,
                                       const std::optional<std::string>& migrations) {
  ASSIGN_OR_RETURN(Context ctx, ContextOf(c, schema, migrations));
  ASSIGN_OR_RETURN(Rows versions, Query(c, "SELECT sqlite_version(), doctor_version()"));
  html::Page page(absl::StrCat("sqlite-doctor: ", ctx.file.empty() ? schema : ctx.file));
  page.Paragraph(absl::StrCat("Schema ", schema, " · SQLite ", versions[0][0].AsText(),
                              " · sqlite-doctor ", versions[0][1].AsText(), " · ",
                              IsoTime(UnixMs()),
                              " · made by SELECT doctor_html(); every figure comes from a table "
                              "you can query yourself."));
  // Findings come first and fail the page on a bad argument (doctor_report checks them all).
  RETURN_IF_ERROR(AddFindings(c, ctx, page));
  NoteError(page, AddTopQueries(c, ctx, page));
  NoteError(page, AddSlowLog(c, ctx, page));
  const absl::Status wal = AddWal(c, ctx, page);
  NoteError(page, wal.ok() ? AddCheckpoints(c, ctx, page) : wal);
  NoteError(page, AddLocks(c, ctx, page));
  NoteError(page, AddIndexAdvice(c, ctx, page));
  NoteError(page, AddMigrations(c, ctx, page));
  return std::move(page).Finish();
}

}  // namespace doctor::report
