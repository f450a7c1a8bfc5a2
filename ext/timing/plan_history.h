// Plan history: the plans each query shape ran with in this process, as the application's own
// SQLite printed them, and every change of plan with the figures before and after. Pure C++ (the
// trace glue in trace_plans.cc captures the plans; tables.cc shows them as query_stats.plan/plan_id
// and the plan_changes table).
//
// How it works:
//   - The trace callback notices that a statement may plan differently now: its first run on a
//     connection, a re-prepare (SQLITE_STMTSTATUS_REPREPARE moved: the schema changed, ANALYZE ran
//     on the connection, or a bound value that the plan depends on changed), or DDL/ANALYZE run
//     on the connection. At the connection's next statement start, outside any running statement,
//     it runs EXPLAIN QUERY PLAN on the statement's SQL and calls Observe.
//   - Observe compares the plan with the shape's current plan (plan_id: FNV-1a 64 of the plan
//     text). A new plan becomes current; the figures of the runs under the previous one (kept in
//     the shape's Stats entry, PlanFigures) are added to that plan's record, and a PlanChange is
//     kept with the old figures. The new plan's figures are read live (Stats entry + record).
//   - Bounded: at most kMaxKeys shapes (the least recently planned dropped), kMaxPlans plans per
//     shape (the least recently current dropped), the kMaxChanges most recent changes.
//
// Example:
//   PlanHistory::Global().Observe(key, "SELECT ...", "SEARCH t USING INDEX t_a (a=?)", "3.40.1",
//                                 now_ms, stats);
//   for (const PlanChange& c : PlanHistory::Global().Changes()) ...
#ifndef DOCTOR_TIMING_PLAN_HISTORY_H_
#define DOCTOR_TIMING_PLAN_HISTORY_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "ext/core/query_plan.h"
#include "ext/timing/stats.h"

namespace doctor::timing {

// One plan of one query shape.
struct PlanRecord {
  int64_t plan_id = 0;         // PlanId(text)
  std::string text;            // "SEARCH t USING INDEX t_a (a=?)" (core PlanText)
  std::string sqlite_version;  // sqlite3_libversion() of the process that planned it
  int64_t first_ms = 0;        // first captured, unix ms
  int64_t last_ms = 0;         // last captured or confirmed (still the plan), unix ms
  PlanFigures figures;         // runs under it in earlier periods (the current period is in Stats)
};

// A change of plan of one query shape.
struct PlanChange {
  int64_t query_id = 0;
  std::string db;
  std::string query;
  int64_t at_ms = 0;         // when the new plan was captured
  PlanRecord old_plan;       // as it was then: figures of every period it was current
  PlanRecord new_plan;       // its text and version; figures filled by Changes()
  bool analyze_between = false;  // an ANALYZE ran in this process since the old plan's last_ms
  int64_t process = 0;  // 0: this process; else the recording process's token (from a store)
};

// The plan id of a plan text: FNV-1a 64, as a signed integer (like query_id).
int64_t PlanId(absl::string_view plan_text);

class PlanHistory {
 public:
  static constexpr size_t kMaxKeys = 5000;
  static constexpr size_t kMaxPlans = 4;
  static constexpr size_t kMaxChanges = 256;

  // The one history of this process.
  static PlanHistory& Global();

  // A plan captured for the shape `key` (query text `query`, database `db`) at `now_ms`. Switches
  // the current plan of the shape's entry in `stats` when it differs. True when a change was
  // recorded.
  bool Observe(const Key& key, absl::string_view db, absl::string_view query,
               absl::string_view example, absl::string_view plan_text,
               absl::string_view sqlite_version, int64_t now_ms, Stats& stats,
               int64_t max_entries);
  // The store held `stored` as the shape's plan, captured by a process (this one's predecessor,
  // say: a deploy migrates, then restarts the application) no later than this process first
  // captured its current plan. Records that change once, at the current plan's first capture,
  // with `before` as the old plan's figures (the store's runs of the shape until then). False,
  // recording nothing, when this process has no plan for the shape, already had `stored`'s plan
  // or already recorded a change to its current plan, or when `stored` is more recent.
  bool ObserveStoredPlan(int64_t query_id, absl::string_view db, absl::string_view query,
                         const PlanRecord& stored, const PlanFigures& before);
  // An ANALYZE ran in this process (any connection) at `now_ms`.
  void NoteAnalyze(int64_t now_ms);

  // The current plan of a shape, when one was captured.
  std::optional<PlanRecord> Current(int64_t query_id, absl::string_view db) const;
  // The recorded changes, oldest first; each new_plan's figures are the record's earlier periods
  // plus `live` (the Stats entry's figures when that plan is current there).
  std::vector<PlanChange> Changes(const std::vector<EntrySnapshot>& live) const;
  // Forgets everything (query_stats_reset); plans are captured again from the next runs.
  void Reset();
  // Moves at every Reset: connections re-capture the plans they had captured.
  uint64_t generation() const;
  // Held across fork() (store_flusher.cc), so that the child never inherits it locked; the child
  // then Resets: the parent's plans and changes are the parent's.
  void LockForFork() ABSL_EXCLUSIVE_LOCK_FUNCTION(mu_) { mu_.Lock(); }
  void UnlockAfterFork() ABSL_UNLOCK_FUNCTION(mu_) { mu_.Unlock(); }

 private:
  struct Shape {
    std::string db;
    std::vector<PlanRecord> plans;  // at most kMaxPlans; plans[current] is current
    size_t current = 0;
    int64_t last_ms = 0;
  };
  struct ShapeKey {
    int64_t query_id;
    std::string db;
    bool operator==(const ShapeKey& o) const { return query_id == o.query_id && db == o.db; }
    template <typename H>
    friend H AbslHashValue(H h, const ShapeKey& k) {
      return H::combine(std::move(h), k.query_id, k.db);
    }
  };
  void EvictShapeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static PlanRecord& AddPlan(Shape& shape, PlanRecord record);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<ShapeKey, Shape> shapes_ ABSL_GUARDED_BY(mu_);
  std::deque<PlanChange> changes_ ABSL_GUARDED_BY(mu_);
  int64_t last_analyze_ms_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> generation_{1};  // read by the trace callback without the mutex
};

// True when a program with this plan cannot move SQLITE_STMTSTATUS_FULLSCAN_STEP, SORT or
// AUTOINDEX: every step is a SEARCH with constraints ("SEARCH t USING INDEX i (a=?)"). SQLite
// counts FULLSCAN_STEP in the loop of a SCAN (no constraint: a table or a whole index), SORT at a
// sorter (USE TEMP B-TREE), AUTOINDEX while it fills an automatic index; any other step
// (subqueries, co-routines, MULTI-INDEX OR, a SEARCH without constraints as min()/max() reads)
// answers false.
bool PlanMovesNoScanCounters(const QueryPlan& plan);

// The index names a plan uses (named indexes only, in plan order, without repeats).
std::vector<std::string> PlanIndexes(absl::string_view plan_text);
// Indexes the old plan used that the new one does not: what a regression fix recreates.
std::vector<std::string> DroppedIndexes(absl::string_view old_plan, absl::string_view new_plan);

// A regression: the new plan's runs cost more than twice the old plan's, in VM steps per run
// (at least 50 more) or in mean latency (at least 0.05 ms more, 3 runs or more on each side,
// and not with half the steps or fewer).
bool IsRegression(const PlanFigures& old_plan, const PlanFigures& new_plan);

// The CREATE INDEX statement of `index` in a migration's text (statements split at ';'), as
// written, with a trailing ';'; "" when the text has none.
std::string FindCreateIndex(absl::string_view migration_sql, absl::string_view index);

// A CREATE INDEX for `index` rebuilt from the plan step that used it: its table and the columns of
// its constraint ("SEARCH jobs USING INDEX jobs_state (state=? AND run_at<?)" ->
// CREATE INDEX "jobs_state" ON "jobs"("state", "run_at");); "" when the plan says too little.
// With the query (normalized text) of a single-table SELECT, the columns the index served beyond
// its constraint are added, so that the index gives the old plan back: the ORDER BY terms when
// every constraint is an equality and the plan sorted nothing (no TEMP B-TREE), then, for a
// COVERING index, the other columns of `table_columns` (the table's, without its rowid alias)
// the query names. Before, "SEARCH jobs USING COVERING INDEX i (state=?)" for
// `SELECT id, user_id, run_at FROM jobs WHERE state = ? ORDER BY run_at` rebuilt i on (state)
// alone, and the query kept its new plan and its TEMP B-TREE.
std::string IndexFromPlan(absl::string_view plan_text, absl::string_view index,
                          absl::string_view query = "",
                          const std::vector<std::string>& table_columns = {});
// The table (or alias) the step using `index` reads; "" when none.
std::string TableOfIndex(absl::string_view plan_text, absl::string_view index);

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_PLAN_HISTORY_H_
