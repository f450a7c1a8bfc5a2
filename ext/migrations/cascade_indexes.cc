#include "ext/migrations/cascade_indexes.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor::migrations {

absl::StatusOr<int> IndexForeignKeysForDryRun(sqlite3* db) {
  ASSIGN_OR_RETURN(Rows tables, Query(db, "SELECT name FROM main.sqlite_schema WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"));
  int created = 0;
  for (const Row& t : tables) {
    const std::string table = t[0].AsText();
    ASSIGN_OR_RETURN(Rows fks, Query(db, "SELECT id, \"from\" FROM pragma_foreign_key_list(?1, 'main') "
                                         "ORDER BY id, seq", {Value(table)}));
    if (fks.empty()) continue;
    // The first column of every index, the primary key's included (origin 'pk'), and the rowid.
    ASSIGN_OR_RETURN(Rows leading, Query(db, "SELECT lower(i.name) FROM pragma_index_list(?1, 'main') l, "
                                             "pragma_index_info(l.name, 'main') i WHERE i.seqno = 0 "
                                             "UNION SELECT lower(name) FROM pragma_table_info(?1, 'main') "
                                             "WHERE pk = 1 AND lower(type) = 'integer'",
                                             {Value(table)}));
    std::set<std::string> led;
    for (const Row& r : leading) {
      if (!r[0].is_null()) led.insert(r[0].AsText());
    }
    std::map<int64_t, std::vector<std::string>> columns;  // foreign key id -> child columns
    for (const Row& r : fks) columns[r[0].AsInt()].push_back(r[1].AsText());
    for (const auto& [id, cols] : columns) {
      const std::string first = absl::AsciiStrToLower(cols.front());
      if (led.count(first) > 0) continue;
      std::vector<std::string> quoted;
      for (const std::string& c : cols) quoted.push_back(QuoteIdentifier(c));
      const std::string sql = absl::StrCat("CREATE INDEX main.", QuoteIdentifier(absl::StrCat(
                                               "doctor_dry_run_fk_", created + 1)),
                                           " ON ", QuoteIdentifier(table), "(",
                                           absl::StrJoin(quoted, ", "), ")");
      if (Exec(db, sql).ok()) {
        ++created;
        led.insert(first);
      }
    }
  }
  return created;
}

}  // namespace doctor::migrations
