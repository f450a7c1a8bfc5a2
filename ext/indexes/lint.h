// index_lint: findings about the indexes that exist, each with the SQL that fixes it.
//   duplicate        same key as another index            DROP INDEX
//   prefix           its key is a prefix of another's     DROP INDEX
//   low_selectivity  a key matching >= 10% of the rows    DROP INDEX
//                    (even its rarest value; never an index serving a foreign key)
//   fk_without_index a foreign key whose child columns    CREATE INDEX
//                    lead no index (ON DELETE/UPDATE actions and parent deletes scan the child)
//   unused           no captured query (query_stats) plans with it    DROP INDEX
//                    only once enough traffic was captured (settings.h: calls, query shapes
//                    and hours observed), and the finding says how much that was
//   not_checked      a check left out, and why: an application's own table named
//                    query_stats hides the captured queries (no unused check)    no fix
// Indexes behind UNIQUE / PRIMARY KEY constraints are never proposed for dropping. CREATE INDEX
// fixes are named by the same scheme as index_advise (index_names.h), so nothing advised is then
// flagged here and the two never propose one index under two names.
#ifndef DOCTOR_INDEXES_LINT_H_
#define DOCTOR_INDEXES_LINT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/core/value.h"
#include "ext/indexes/index_def.h"
#include "ext/indexes/scratch.h"

namespace doctor::indexes {

struct LintFinding {
  std::string kind;        // duplicate, prefix, low_selectivity, fk_without_index, unused,
                           // not_checked
  std::string table;       // "" for not_checked
  std::string index;       // "" for fk_without_index
  std::string finding;     // one sentence
  std::string fix_sql;     // "" for not_checked
  // duplicate and prefix: the index that serves the same lookups, so this one can go ("" else).
  std::string covered_by;
};

// `tables_copied`: how many tables its copy held (the tables with indexes to judge and what
// they reach, not the whole schema).
absl::StatusOr<std::vector<LintFinding>> Lint(Connection& connection,
                                              size_t* tables_copied = nullptr);

// The rarest full key value of index `a` (built on the copy under its name): the share of the
// sample's rows it matches (1 when unknown), and whether looking it up through `a` costs less
// than half the VM steps of a scan, measured as index_advise measures. low_selectivity needs
// both share >= 10% and !lookup_pays; index_advise leaves out what lint would flag so (one model).
struct RarestKey {
  double share = 1;
  bool lookup_pays = false;
  bool measured = false;  // false: unknown (an expression whose text is not known), never low
  // The rarest key: " WHERE "c1" IS ? AND ..." and its values; empty `match` when a key part is
  // an expression.
  std::string match;
  std::vector<Value> key;
  bool LowSelectivity() const { return measured && share >= 0.1 && !lookup_pays; }
};
RarestKey RarestKeyOf(Scratch& scratch, const TableInfo& t, const IndexDef& a);

// Whether index_lint would call `d` low_selectivity once it is built (judged on the sample, which
// is what lint reads when you have no statistics): index_advise does not propose such an index.
bool LintWouldCallUnselective(Scratch& scratch, const IndexDef& d);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_LINT_H_
