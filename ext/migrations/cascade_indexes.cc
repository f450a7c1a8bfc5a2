#include "ext/migrations/cascade_indexes.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor::migrations {

absl::StatusOr<std::vector<std::string>> IndexForeignKeysForDryRun(sqlite3* db) {
  ASSIGN_OR_RETURN(std::vector<UnindexedForeignKey> keys, ForeignKeysWithoutIndex(db, "main"));
  std::vector<std::string> created;
  std::set<std::string> done;  // two keys on the same child columns need one index
  for (const UnindexedForeignKey& k : keys) {
    std::vector<std::string> quoted;
    for (const std::string& c : k.columns) quoted.push_back(QuoteIdentifier(c));
    const std::string columns = absl::StrJoin(quoted, ", ");
    if (!done.insert(absl::StrCat(QuoteIdentifier(k.table), "(", columns, ")")).second) continue;
    const std::string name = absl::StrCat("doctor_dry_run_fk_", created.size() + 1);
    // A table where it cannot be created (a virtual or shadow table) is left as it is.
    if (Exec(db, absl::StrCat("CREATE INDEX main.", QuoteIdentifier(name), " ON ",
                              QuoteIdentifier(k.table), "(", columns, ")"))
            .ok()) {
      created.push_back(name);
    }
  }
  return created;
}

}  // namespace doctor::migrations
