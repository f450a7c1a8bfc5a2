// Join step of the scratch sample. A sample that keeps the same share f of every table prices a
// scan at f of its cost on the data but a join at about f² (a sampled row finds its partner only
// when that was sampled too), so an index that serves a join (a lookup of each qualifying part's
// lineitems, say) saves too little on the copy to be chosen. This step makes the sample
// join-consistent for the workload's equi-joins (ON and WHERE equalities, JOIN ... USING and
// NATURAL JOIN as SQLite resolves them): the rows of a table that the sampled rows of another
// (or of the same: a self-join) reach through a join on the former's key (TableInfo::KeyWithin:
// primary key, UNIQUE constraint or CREATE UNIQUE INDEX: its "parents") are copied too,
// largest tables first, so parents of added parents follow. Once per advice run, bounded in rows
// (at most as many as the sample holds) and time.
#ifndef DOCTOR_INDEXES_SCRATCH_PARTNERS_H_
#define DOCTOR_INDEXES_SCRATCH_PARTNERS_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/sql_joins.h"

namespace doctor::indexes {

// A join of `child` to the key of `parent`: child.child_columns[i] = parent.parent_columns[i].
struct ParentLink {
  int child = 0, parent = 0;  // indexes into the tables
  std::vector<std::string> child_columns, parent_columns;
};

// The workload's joins of one use of a table to another's whole key (TableInfo::KeyWithin),
// resolved against `tables` (aliases, each a use of its table; unqualified names of one table
// of the statement; USING and NATURAL joins), each once, ordered by the child's row count
// (largest first).
std::vector<ParentLink> ParentLinks(const std::vector<StatementJoins>& joins,
                                    const std::vector<TableInfo>& tables);

// The lower-case names of the tables `sql`'s USING and NATURAL joins compare columns of.
// SQLite's authorizer is not told of those columns, so a table that only such a join reads
// would look untouched (Scratch::Touched adds these).
std::set<std::string> UsingJoinTables(const std::string& sql, const std::vector<TableInfo>& tables);

// Copies into `db` (the scratch copy, before its indexes, views and triggers) the parent rows
// that the rows sampled so far reach through `workload`'s joins and that are not there yet, at
// most `max_rows` in all and for at most `max_ms`; adds them to TableInfo::sample_rows and
// returns how many were copied.
absl::StatusOr<int64_t> CopyJoinPartners(Connection& user, sqlite3* db,
                                         const std::vector<std::string>& workload,
                                         int64_t max_rows, double max_ms,
                                         std::vector<TableInfo>* tables);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SCRATCH_PARTNERS_H_
