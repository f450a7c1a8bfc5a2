#include "ext/timing/store_plans.h"

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
  RETURN_IF_ERROR(ReadInteger(r[2], "plan_id", &p.plan_id));
  const std::string* text = std::get_if<std::string>(&r[3].storage());
  if (text == nullptr || text->empty() || text->size() > kMaxStorePlanBytes) {
    return OutOfRange("plan", r[3]);
  }
  p.plan = *text;
  if (p.plan_id != PlanId(p.plan)) {
    return absl::OutOfRangeError(
        absl::StrCat("plan_id ", p.plan_id, " is not the id of its plan text"));
  }
  if (!r[4].is_null() && !std::holds_alternative<std::string>(r[4].storage())) {
    return OutOfRange("sqlite", r[4]);
  }
  p.sqlite_version = r[4].AsText();
  RETURN_IF_ERROR(ReadCount(r[5], "captured_ms", &p.captured_ms));
  return p;
}

}  // namespace

absl::Status WriteStorePlans(SidecarDb& side, const std::vector<EntrySnapshot>& taken) {
  if (side.format() < 3) return absl::OkStatus();
  for (const EntrySnapshot& t : taken) {
    std::optional<PlanRecord> plan = PlanHistory::Global().Current(t.query_id, t.db);
    if (!plan.has_value() || plan->text.empty() || plan->text.size() > kMaxStorePlanBytes) {
      continue;
    }
    ASSIGN_OR_RETURN(Rows stored, side.Run("SELECT plan_id, captured_ms FROM doctor_query_plans"
                                           " WHERE query_id = ? AND db = ?",
                                           {Value(t.query_id), Value(t.db)}));
    if (!stored.empty()) {
      const bool same = stored[0][0].AsInt() == plan->plan_id;
      const int64_t captured = stored[0][1].AsInt();
      // The same plan: nothing to write; another one: only a more recent capture replaces it.
      if (same || plan->last_ms < captured) continue;
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
