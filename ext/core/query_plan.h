// EXPLAIN QUERY PLAN as structured steps, parsed once: the verb, the table, and the index a step
// uses, matched exactly (an index named idx_a is not idx_ab). Every area reads plans through here;
// the one text form of a plan is PlanText ("SCAN t; SEARCH u USING INDEX u_a (a=?)").
//
// Example:
//   ASSIGN_OR_RETURN(QueryPlan plan, ExplainQueryPlan(db, "SELECT * FROM t WHERE a = 1"));
//   plan.UsesIndex("t_a");   // exact, case-insensitive
//   PlanText(plan);          // "SEARCH t USING INDEX t_a (a=?)"
#ifndef DOCTOR_CORE_QUERY_PLAN_H_
#define DOCTOR_CORE_QUERY_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ext/core/sqlite.h"
#include "ext/core/value.h"

namespace doctor {

class Connection;

// One row of EXPLAIN QUERY PLAN, with its detail parsed.
struct PlanStep {
  int id = 0;
  int parent = 0;
  std::string detail;      // as SQLite printed it: "SEARCH t USING COVERING INDEX t_a (a=?)"
  std::string verb;        // "SCAN", "SEARCH", or "" for other steps (USE TEMP B-TREE, ...)
  std::string table;       // the table or alias after SCAN/SEARCH ("" for other steps)
  std::string index;       // the named index it uses ("" for none, a primary key or automatic)
  bool covering = false;   // USING COVERING INDEX
  bool automatic = false;  // USING AUTOMATIC ... INDEX (built at run time)
  bool primary_key = false;  // USING INTEGER PRIMARY KEY / USING PRIMARY KEY

  // SCAN of a table without any index: every row is read (SCAN CONSTANT ROW and virtual tables
  // excluded).
  bool ScansWholeTable() const;
};

struct QueryPlan {
  std::vector<PlanStep> steps;

  // True when a step uses the index `name` (exact name, case-insensitive as SQLite's names are).
  bool UsesIndex(absl::string_view name) const;
  // True when a step reads the index `name` whole, in its order (SCAN t USING INDEX name): the
  // index serves a GROUP BY or ORDER BY (no sort), not a lookup, so how selective its key is
  // does not matter.
  bool ScansIndexInOrder(absl::string_view name) const;
  // True when a step reads a table whole (PlanStep::ScansWholeTable). The read of a subquery's
  // rows is not one: `SCAN (subquery-1)`, and the `SCAN p` that reads the rows of a preceding
  // `CO-ROUTINE p` or `MATERIALIZE p` (the last such SCAN after it; one before it, or another
  // one, is a table of that name inside it). Drizzle's relational queries read each relation
  // through a co-routine named like the table's alias: every such query looked like a full scan.
  bool ScansAWholeTable() const;
  bool empty() const { return steps.empty(); }
};

// Parses one detail string (the fourth column of EXPLAIN QUERY PLAN).
PlanStep ParsePlanDetail(absl::string_view detail);

// Parses the text form back (steps separated by "; "), for plans stored as text.
QueryPlan ParsePlanText(absl::string_view text);

// The plan of one statement (a trailing ';' and whitespace are ignored), with `params` bound.
// Only queries and writes are planned (a PRAGMA, ATTACH, BEGIN... acts when prepared).
absl::StatusOr<QueryPlan> ExplainQueryPlan(sqlite3* db, absl::string_view sql,
                                           absl::Span<const Value> params = {});
// On a caller's connection: a write is not EXPLAINed there while its changes() is not 0 (the
// EXPLAIN's end would set it to 0), but on a second read-only connection to the same file;
// Unavailable when that cannot be done now (an in-memory, temp or memdb database, or the file
// cannot be opened): ask again later.
absl::StatusOr<QueryPlan> ExplainQueryPlan(Connection& connection, absl::string_view sql,
                                           absl::Span<const Value> params = {});

// The one text form of a plan: the details joined by "; ".
std::string PlanText(const QueryPlan& plan);

}  // namespace doctor

#endif  // DOCTOR_CORE_QUERY_PLAN_H_
