#include "ext/timing/store_plans.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/store_values.h"

namespace doctor::timing {
namespace {

absl::StatusOr<StorePlan> ReadPlan(const Row& r) {
  StorePlan p;
  RETURN_IF_ERROR(ReadInteger(r[0], "query_id", &p.query_id));
  p.db = r[1].AsText();
  RETURN_IF_ERROR(ReadPlanText(r[3], r[2], "plan", &p.plan, &p.plan_id));
  if (!r[4].is_null() && !std::holds_alternative<std::string>(r[4].storage())) {
    return OutOfRange("sqlite", r[4]);
  }
  p.sqlite_version = r[4].AsText();
  RETURN_IF_ERROR(ReadCount(r[5], "captured_ms", &p.captured_ms));
  return p;
}

}  // namespace

absl::Status ReadPlanText(const Value& text, const Value& id, absl::string_view column,
                          std::string* text_out, int64_t* id_out) {
  RETURN_IF_ERROR(ReadInteger(id, absl::StrCat(column, "_id"), id_out));
  const std::string* t = std::get_if<std::string>(&text.storage());
  if (t == nullptr || t->empty() || t->size() > kMaxStorePlanBytes) return OutOfRange(column, text);
  if (*id_out != PlanId(*t)) {
    return absl::OutOfRangeError(
        absl::StrCat(column, "_id ", *id_out, " is not the id of its plan text"));
  }
  *text_out = *t;
  return absl::OkStatus();
}

namespace {

// Another plan than this process's current one is in the store (stored: plan_id, captured_ms,
// plan, sqlite): when it was captured before this process's plan first was, the plan changed
// between processes (a deploy: migration, restart). PlanHistory records it, with the store's runs
// of the shape before this flush as the old plan's figures, and WritePlanChanges shares it.
absl::Status NoteStoredPlan(SidecarDb& side, const EntrySnapshot& t, const Row& stored) {
  PlanRecord old_plan;
  if (!ReadPlanText(stored[2], stored[0], "doctor_query_plans.plan", &old_plan.text,
                    &old_plan.plan_id)
           .ok()) {
    return absl::OkStatus();  // a bad row is replaced below and reported by readers
  }
  old_plan.sqlite_version = stored[3].is_null() ? "" : stored[3].AsText().substr(0, 64);
  old_plan.first_ms = old_plan.last_ms = stored[1].AsInt();
  if (old_plan.last_ms <= 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows counts, side.Run("SELECT calls, total_ms, vm_steps FROM"
                                         " doctor_query_stats WHERE query_id = ? AND db = ?",
                                         {Value(t.query_id), Value(t.db)}));
  PlanFigures before{old_plan.plan_id};
  if (!counts.empty()) {  // this flush's runs are in the row already: not the old plan's
    before.calls = std::max<int64_t>(0, counts[0][0].AsInt() - t.counters.calls);
    const double total_ms = counts[0][1].AsDouble() - t.counters.total_ms;
    before.total_ms = std::isfinite(total_ms) && total_ms > 0 ? total_ms : 0;
    before.vm_steps = std::max<int64_t>(0, counts[0][2].AsInt() - t.counters.vm_steps);
  }
  // A change recorded to the stored plan (by the process that captured it) counts that plan's own
  // runs; the shape's totals also hold the runs of the plans before it.
  if (side.format() >= 4) {
    ASSIGN_OR_RETURN(Rows own, side.Run("SELECT new_calls, new_total_ms, new_vm_steps FROM"
                                        " doctor_plan_changes WHERE query_id = ? AND db = ?"
                                        " AND new_plan_id = ? ORDER BY at_ms DESC LIMIT 1",
                                        {Value(t.query_id), Value(t.db), Value(old_plan.plan_id)}));
    if (!own.empty()) {
      const int64_t calls = own[0][0].AsInt(), steps = own[0][2].AsInt();
      const double ms = own[0][1].AsDouble();
      if (calls > 0 && calls <= before.calls && steps >= 0 && std::isfinite(ms) && ms >= 0) {
        before = PlanFigures{old_plan.plan_id, calls, ms, steps};
      }
    }
  }
  if (before.calls > 0) {
    PlanHistory::Global().ObserveStoredPlan(t.query_id, t.db, t.query, old_plan, before);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteStorePlans(SidecarDb& side, const std::vector<EntrySnapshot>& taken) {
  if (side.format() < 3) return absl::OkStatus();
  for (const EntrySnapshot& t : taken) {
    std::optional<PlanRecord> plan = PlanHistory::Global().Current(t.query_id, t.db);
    if (!plan.has_value() || plan->text.empty() || plan->text.size() > kMaxStorePlanBytes) {
      continue;
    }
    ASSIGN_OR_RETURN(Rows stored, side.Run("SELECT plan_id, captured_ms, plan, sqlite"
                                           " FROM doctor_query_plans"
                                           " WHERE query_id = ? AND db = ?",
                                           {Value(t.query_id), Value(t.db)}));
    if (!stored.empty()) {
      const bool same = stored[0][0].AsInt() == plan->plan_id;
      const int64_t captured = stored[0][1].AsInt();
      // Only a more recent capture replaces the row. The same plan captured by another SQLite
      // version takes the row's version and time (before, the row kept the first writer's
      // version for good: an application upgraded from 3.40.1 to a fixed SQLite, planning as
      // before, was still reported on 3.40.1 by doctor_report's known issues).
      if (plan->last_ms < captured) continue;
      if (same) {
        if (!stored[0][3].is_null() && stored[0][3].AsText() == plan->sqlite_version) continue;
        RETURN_IF_ERROR(side.Run("UPDATE doctor_query_plans SET sqlite = ?, captured_ms = ?"
                                 " WHERE query_id = ? AND db = ?",
                                 {Value(plan->sqlite_version), Value(plan->last_ms),
                                  Value(t.query_id), Value(t.db)})
                            .status());
        continue;
      }
      RETURN_IF_ERROR(NoteStoredPlan(side, t, stored[0]));
    }
    RETURN_IF_ERROR(side.Run("INSERT OR REPLACE INTO doctor_query_plans"
                             " (query_id, db, plan_id, plan, sqlite, captured_ms)"
                             " VALUES (?, ?, ?, ?, ?, ?)",
                             {Value(t.query_id), Value(t.db), Value(plan->plan_id),
                              Value(plan->text), Value(plan->sqlite_version),
                              Value(plan->last_ms)})
                        .status());
  }
  return absl::OkStatus();
}

absl::Status PruneStorePlans(SidecarDb& side) {
  if (side.format() < 3) return absl::OkStatus();
  return Exec(side.db(),
              "DELETE FROM doctor_query_plans AS p WHERE NOT EXISTS (SELECT 1 FROM"
              " doctor_query_stats s WHERE s.query_id = p.query_id AND s.db = p.db)");
}

absl::StatusOr<std::vector<StorePlan>> ReadStorePlans(SidecarDb& side, int64_t max_rows) {
  std::vector<StorePlan> out;
  if (!side.has_tables() || side.format() < 3) return out;
  ASSIGN_OR_RETURN(Rows rows,
                   Query(side.db(),
                         "SELECT query_id, substr(db, 1, 4096), plan_id, substr(plan, 1, 4097),"
                         " substr(sqlite, 1, 64), captured_ms FROM doctor_query_plans LIMIT ?",
                         {Value(max_rows)}));
  out.reserve(rows.size());
  for (const Row& r : rows) {
    absl::StatusOr<StorePlan> p = ReadPlan(r);
    if (!p.ok()) {
      return absl::Status(p.status().code(),
                          absl::StrCat("doctor_query_plans row query_id ",
                                       r[0].is_null() ? "NULL" : r[0].AsText(), ": ",
                                       p.status().message()));
    }
    out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace doctor::timing
