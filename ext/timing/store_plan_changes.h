// Plan changes shared through the store (format 4, issue 15 item 5, issue 18 item 3): the ring of
// the changes of plan every process recorded (plan_history.h), so that plan_changes and
// doctor_report read in another process (the sqlite3 shell) show the application's regressions.
//
//   CREATE TABLE doctor_plan_changes(
//     process INTEGER NOT NULL,      -- the recording process's token (store_slow.h ProcessToken)
//     query_id INTEGER NOT NULL, db TEXT NOT NULL,
//     at_ms INTEGER NOT NULL,        -- when the new plan was captured, unix ms
//     query TEXT NOT NULL,           -- normalized text (never a literal example)
//     analyze_between INTEGER,       -- 1: an ANALYZE ran in that process in between
//     old_plan_id, old_plan, old_sqlite, old_last_ms,   -- the plan before (ids checked on read)
//     old_calls, old_total_ms, old_vm_steps,            -- runs under it in that process
//     new_plan_id, new_plan, new_sqlite,
//     new_calls, new_total_ms, new_vm_steps,            -- runs under the new plan so far
//     PRIMARY KEY (process, query_id, db, at_ms)) WITHOUT ROWID;
//
// One row per change per process: a change is keyed by the process that recorded it and when.
// The 'new' figures keep growing after the change, so each flush upserts (INSERT OR REPLACE on
// the key) every change of this process whose shape ran since it was last written, with its
// figures as plan_changes shows them in that process (records plus live runs): they are that
// process's totals, replaced, never added, so a row is never counted twice. The ring keeps the
// kMaxStoreChanges most recent changes (by at_ms) of all processes; a reset empties it; changes
// recorded before the store's last reset are not written. Plans longer than
// kMaxStorePlanBytes stay in their process.
#ifndef DOCTOR_TIMING_STORE_PLAN_CHANGES_H_
#define DOCTOR_TIMING_STORE_PLAN_CHANGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/sidecar_file.h"
#include "ext/timing/stats.h"

namespace doctor::timing {

// Most plan changes a store keeps (as PlanHistory keeps per process).
constexpr int64_t kMaxStoreChanges = PlanHistory::kMaxChanges;

// Writes this process's changes of database `db` that are new or whose shape is in `taken`
// (ran since the last flush; its EntrySnapshot::plan holds the live runs under the new plan),
// inside the flush's transaction; those before `reset_at_ms` are
// skipped; keeps the newest kMaxStoreChanges rows. A no-op on a store older than format 4.
absl::Status WritePlanChanges(SidecarDb& side, const std::string& db,
                              const std::vector<EntrySnapshot>& taken, int64_t reset_at_ms);
// The newest `limit` changes recorded by other processes, values checked (plan ids must be
// the ids of their texts); PlanChange::process is the recording process. Empty before format 4.
absl::StatusOr<std::vector<PlanChange>> ReadPlanChanges(SidecarDb& side, int64_t limit);
// After the flush of `db`: what WritePlanChanges wrote counts as written only when the flush's
// transaction committed (else it is written again, with its figures then).
void PlanChangesFlushed(const std::string& db, bool committed);
// Forgets what was written (query_stats_reset): every change is written again.
void ForgetWrittenPlanChanges();

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_STORE_PLAN_CHANGES_H_
