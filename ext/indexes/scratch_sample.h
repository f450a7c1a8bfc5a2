// Sample step of the scratch copy: the same share of every table's rows (so costs on the copy
// keep the tables' proportions: a scan of a big table stays dearer than one of a small table),
// at least 200 rows of each table, about `sample_rows` in all. Dense rowid tables are sampled by
// seeking evenly spaced rowids (no full scan); others keep every n-th row of a scan.
#ifndef DOCTOR_INDEXES_SCRATCH_SAMPLE_H_
#define DOCTOR_INDEXES_SCRATCH_SAMPLE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/scratch_schema.h"

namespace doctor::indexes {

// Counts each table's rows (TableInfo::real_rows), copies the sample into the tables already
// created on `db` (TableInfo::sample_rows) and returns the share sampled (0..1]. The tables the
// copy leaves out (`left_out`, scratch_scope.h) are counted too, so the share is the one a copy
// of the whole schema samples; one whose module is not loaded here is taken out of `left_out`,
// as ReadTables leaves it out of a whole copy. A left-out AUTOINCREMENT table with rows gets a
// row in the copy's sqlite_sequence where the whole copy has its row: an insert into such a
// table reads sqlite_sequence up to its own row, and its VM steps stay the same.
absl::StatusOr<double> CopySample(Connection& user, sqlite3* db, int64_t sample_rows,
                                  std::vector<TableInfo>* tables,
                                  std::vector<LeftOutTable>* left_out = nullptr);

// "a", "b" of a table's stored (not generated) columns, quoted, and as many "?".
struct StoredColumns {
  std::vector<std::string> names, marks;
};
StoredColumns StoredColumnsOf(const TableInfo& t);

// Finalizes a prepared statement when it goes out of scope (the copy's steps prepare their own).
struct Finalizer {
  sqlite3_stmt* stmt = nullptr;
  ~Finalizer() { sqlite3_finalize(stmt); }
};

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SCRATCH_SAMPLE_H_
