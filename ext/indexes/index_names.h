// One naming scheme for the indexes the extension proposes (index_advise's recommendations and
// index_lint's foreign-key fixes): the readable IndexDef::StableName() ("idx_jobs_state"), made
// unique per schema. A name gets a short hash of its definition ("idx_a_b_c_3f09a1") when its
// readable form is ambiguous in this schema: two tables whose names read the same (`a b`, `a_b`,
// `a-b`), two columns of one table that do, an existing index that already has the name for
// another definition, or a table or view of that name (they share the index namespace: `CREATE
// INDEX idx_t_a` fails when a view idx_t_a exists). The result depends only on the definition and the schema, not on which
// other indexes are proposed alongside, so the same index gets the same name everywhere.
// Pure C++, no SQLite.
//
// Example:
//   IndexNamer namer({{"a b", {"c"}}, {"a_b", {"c"}}}, {});
//   namer.NameFor({"a_b", {{"c"}}, ""})  // "idx_a_b_c_..." (ambiguous with "a b")
#ifndef DOCTOR_INDEXES_INDEX_NAMES_H_
#define DOCTOR_INDEXES_INDEX_NAMES_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ext/indexes/index_def.h"

namespace doctor::indexes {

struct SchemaTable {
  std::string name;
  std::vector<std::string> columns;
};

class IndexNamer {
 public:
  // `tables`: every table of the schema; `existing`: its indexes (with names); `views`: the
  // names of its views.
  IndexNamer(const std::vector<SchemaTable>& tables, const std::vector<IndexDef>& existing,
             const std::vector<std::string>& views = {});

  std::string NameFor(const IndexDef& d) const;

 private:
  bool Ambiguous(const IndexDef& d) const;

  std::map<std::string, int> table_slugs_;                      // slug -> tables reading so
  std::map<std::string, std::map<std::string, int>> column_slugs_;  // table -> slug -> columns
  std::map<std::string, std::string> existing_;                 // lower name -> Key()
  std::set<std::string> relations_;  // lower names of the tables and views
};

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_INDEX_NAMES_H_
