// Plans shared through the store (format 3, issue 15 item 5): per query shape and database, the
// plan the writing process's own SQLite captured when the query ran (plan_history.h), with its
// plan id, that SQLite's version and when it was captured. A reader in another process (the
// sqlite3 shell, query_stats_merge) shows that plan instead of planning the query itself.
//
//   CREATE TABLE doctor_query_plans(
//     query_id INTEGER NOT NULL, db TEXT NOT NULL,
//     plan_id INTEGER NOT NULL,      -- FNV-1a 64 of plan (PlanId), checked when read
//     plan TEXT NOT NULL,            -- "SEARCH t USING INDEX t_a (a=?)", at most 4096 bytes
//     sqlite TEXT,                   -- sqlite3_libversion() of the process that planned it
//     captured_ms INTEGER,           -- when that process last captured or confirmed it, unix ms
//     PRIMARY KEY (query_id, db)) WITHOUT ROWID;
//
// One row per shape that the store keeps (pruned with the shape at eviction, emptied by a reset),
// so at most stats_max rows. Processes that plan a shape differently (two SQLite versions) each
// write theirs when they captured it more recently than the row's: the row holds the most
// recently captured plan. Plans are not literals: they are shared without stats_share_examples.
#ifndef DOCTOR_TIMING_STORE_PLANS_H_
#define DOCTOR_TIMING_STORE_PLANS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ext/timing/sidecar_file.h"
#include "ext/timing/stats.h"

namespace doctor::timing {

// Longest plan text kept in a store; longer plans stay in their process.
constexpr size_t kMaxStorePlanBytes = 4096;

struct StorePlan {
  int64_t query_id = 0;
  std::string db;
  int64_t plan_id = 0;
  std::string plan;
  std::string sqlite_version;
  int64_t captured_ms = 0;
};

// A plan text and its id read from a store: a non-empty text of at most kMaxStorePlanBytes
// whose PlanId is `id`; the error names `column`.
absl::Status ReadPlanText(const Value& text, const Value& id, absl::string_view column,
                          std::string* text_out, int64_t* id_out);

// Writes this process's current plan (PlanHistory) of each shape in `taken` when the store has
// none for it or an older one (inside the flush's transaction).
absl::Status WriteStorePlans(SidecarDb& side, const std::vector<EntrySnapshot>& taken);
// After an eviction: deletes the plans of shapes the store no longer keeps.
absl::Status PruneStorePlans(SidecarDb& side);
// The store's plans, values checked (plan_id must be the id of the plan text); empty for a
// format-2 store. At most `max_rows`.
absl::StatusOr<std::vector<StorePlan>> ReadStorePlans(SidecarDb& side, int64_t max_rows);

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_STORE_PLANS_H_
