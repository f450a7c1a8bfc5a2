// Workload phase of the advisor: the statements to advise on, split and checked on the scratch
// copy, each with its weight, the tables it touches, the table it writes and guessed values for
// its parameters. Which statements count (queries and writes; comments before them skipped) is
// decided by core's statement kind, not here.
//
// Example:
//   ASSIGN_OR_RETURN(std::vector<WorkloadItem> items,
//                    LoadWorkload(scratch, {{"-- poll\nSELECT * FROM jobs WHERE state = ?"}}));
#ifndef DOCTOR_INDEXES_WORKLOAD_H_
#define DOCTOR_INDEXES_WORKLOAD_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/statement_kind.h"
#include "ext/core/value.h"
#include "ext/indexes/scratch.h"

namespace doctor::indexes {

struct InputStatement {
  std::string sql;       // may hold several statements
  double weight = 1;     // calls
  bool strict = true;    // false (captured workload): statements that fail are skipped
  // How its values were obtained when they were captured rather than written ("values captured
  // by slow_queries"): becomes the `assumed` of what it measures.
  std::string captured;
};

// One workload statement as the engine sees it.
struct WorkloadItem {
  std::string sql;
  StatementKind kind = StatementKind::kOther;
  double weight = 1;
  std::vector<Value> params;      // guessed values for its parameters (by bind index - 1)
  std::string assumed;            // those values as text ("state = 'queued', :n = 10"), or ""
  // The value bound where a parameter equals a function of a column:
  // "json_extract(body, '$.status')" -> 'open' (as ExpressionPredicates writes it).
  std::map<std::string, Value> expression_values;
  // Likewise where a parameter equals a column: "owners.country" (lower case) -> 'DE'.
  std::map<std::string, Value> column_values;
  // Its text for the constraint probe when that differs: each parameter that is a whole LIKE /
  // GLOB pattern written as the value guessed for it, so the planner derives the pattern's
  // index range as for a literal (`email LIKE 'user2500@x.io%'`); "" otherwise (then `sql`).
  std::string probe_sql;
  std::set<std::string> tables;   // lower-case names of the tables it reads or writes
  std::string written;            // lower-case name of the table it writes ("" for a query)
  std::string error;              // set when it cannot run on the copy
  bool capped = false;            // its baseline run hit the step cap (cost is a lower bound)
  bool over_memory = false;       // ... or the copy's memory bound (Scratch::Run; `error` says so)
  // Which workload statement it measures (0-based, in workload order): the variants of one
  // statement with parameters share it; a statement written twice has two.
  int source = 0;

  // Its text with its bound values: items with equal keys plan alike.
  std::string PlanKey() const;
};

// Splits `text` into statements by preparing them on the scratch copy (so each is checked
// against the schema) and keeps the advisable ones (queries and writes), trimmed of a trailing
// ';'. Errors name the statement's position; with `strict` false the statements up to the first
// failure are returned instead. Stops with the scratch's stop (work_timeout_ms, an interrupt).
// A statement that uses a table outside main (attached, temp: outside_main.h) is skipped and
// named in `skipped` ("statement 1 (SELECT * FROM aux.a) not advised: it reads aux.a, ..."), as is
// a captured (`strict` false) one that does not prepare; without `skipped` the first such
// statement is an error naming its table.
absl::StatusOr<std::vector<std::string>> SplitAdvisable(Scratch& scratch, const std::string& text,
                                                        bool strict,
                                                        std::vector<std::string>* skipped = nullptr);

// Values to bind for a column a parameter is compared with, ahead of any guess (e.g. the value
// a partial index's WHERE names: lower-case column -> value).
using ParameterHints = std::map<std::string, Value>;

// The statement `sql` with its tables, written table and guessed parameters.
absl::StatusOr<WorkloadItem> LoadStatement(Scratch& scratch, const std::string& sql,
                                           double weight, const ParameterHints& hints = {});

// The statement measured as SQLite runs it with representative bound values: with parameters,
// one item per distinct set of guesses (the columns' most frequent values; then the rarest value
// of a status-like column, else the middle row's), the weight shared between them.
absl::StatusOr<std::vector<WorkloadItem>> LoadStatementVariants(Scratch& scratch,
                                                                const std::string& sql,
                                                                double weight);

// Every advisable statement of the workload; those skipped, each with why, in `skipped`
// (SplitAdvisable), which index_advise reports in its limits.
absl::StatusOr<std::vector<WorkloadItem>> LoadWorkload(
    Scratch& scratch, const std::vector<InputStatement>& workload,
    std::vector<std::string>* skipped = nullptr);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_WORKLOAD_H_
