// What a write runs besides itself, for the candidates phase: the statements of the triggers on
// the written table, and the child-table lookups of its foreign-key actions (followed through
// CASCADE / SET NULL / SET DEFAULT to the children's children). Each is captured by the probe
// like a statement of the workload, and the child tables join the statement's tables.
#ifndef DOCTOR_INDEXES_WRITE_EFFECTS_H_
#define DOCTOR_INDEXES_WRITE_EFFECTS_H_

#include <vector>

#include "ext/indexes/probe.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/workload.h"

namespace doctor::indexes {

// Appends the scans of `item`'s triggers and (with `foreign_keys`) FK child lookups to `scans`.
void ProbeWriteEffects(Scratch& scratch, Probe& probe, bool foreign_keys, WorkloadItem* item,
                       std::vector<ProbeScan>* scans);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_WRITE_EFFECTS_H_
