// The three tables of query timing (query_stats, slow_queries, query_stats_info): their columns,
// declared once with a doc each, and their rows, filled by column name. Process memory merged
// with the sidecars (sidecar.h); plans computed on read and cached per connection.
#include "ext/timing/tables.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ext/core/query_plan.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/core/time.h"
#include "ext/timing/histogram.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/settings.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/stats.h"
#include "ext/timing/store_flusher.h"
#include "ext/timing/trace.h"

namespace doctor::timing {
namespace {

// The plan of `sql` on this connection as "SCAN t; SEARCH u USING INDEX ...", or NULL (a
// statement core's ExplainQueryPlan does not plan: PRAGMA, ATTACH, DDL...; INSERT ... VALUES);
// nullopt when it cannot be planned now (a write, see ExplainQueryPlan): not kept.
std::optional<Value> ComputePlan(Connection& connection, absl::string_view sql) {
  absl::StatusOr<QueryPlan> plan = ExplainQueryPlan(connection, sql);
  if (absl::IsUnavailable(plan.status())) return std::nullopt;
  if (!plan.ok() || plan->empty()) return Value::Null();
  return Value(PlanText(*plan));
}

// Plans are computed when query_stats or slow_queries is read, and kept per connection until its
// schema changes (PRAGMA schema_version), so reading the tables again does not prepare every
// statement again. Bounded: cleared beyond kMaxPlans.
class PlanCache : public AreaState {
 public:
  explicit PlanCache(Connection& connection) : connection_(connection) {}

  // Call once per read: drops the plans when the schema changed since the last read.
  void Refresh() {
    auto rows = Query(connection_, "PRAGMA schema_version");
    int64_t version = (rows.ok() && !rows->empty()) ? rows->front()[0].AsInt() : -1;
    if (version != schema_version_ || version < 0) plans_.clear();
    schema_version_ = version;
  }
  Value Plan(absl::string_view sql) {
    const uint64_t key = Fnv1a64(sql);
    auto it = plans_.find(key);
    if (it != plans_.end()) return it->second;
    if (plans_.size() >= kMaxPlans) plans_.clear();
    std::optional<Value> plan = ComputePlan(connection_, sql);
    if (!plan) return Value::Null();  // planned at a later read
    plans_.emplace(key, *plan);
    return *plan;
  }

 private:
  static constexpr size_t kMaxPlans = 20000;
  Connection& connection_;
  int64_t schema_version_ = -1;
  absl::flat_hash_map<uint64_t, Value> plans_;
};

// Adds `e` to `all`, merging it with an entry of the same query and database already there.
void MergeInto(EntrySnapshot e, std::vector<EntrySnapshot>* all,
               absl::flat_hash_map<std::pair<int64_t, std::string>, size_t>* index) {
  auto [it, fresh] = index->try_emplace(std::make_pair(e.query_id, e.db), all->size());
  if (fresh) {
    if (e.counters.calls > 0) {
      all->push_back(std::move(e));
    } else {
      index->erase(it);  // a correction (Counters::IsCorrection) whose run is not here: no row
    }
    return;
  }
  EntrySnapshot& into = (*all)[it->second];
  into.counters.Merge(e.counters);
  if (into.plan.plan_id == 0) into.plan = e.plan;  // only this process's entries carry one
  // Stores keep no literal example unless shared (stats_share_examples): take ours.
  if (into.example.empty()) into.example = std::move(e.example);
  if (into.stats_since_ms == 0) into.stats_since_ms = e.stats_since_ms;
  into.minmax_reset_ms = std::max(into.minmax_reset_ms, e.minmax_reset_ms);
}

// Process memory (what is not flushed yet) merged with the store of every database file this
// process has seen and of this connection's own database. A damaged store fails the read on its
// own database's connections only (the error names the file). A store locked by another process
// (StoreLocked), or a damaged one of another database, is left out: its database's rows are this
// process's figures only, and `unread` maps that database to why.
using StorePlans = absl::flat_hash_map<std::pair<int64_t, std::string>, StorePlan>;

absl::StatusOr<std::vector<EntrySnapshot>> Merged(Connection& connection, StorePlans* plans,
                                                  UnreadStores* unread) {
  const std::string& own = connection.State<TimingState>().db_name();
  absl::flat_hash_map<std::pair<int64_t, std::string>, size_t> index;
  std::vector<EntrySnapshot> all;
  {
    absl::MutexLock lock(&StoreMutex());  // no flush between the store and memory
    for (const std::string& db : ReadDbs(connection)) {
      absl::StatusOr<StoreContents> side = ReadSidecar(db, kStoreEntries);
      if (!side.ok()) {
        if (db == own && !StoreLocked(side.status())) return side.status();
        unread->insert_or_assign(db, std::string(side.status().message()));
        continue;
      }
      for (EntrySnapshot& e : side->entries) {
        e.minmax_reset_ms = side->minmax_reset_at_ms;
        MergeInto(std::move(e), &all, &index);
      }
      for (StorePlan& p : side->plans) {
        std::pair<int64_t, std::string> key(p.query_id, p.db);
        plans->insert_or_assign(std::move(key), std::move(p));
      }
    }
    for (EntrySnapshot& e : FoldedStats().Snapshot()) MergeInto(std::move(e), &all, &index);
  }
  std::sort(all.begin(), all.end(), [](const EntrySnapshot& a, const EntrySnapshot& b) {
    return a.counters.total_ms > b.counters.total_ms;
  });
  return all;
}

// This process's slow statements merged with other processes' from the stores, newest first,
// at most slow_max; stores left out as in Merged.
absl::StatusOr<std::vector<SlowQuery>> MergedSlow(Connection& connection, UnreadStores* unread) {
  const std::string& own = connection.State<TimingState>().db_name();
  std::vector<SlowQuery> all;
  {
    absl::MutexLock lock(&StoreMutex());
    for (const std::string& db : ReadDbs(connection)) {
      absl::StatusOr<StoreContents> side = ReadSidecar(db, kStoreSlow);
      if (!side.ok()) {
        if (db == own && !StoreLocked(side.status())) return side.status();
        unread->insert_or_assign(db, std::string(side.status().message()));
        continue;
      }
      for (SlowQuery& s : side->slow) all.push_back(std::move(s));
    }
    std::vector<SlowQuery> mine = Stats::Global().SlowSnapshot();
    all.insert(all.begin(), std::make_move_iterator(mine.rbegin()),  // newest first
               std::make_move_iterator(mine.rend()));
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const SlowQuery& a, const SlowQuery& b) { return a.at_ms > b.at_ms; });
  if (static_cast<int64_t>(all.size()) > kSlowMax.Get()) all.resize(kSlowMax.Get());
  return all;
}

}  // namespace

// The database files a read covers (tables.h): every one this process has seen and the connection's own.
std::vector<std::string> ReadDbs(Connection& connection) {
  std::vector<std::string> dbs = Stats::Global().DbNames();
  const std::string& own = connection.State<TimingState>().db_name();
  if (std::find(dbs.begin(), dbs.end(), own) == dbs.end()) dbs.push_back(own);
  return dbs;
}

Value TimeOfDay(int64_t unix_ms) {
  if (unix_ms <= 0) return Value::Null();
  return Value(IsoTime(unix_ms));
}

void SetCounterColumns(RowBuilder& rows, const Counters& c) {
  rows.Set("calls", c.calls);
  rows.Set("total_ms", c.total_ms);
  if (c.has_minmax()) {  // else NULL: no run since a min/max-only reset
    rows.Set("min_ms", c.min_ms);
    rows.Set("max_ms", c.max_ms);
  }
  rows.Set("mean_ms", c.mean_ms());
  rows.Set("stddev_ms", c.stddev_ms());
  rows.Set("p50_ms", c.PercentileMs(0.50));
  rows.Set("p95_ms", c.PercentileMs(0.95));
  rows.Set("p99_ms", c.PercentileMs(0.99));
  rows.Set("histogram", Sparkline(c.buckets));
  rows.Set("rows", c.rows);
  rows.Set("vm_steps", c.vm_steps);
  rows.Set("fullscan_steps", c.fullscan_steps);
  rows.Set("sorts", c.sorts);
  rows.Set("autoindexes", c.autoindexes);
  rows.Set("errors", c.ErrorsJson());
  rows.Set("lock_wait_ms", c.lock_wait_ms);
  rows.Set("first_seen", TimeOfDay(c.first_seen_ms));
  rows.Set("last_seen", TimeOfDay(c.last_seen_ms));
}

const Column kQueryStatsColumns[] = {
    {"query_id", "INTEGER", "Stable 64-bit id: FNV-1a 64 of query, as a signed integer."},
    {"query", "TEXT", "The normalized text (literals and parameters as ?)."},
    {"example", "TEXT",
     "One statement as written, literals included (NULL for rows known only from a sidecar "
     "unless stats_share_examples is on)."},
    {"db", "TEXT",
     "The main database file of the connection that ran it (statements on attached databases "
     "count under it); :memory: for in-memory, temp and memdb databases."},
    {"calls", "INTEGER", "Runs, failed ones included."},
    {"total_ms", "REAL", "Wall time of all runs, ms."},
    {"min_ms", "REAL", "Fastest run since minmax_since, ms (NULL: no run since then)."},
    {"max_ms", "REAL", "Slowest run since minmax_since, ms (NULL: no run since then)."},
    {"mean_ms", "REAL", "Mean run, ms."},
    {"stddev_ms", "REAL", "Population standard deviation of the runs, ms."},
    {"p50_ms", "REAL", "Median from the latency histogram (within one bucket), ms."},
    {"p95_ms", "REAL", "95th percentile from the histogram, ms."},
    {"p99_ms", "REAL", "99th percentile from the histogram, ms."},
    {"histogram", "TEXT", "The latency histogram as a one-line sparkline with its bounds."},
    {"rows", "INTEGER", "Writes: rows changed; others: rows returned; failed runs add 0."},
    {"vm_steps", "INTEGER", "Virtual machine steps, summed over runs."},
    {"fullscan_steps", "INTEGER", "Full-scan steps, summed over runs."},
    {"sorts", "INTEGER", "Sorts, summed over runs."},
    {"autoindexes", "INTEGER",
     "Rows inserted into automatic indexes (SQLITE_STMTSTATUS_AUTOINDEX), summed over runs."},
    {"errors", "TEXT",
     "Failed runs by result code as JSON, e.g. {\"BUSY_SNAPSHOT\": 55}; only BUSY codes are "
     "visible to the trace API."},
    {"lock_wait_ms", "REAL",
     "Of total_ms, the time spent waiting for locks in doctor's busy handler (0 when the "
     "connection's waits are not counted: lock_stats_connections.handler)."},
    {"first_seen", "TEXT", "First run, ISO-8601 UTC."},
    {"last_seen", "TEXT", "Last run, ISO-8601 UTC."},
    {"plan", "TEXT",
     "EXPLAIN QUERY PLAN as the application's SQLite planned it when the query ran (first run "
     "and after each schema change; another process's through the shared store), steps joined "
     "by '; '; when none was captured, computed on this connection (NULL for other databases "
     "and statements with nothing to plan)."},
    {"plan_id", "INTEGER",
     "FNV-1a 64 of the captured plan text (NULL when plan was not captured in an application)."},
    {"plan_sqlite", "TEXT",
     "The SQLite version (sqlite3_libversion) of the process that captured plan: this one's, or "
     "the one another process recorded in the store (NULL when plan was not captured)."},
    {"plan_captured", "TEXT",
     "When that process last captured or confirmed plan, ISO-8601 UTC (in the store, a process "
     "of another SQLite that captures the same plan later takes over the row)."},
    {"stats_since", "TEXT",
     "When this row's statistics started (its first run since the last reset or its eviction), "
     "ISO-8601 UTC."},
    {"minmax_since", "TEXT",
     "When min_ms and max_ms started: stats_since, or the last query_stats_reset('minmax') "
     "when later, ISO-8601 UTC."},
    {"store_error", "TEXT",
     "NULL when the row includes its database's shared store; else why that store could not be "
     "read (e.g. locked by another process for more than 250 ms), and the row holds only this "
     "process's figures not yet added to the store."},
};

const Column kSlowQueriesColumns[] = {
    {"at", "TEXT", "When the statement ended, ISO-8601 UTC."},
    {"ms", "REAL", "How long it ran, ms."},
    {"query_id", "INTEGER", "The id of its query shape in query_stats."},
    {"sql", "TEXT", "The statement as written."},
    {"params", "TEXT", "The SQL with its bound values, only when slow_params is on."},
    {"db", "TEXT", "Database file."},
    {"vm_steps", "INTEGER", "Virtual machine steps of this run."},
    {"fullscan_steps", "INTEGER", "Full-scan steps of this run."},
    {"plan", "TEXT", "EXPLAIN QUERY PLAN of sql on this connection (NULL for other databases)."},
    {"process", "", "'this' for this process; another process's token when read from the store."},
    {"store_error", "TEXT",
     "NULL when other processes' slow statements of its database were read from the shared "
     "store; else why that store could not be read (e.g. locked by another process)."},
};

const Column kInfoColumns[] = {
    {"entries", "INTEGER", "Query shapes kept in this process."},
    {"evictions", "INTEGER", "Shapes dropped by the stats_max bound since the last reset."},
    {"memory_bytes", "INTEGER", "Memory of the entries and the slow log."},
    {"bytes_per_entry", "INTEGER", "memory_bytes / entries."},
    {"since", "TEXT", "Start or last reset, ISO-8601 UTC."},
    {"timing_active", "INTEGER", "1 when this very statement is being timed."},
    {"status", "TEXT", "active | off | replaced | not installed."},
    {"slow_entries", "INTEGER",
     "Statements in this process's slow-query ring (slow_queries also shows other processes')."},
    {"stats_max", "INTEGER", "The stats_max setting."},
    {"db", "TEXT", "This connection's database."},
    {"store", "TEXT", "Path of its <db>-doctor sidecar; NULL for in-memory databases."},
    {"store_evictions", "INTEGER",
     "Shapes dropped from that store by the stats_max bound since its last reset."},
    {"store_reset", "TEXT", "When that store was last reset by any process, ISO-8601 UTC."},
    {"store_error", "TEXT", "Why that store cannot be read now (NULL when it can)."},
    {"flusher", "TEXT",
     "running | stopped: this process's background thread that adds its figures to the stores."},
};

namespace {

// Which SQLite captured a row's plan, and when (doctor_report names the application's versions
// from them: the known issues of the SQLite that runs the queries, not only the reader's).
void SetPlanOrigin(RowBuilder& rows, const std::string& sqlite_version, int64_t captured_ms) {
  if (!sqlite_version.empty()) rows.Set("plan_sqlite", sqlite_version);
  rows.Set("plan_captured", TimeOfDay(captured_ms));
}

}  // namespace

absl::StatusOr<Rows> QueryStats(TableCall& call) {
  Connection& connection = call.connection();
  StorePlans shared;  // the plans other processes captured (format-3 stores)
  UnreadStores unread;
  ASSIGN_OR_RETURN(std::vector<EntrySnapshot> entries, Merged(connection, &shared, &unread));
  const std::string& own = connection.State<TimingState>().db_name();
  PlanCache& plans = connection.State<PlanCache>();
  plans.Refresh();
  RowBuilder rows(kQueryStatsColumns);
  for (const EntrySnapshot& e : entries) {
    const Counters& c = e.counters;
    rows.NewRow();
    rows.Set("query_id", e.query_id);
    rows.Set("query", e.query);
    rows.Set("example", e.example.empty() ? Value::Null() : Value(e.example));
    rows.Set("db", e.db);
    SetCounterColumns(rows, c);
    if (std::optional<PlanRecord> captured = PlanHistory::Global().Current(e.query_id, e.db)) {
      rows.Set("plan", captured->text);
      rows.Set("plan_id", captured->plan_id);
      SetPlanOrigin(rows, captured->sqlite_version, captured->last_ms);
    } else if (auto it = shared.find(std::make_pair(e.query_id, e.db)); it != shared.end()) {
      rows.Set("plan", it->second.plan);
      rows.Set("plan_id", it->second.plan_id);
      SetPlanOrigin(rows, it->second.sqlite_version, it->second.captured_ms);
    } else if (e.db == own) {
      rows.Set("plan", plans.Plan(e.example.empty() ? e.query : e.example));
    }
    rows.Set("stats_since", TimeOfDay(e.StatsSinceMs()));
    rows.Set("minmax_since", TimeOfDay(e.MinMaxSinceMs()));
    if (auto it = unread.find(e.db); it != unread.end()) rows.Set("store_error", it->second);
  }
  return rows.Finish();
}

absl::StatusOr<Rows> SlowQueries(TableCall& call) {
  Connection& connection = call.connection();
  const std::string& own = connection.State<TimingState>().db_name();
  PlanCache& plans = connection.State<PlanCache>();
  plans.Refresh();
  UnreadStores unread;
  ASSIGN_OR_RETURN(std::vector<SlowQuery> slow, MergedSlow(connection, &unread));
  RowBuilder rows(kSlowQueriesColumns);
  for (const SlowQuery& s : slow) {
    rows.NewRow();
    rows.Set("at", TimeOfDay(s.at_ms));
    rows.Set("ms", s.ms);
    rows.Set("query_id", s.query_id);
    rows.Set("sql", s.sql);
    if (!s.params.empty()) rows.Set("params", s.params);
    rows.Set("db", s.db);
    rows.Set("vm_steps", s.vm_steps);
    rows.Set("fullscan_steps", s.fullscan_steps);
    if (s.db == own) rows.Set("plan", plans.Plan(s.sql));
    rows.Set("process", s.process == 0 ? Value("this") : Value(s.process));
    if (auto it = unread.find(s.db); it != unread.end()) rows.Set("store_error", it->second);
  }
  return rows.Finish();
}

absl::StatusOr<Rows> Info(TableCall& call) {
  TimingState& state = call.connection().State<TimingState>();
  StatsInfo info = FoldedStats().Info();
  // This read is itself a statement of the connection: when our callback still holds the
  // connection's trace slot and timing is on, it is being timed right now.
  const char* status = !kTimingOn.On()        ? "off"
                       : !state.installed()   ? "not installed"
                       : state.timing_now()   ? "active"
                                              : "replaced";
  const std::string& db = state.db_name();
  RowBuilder rows(kInfoColumns);
  rows.NewRow();
  rows.Set("entries", info.entries);
  rows.Set("evictions", info.evictions);
  rows.Set("memory_bytes", info.memory_bytes);
  if (info.entries > 0) rows.Set("bytes_per_entry", info.memory_bytes / info.entries);
  rows.Set("since", TimeOfDay(info.since_ms));
  rows.Set("timing_active", std::string(status) == "active");
  rows.Set("status", status);
  rows.Set("slow_entries", info.slow_entries);
  rows.Set("stats_max", kStatsMax.Get());
  rows.Set("db", db);
  if (HasSidecar(db)) {
    rows.Set("store", SidecarPath(db));
    absl::MutexLock lock(&StoreMutex());
    absl::StatusOr<StoreContents> side = ReadSidecar(db, 0);
    if (side.ok()) {
      rows.Set("store_evictions", side->evictions);
      rows.Set("store_reset", TimeOfDay(side->reset_at_ms));
    } else {
      rows.Set("store_error", std::string(side.status().message()));
    }
  }
  rows.Set("flusher", StoreFlusherRunning() ? "running" : "stopped");
  return rows.Finish();
}

}  // namespace doctor::timing
