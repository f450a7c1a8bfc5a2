// Plan capture on the trace path (plan_history.h; the README's "Plans and plan changes"): which
// runs check whether a statement may plan differently now, and the EXPLAINs queued for the
// connection's next statement start. Split from trace.cc, which holds the rest of TimingState.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "ext/core/query_plan.h"
#include "ext/core/statement_kind.h"
#include "ext/core/time.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/settings.h"
#include "ext/timing/stats.h"
#include "ext/timing/trace.h"

namespace doctor::timing {
namespace {

// EXPLAIN prints a table, alias or CTE name as the statement wrote it (`SCAN Jobs`), while one
// query shape folds every spelling of a name (`Jobs`, `"jobs"`, `JOBS`) to `jobs`: the name after
// the verb (up to what SQLite appends to it; it may hold spaces: `SCAN User Accounts`) is folded
// the same way (ASCII lower case), so the spellings of one shape have one plan and one plan_id,
// not a "change" at each re-plan. Index and column names come from the schema, as declared.
void FoldNamesAsWritten(QueryPlan& plan) {
  for (PlanStep& step : plan.steps) {
    std::string& detail = step.detail;
    for (absl::string_view verb :
         {"SCAN ", "SEARCH ", "MATERIALIZE ", "CO-ROUTINE ", "RIGHT-JOIN "}) {
      if (!absl::StartsWith(detail, verb)) continue;
      size_t end = detail.size();
      for (absl::string_view after : {" USING ", " VIRTUAL TABLE INDEX", " LEFT-JOIN", " (~"}) {
        end = std::min(end, detail.find(after.data(), verb.size(), after.size()));
      }
      for (size_t i = verb.size(); i < end; ++i) detail[i] = absl::ascii_tolower(detail[i]);
      absl::AsciiStrToLower(&step.table);
      break;
    }
  }
}

}  // namespace

// The runs not yet folded, of every statement, ran with the plans known so far: they are folded
// before the epoch moves, so the plan history counts them there. Folding only the statement that
// saw the change left the others' runs pending, and they then counted for the new plan (an
// application that prepares a statement for each run has one slot per address it gets: 6 of 12
// runs of the old plan went to the new one where the allocator did not hand back one address).
void TimingState::AdvancePlanEpoch() {
  FoldPending(/*discard=*/false);
  ++plan_epoch_;
}

void TimingState::CheckPlan(Cached& c, sqlite3_stmt* stmt, uint32_t reprepares) {
  // Re-prepared since its last run ended (Relookup sets 0 for a statement's first run: a
  // re-prepare during it met a changed schema).
  const bool reprepared = reprepares != c.reprepares;
  const uint64_t generation = PlanHistory::Global().generation();
  if (generation != plan_history_generation_) {  // query_stats_reset: plan everything again
    plan_history_generation_ = generation;
    planned_.clear();
    ++plan_epoch_;
  }
  if (!reprepared && c.plan_epoch == plan_epoch_) return;
  // SQLite re-prepares a statement whose plan depends on a value (a partial index's WHERE, a
  // LIKE prefix, STAT4) at every run that binds that value: re-prepared at two runs in a row,
  // it is its bindings, not a schema change. Its plan (with the values of the run that revealed
  // it) is captured again only when the schema epoch moves, so such a statement is not
  // EXPLAINed, nor its samples folded, at every run.
  const bool by_bindings = reprepared && ReprepareAtConsecutiveRuns(c, stmt);
  c.reprepares = reprepares;
  if (by_bindings && c.plan_epoch == plan_epoch_) return;
  // Statements prepared after the reload will not re-prepare: plan them again.
  if (reprepared && !by_bindings) AdvancePlanEpoch();
  switch (c.kind) {
    case StatementKind::kAnalyze:
      PlanHistory::Global().NoteAnalyze(UnixMs());
      AdvancePlanEpoch();
      return;
    case StatementKind::kCreate:
    case StatementKind::kDrop:
    case StatementKind::kAlter:
      AdvancePlanEpoch();
      return;
    default:
      break;
  }
  // Queries only: EXPLAIN of an INSERT, UPDATE or DELETE is compiled to count changes, and its
  // end sets sqlite3_changes() to 0, which the application could read next.
  if (!IsQuery(c.kind)) {
    c.plan_epoch = plan_epoch_;
    return;
  }
  auto planned = planned_.find(c.query_id);
  if (planned != planned_.end() && planned->second == plan_epoch_) {
    c.plan_epoch = plan_epoch_;
    return;
  }
  for (const PlanToCapture& p : plan_queue_) {
    if (p.query_id == c.query_id) {
      c.plan_epoch = plan_epoch_;
      return;
    }
  }
  if (plan_queue_.size() >= kMaxPlanQueue) return;  // checked again at a later run
  plan_queue_.push_back({c.query_id, c.raw, c.query, ExplainText(c, stmt)});
  attention_ |= kPlanToCapture;
  c.plan_epoch = plan_epoch_;
}

bool TimingState::ReprepareAtConsecutiveRuns(Cached& c, sqlite3_stmt* stmt) {
  const uint32_t runs = static_cast<uint32_t>(sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_RUN, 0));
  const bool consecutive = c.runs_at_reprepare != 0 && runs - c.runs_at_reprepare <= 1;
  c.runs_at_reprepare = runs;
  return consecutive;
}

std::string TimingState::ExplainText(const Cached& c, sqlite3_stmt* stmt) {
  // A program never re-prepared was compiled with no value bound, as an EXPLAIN of its text is.
  if (c.reprepares == 0 || c.reprepares == kRecheck) return c.raw;
  // Bounded work on the application's thread: a statement holding large values keeps its text's
  // plan. MEMUSED counts the values it copied (SQLITE_TRANSIENT, as better-sqlite3 and Python
  // bind); the connection's length limit, lowered for the call, caps the text of values bound
  // SQLITE_STATIC (sqlite3_expanded_sql then returns NULL).
  if (sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_MEMUSED, 0) > kMaxExplainText) return c.raw;
  const int limit = sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, -1);
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, std::min(limit, kMaxExplainText));
  char* expanded = sqlite3_expanded_sql(stmt);
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, limit);
  std::string text = expanded != nullptr ? expanded : c.raw;
  sqlite3_free(expanded);
  return text;
}

void TimingState::CapturePlans() {
  std::vector<PlanToCapture> queue;
  queue.swap(plan_queue_);
  size_t done = 0;
  for (PlanToCapture& p : queue) {
    if (done == kMaxCapturesPerStart) {  // bounded work per statement start: the rest next time
      plan_queue_.push_back(std::move(p));
      continue;
    }
    ++done;
    if (planned_.size() >= kMaxPlanned) planned_.clear();
    planned_[p.query_id] = plan_epoch_;
    // Prepared only, never run; our own statements are not timed (InternalScope). A failure
    // (a table gone, an authorizer) leaves the plan unknown and the application unaffected.
    absl::StatusOr<QueryPlan> plan = ExplainQueryPlan(connection_, p.explain_sql);
    if (!plan.ok() || plan->empty()) continue;
    FoldNamesAsWritten(*plan);
    if (PlanMovesNoScanCounters(*plan)) StopReadingScanCounters(p.raw);
    PlanHistory::Global().Observe(Key{p.query_id, db_index_}, db_name_, p.query, p.raw,
                                  PlanText(*plan), sqlite3_libversion(), UnixMs(),
                                  Stats::Global(), kStatsMax.Get());
  }
}

// Sound for the statements cached now, all prepared before this EXPLAIN, and only for those never
// re-prepared: such a program was compiled with no value bound, as the EXPLAIN was, and under the
// schema the EXPLAIN saw (had the schema changed since it was compiled, its next run re-prepares
// it, and FinishRun reads every counter again). A statement prepared later starts fresh, with
// every counter read (Relookup).
void TimingState::StopReadingScanCounters(const std::string& raw) {
  for (Cached& c : cache_) {
    if (c.stmt != nullptr && c.reprepares == 0 && c.raw == raw) c.moving = 0;
  }
}

}  // namespace doctor::timing
