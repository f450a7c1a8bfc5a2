// The constraint probe: learns which constraints and ORDER BY the query planner would like an
// index for, the way the shell's .expert does. A second private in-memory database mirrors every
// table of the user's schema as a virtual table of the `doctor_advisor_probe` module (same column
// names and collations) plus the views; preparing a statement there makes SQLite's planner call
// xBestIndex for every way it considers scanning each table (each join order, each OR branch,
// each subquery, with transitive equalities already derived). xBestIndex records the usable
// equality and range constraints (with collation and, on SQLite >= 3.38, the constant compared
// with), the ORDER BY and the columns used. The statement is never run.
#ifndef DOCTOR_INDEXES_PROBE_H_
#define DOCTOR_INDEXES_PROBE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/indexes/scratch.h"
#include "ext/core/value.h"

namespace doctor::indexes {

struct ProbeConstraint {
  int column = 0;
  bool eq = true;
  std::string collation;     // as the planner reports it (sqlite3_vtab_collation)
  bool rowid = false;        // on the rowid alias: never indexed, but its constant is seeded
  bool has_value = false;
  Value value;               // the constant, when known
};

struct ProbeScan {
  int table = 0;             // index into Scratch::tables()
  std::vector<ProbeConstraint> constraints;
  std::vector<std::pair<int, bool>> order_by;  // (column, desc)
  uint64_t columns_used = 0;                   // bit i: column i (bit 63: 63 and above)
};

// A sqlite3_value as a Value (blobs become NULL: they never make a partial-index predicate).
Value ColumnValueOf(sqlite3_value* v);

class Probe {
 public:
  static absl::StatusOr<std::unique_ptr<Probe>> Build(const Scratch& scratch);
  ~Probe();
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // Prepares `sql` on the mirror and appends what the planner asked for to `scans`.
  absl::Status Capture(const std::string& sql, std::vector<ProbeScan>* scans);

  // Used by the module callbacks.
  const Scratch& scratch() const { return scratch_; }
  std::vector<ProbeScan>* sink() const { return sink_; }

 private:
  explicit Probe(const Scratch& scratch) : scratch_(scratch) {}

  const Scratch& scratch_;
  std::unique_ptr<PrivateDb> private_;  // see Scratch
  sqlite3* db_ = nullptr;              // private_->db()
  std::unique_ptr<Connection::InternalScope> internal_;  // see Scratch
  std::vector<ProbeScan>* sink_ = nullptr;
};

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_PROBE_H_
