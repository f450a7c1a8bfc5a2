#include "ext/report/plan_finding.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace doctor::report {

Finding PlanRegressionFinding(const PlanRegression& r) {
  std::string finding = absl::StrFormat(
      "the plan of query %s changed at %s (%s) and it got slower: %s -> %s; mean %.3f -> %.3f "
      "ms, %.0f -> %.0f VM steps per run: %s",
      r.query_id, r.at, r.cause, r.old_plan, r.new_plan, r.old_mean_ms, r.new_mean_ms,
      r.old_steps, r.new_steps, r.query.substr(0, 160));
  const std::string first_index =
      r.dropped_indexes.empty()
          ? ""
          : std::string(*absl::StrSplit(r.dropped_indexes, ',').begin());
  std::string advice;
  if (absl::StartsWith(r.fix, "CREATE")) {
    advice = absl::StrCat("recreate the index the old plan used (", r.dropped_indexes,
                          "); if it was dropped on purpose, run ANALYZE, and as a last resort "
                          "pin an index with INDEXED BY");
  } else if (r.fix.empty()) {
    // The statistics chose this plan: another ANALYZE of the same data chooses it again. (The
    // report reads its own database's changes only, whose fix is empty just then: an ANALYZE
    // caused the change, or one since, in any process, covers the new plan's indexes.)
    advice = absl::StrCat(
        "the statistics ANALYZE wrote lead the planner to this plan, and ANALYZE again plans "
        "the same: ",
        r.old_index.empty()
            ? "write NOT INDEXED after the table in the query to keep the planner off the index"
            : absl::StrCat("write INDEXED BY ", r.old_index,
                           " in the query to keep the old plan"),
        ", or drop the new plan's index if nothing else needs it");
  } else {
    advice = absl::StrCat("run ANALYZE so the planner sees the data as it is",
                          first_index.empty()
                              ? ""
                              : absl::StrCat("; as a last resort write INDEXED BY ", first_index,
                                             " in the query"));
  }
  const double cost = (r.new_mean_ms - r.old_mean_ms) * static_cast<double>(r.new_calls);
  return {"timing",
          Severity::kWarn,
          r.query_id,
          std::move(finding),
          std::move(advice),
          r.fix.empty() ? std::nullopt : std::optional<std::string>(r.fix),
          cost > 0 ? cost : 0};
}

}  // namespace doctor::report
