// One set of index fixes per report. Findings of different areas propose indexes on their own (a
// foreign key without an index, the advisor's index for a scanning query); run together, those
// fixes must not build an index that another fix makes redundant, or the next report (and
// index_lint) would say to drop it again. Pure C++: the core tokenizer reads the statements.
//
// Example:
//   ParseCreateIndex("CREATE INDEX idx_t_a ON t(a, b DESC)")  // {name idx_t_a, table t, {a, b}}
#ifndef DOCTOR_REPORT_INDEX_FIXES_H_
#define DOCTOR_REPORT_INDEX_FIXES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "ext/report/finding.h"

namespace doctor::report {

// What a CREATE INDEX statement builds. Names are unquoted and lower-cased (SQLite's names are
// case-insensitive); an expression column is its text, lower-cased; ASC/DESC/COLLATE dropped.
struct IndexShape {
  std::string name;
  std::string table;
  std::vector<std::string> columns;
  bool partial = false;  // has a WHERE clause
  bool unique = false;
  // Per column: its COLLATE name (lower-cased, empty when none) and whether it is DESC.
  std::vector<std::string> collations;
  std::vector<bool> desc;
};

// The shape of `sql` when it is one CREATE [UNIQUE] INDEX statement, else nullopt.
std::optional<IndexShape> ParseCreateIndex(absl::string_view sql);

// True when both build an index on the same table with the same columns, neither partial.
bool SameIndexColumns(const IndexShape& a, const IndexShape& b);

// Drops the fix of every finding whose CREATE INDEX another finding's fix makes redundant: the
// same columns (the first in `findings` order keeps its fix) or their leading prefix (the longer
// index keeps it). Its advice then names the index that serves it. Partial indexes are left alone.
void MergeIndexFixes(std::vector<Finding>& findings);

// An index the database has: its name as written, and its shape.
struct ExistingIndex {
  std::string name;
  IndexShape shape;
};

// For each CREATE INDEX fix, the existing indexes whose key it extends (the same columns,
// collations and, past a single column, directions: what index_lint calls `prefix` once the fix
// is built) and that no other fix drops already: {finding's position, index name as written}.
// UNIQUE and partial indexes stay. Without their DROP beside the CREATE, one run of the fixes
// left the next report a prefix finding on each index it extended (WordPress: post_parent and
// comment_post_ID).
std::vector<std::pair<size_t, std::string>> PrefixesOfIndexFixes(
    const std::vector<ExistingIndex>& existing, const std::vector<Finding>& findings);

}  // namespace doctor::report

#endif  // DOCTOR_REPORT_INDEX_FIXES_H_
