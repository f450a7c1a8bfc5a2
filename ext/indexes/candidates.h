// Candidate indexes from what the planner asked for. A Scan is one xBestIndex call of the probe:
// the usable constraints on one table (equality or range, collation, constant value when the
// statement has a literal) and the ORDER BY it would like served. Pure C++, no SQLite.
//
// Candidates per scan: equality columns (most selective first), equality + each range column,
// equality + ORDER BY, covering variants (the scan's other columns appended), and partial
// variants for a selective constant equality ("WHERE state = 'queued'"). They are only
// candidates: the advisor builds each on a sample and keeps what measurably pays.
#ifndef DOCTOR_INDEXES_CANDIDATES_H_
#define DOCTOR_INDEXES_CANDIDATES_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ext/indexes/index_def.h"

namespace doctor::indexes {

struct ScanConstraint {
  std::string column;
  bool eq = true;           // false: a range (<, <=, >, >=)
  std::string collation;    // "" = the column's own collation
  std::string constant;     // SQL literal when the statement compares with a constant
  double constant_share = 1.0;  // share of sample rows equal to the constant
};

struct ScanOrder {
  std::string column;
  bool desc = false;
};

struct Scan {
  std::string table;
  std::vector<ScanConstraint> constraints;
  std::vector<ScanOrder> order_by;
  std::vector<std::string> used_columns;  // columns the statement reads from this table
  size_t table_columns = 0;               // columns of the table (0: unknown)
  // Average bytes of each of the table's columns, by lower-case name (empty: unknown).
  std::map<std::string, double> column_bytes;
  // Partial-index predicates the statement fixes beyond its column constraints: a rare value of
  // a function of a column ("json_extract(body, '$.status') = 'open'"). Each is the WHERE of a
  // family of candidates on the scan's columns, as a selective column constant is.
  std::vector<std::string> predicates;
};

struct CandidateOptions {
  bool allow_partial = true;
  bool allow_covering = true;
  size_t max_columns = 6;          // no candidate wider than this
  double partial_max_share = 0.3;  // a constant must select at most this share of rows
  double partial_max_distinct = 16; // ... of a status-like column (few distinct values)
};

// `distinct(column)`: distinct values of the column in the sample (for the equality order).
std::vector<IndexDef> CandidatesForScan(const Scan& scan,
                                        const std::function<double(const std::string&)>& distinct,
                                        const CandidateOptions& options);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_CANDIDATES_H_
