// What a write runs besides itself, for the candidates phase: the statements of the triggers on
// the written table, and the child-table lookups of its foreign-key actions (followed through
// CASCADE / SET NULL / SET DEFAULT to the children's children). Each is captured by the probe
// like a statement of the workload, and the child tables join the statement's tables.
#ifndef DOCTOR_INDEXES_WRITE_EFFECTS_H_
#define DOCTOR_INDEXES_WRITE_EFFECTS_H_

#include <vector>

#include "ext/core/connection.h"

#include "ext/indexes/probe.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/workload.h"

namespace doctor::indexes {

// Copies into the sample all the child rows (of at most 200 parent rows, at most 1000 rows per
// table and level) of the rows
// `item` deletes or updates, through CASCADE / SET NULL / SET DEFAULT actions to the children's
// children (3 levels), so the actions cost on the copy what they cost in the user's database, in
// proportion (a sample holding its usual share of them would make a cascade look a share of a
// share as dear, and its child indexes not worth their bytes).
void SeedCascades(Connection& user, Scratch& scratch, const WorkloadItem& item);

// Appends the scans of `item`'s triggers and (with `foreign_keys`) FK child lookups to `scans`.
void ProbeWriteEffects(Scratch& scratch, Probe& probe, bool foreign_keys, WorkloadItem* item,
                       std::vector<ProbeScan>* scans);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_WRITE_EFFECTS_H_
