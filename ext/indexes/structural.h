// Structural advice, as the shell's .expert gives it: on an empty table nothing can be measured
// (every plan costs nothing), so each statement's scans of an empty table get their first
// candidate (equality columns, then a range or the ORDER BY) proposed from the statement's
// structure alone, marked basis = "structural" and with benefit 0. For a schema designed before
// its data exists.
#ifndef DOCTOR_INDEXES_STRUCTURAL_H_
#define DOCTOR_INDEXES_STRUCTURAL_H_

#include <vector>

#include "ext/indexes/advice_report.h"
#include "ext/indexes/candidate_pool.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/workload.h"

namespace doctor::indexes {

// Recommendations from pool.structural (taken before pruning), one per candidate, each listing
// the statements that proposed it; a candidate that is a prefix of another proposed one on the
// same table is left out. Where a statement proposed several on one table (each join order, an
// IN with and without its list, an OR's branches beside an AND equality are scans of their own),
// only those the planner uses with all of them entered on the copy are kept, as .expert keeps
// what its planner picks (before: t2(y, z) and t2(z) for one join where t2(z, y) serves); all of
// them when it uses none.
std::vector<Recommendation> StructuralAdvice(Scratch& scratch,
                                             const std::vector<WorkloadItem>& items,
                                             const CandidatePool& pool);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_STRUCTURAL_H_
