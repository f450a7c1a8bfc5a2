// The slow-query ring of the shared store: the newest slow_max slow statements of every process,
// each with the process that ran it (a random token per process, so a reader shows its own
// process's statements from memory, with their literals, and only the others' from the store).
// The SQL kept is the normalized text unless stats_share_examples is on; bound values
// (slow_params) never leave the process.
#ifndef DOCTOR_TIMING_STORE_SLOW_H_
#define DOCTOR_TIMING_STORE_SLOW_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ext/timing/sidecar_file.h"
#include "ext/timing/stats.h"

namespace doctor::timing {

// This process's token in the store (random, positive, fixed for the process's life; a child of
// fork() gets its own, RenewProcessTokenAfterFork).
int64_t ProcessToken();
// In a child of fork(): a new token, derived from the parent's and the child's pid (no I/O, no
// allocation: safe in a fork handler).
void RenewProcessTokenAfterFork();

// Appends `slow` to the ring and keeps its newest `slow_max` rows (inside the flush's
// transaction).
absl::Status WriteSlow(SidecarDb& side, const std::vector<SlowQuery>& slow, bool share_sql,
                       int64_t slow_max);
// The newest `limit` rows of the ring not written by process `skip_process` (this process's
// ProcessToken() for a live read; 0 for a copied store: every row), values checked.
absl::StatusOr<std::vector<SlowQuery>> ReadSlow(SidecarDb& side, int64_t limit,
                                                int64_t skip_process);

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_STORE_SLOW_H_
