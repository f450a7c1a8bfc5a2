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
// Indexes behind UNIQUE / PRIMARY KEY constraints are never proposed for dropping. CREATE INDEX
// fixes are named by the same scheme as index_advise (index_names.h), so nothing advised is then
// flagged here and the two never propose one index under two names.
#ifndef DOCTOR_INDEXES_LINT_H_
#define DOCTOR_INDEXES_LINT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"

namespace doctor::indexes {

struct LintFinding {
  std::string kind;        // duplicate, prefix, low_selectivity, fk_without_index, unused
  std::string table;
  std::string index;       // "" for fk_without_index
  std::string finding;     // one sentence
  std::string fix_sql;
};

absl::StatusOr<std::vector<LintFinding>> Lint(Connection& connection);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_LINT_H_
