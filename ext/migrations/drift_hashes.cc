#include "ext/migrations/drift_hashes.h"

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor::migrations {

absl::StatusOr<std::vector<HashLink>> LoadHashChain(sqlite3* db) {
  std::vector<HashLink> out;
  ASSIGN_OR_RETURN(Rows exists, Query(db, "SELECT 1 FROM main.sqlite_schema WHERE type = 'table' "
                                          "AND name = 'doctor_migrations'"));
  if (exists.empty()) return out;
  ASSIGN_OR_RETURN(Rows rows, Query(db, "SELECT name, kind, schema_before, schema_after FROM "
                                        "main.doctor_migrations ORDER BY id"));
  for (const Row& r : rows) {
    HashLink link{r[0].AsText(), r[1].AsText(), std::nullopt, std::nullopt};
    if (!r[2].is_null()) link.before = r[2].AsText();
    if (!r[3].is_null()) link.after = r[3].AsText();
    out.push_back(std::move(link));
  }
  return out;
}

HashChainVerdict CheckHashChain(const std::vector<HashLink>& chain, const std::string& empty_hash,
                                const std::string& live_hash) {
  HashChainVerdict v;
  if (chain.empty()) return v;
  // Every hash recorded, every row a migration that ran (a baseline or adopted row did not run
  // here; after a revert the replay leaves the migration out, which the hashes cannot vouch for).
  bool complete = true;
  for (size_t i = 0; i < chain.size(); ++i) {
    const HashLink& link = chain[i];
    complete = complete && link.before && link.after && link.kind == "apply";
    if (!v.since.empty() || !link.before) continue;
    if (i == 0 && *link.before != empty_hash) {
      v.since = absl::StrCat("before the first migration '", link.name,
                             "' (the schema was not empty when it was applied)");
    } else if (i > 0 && chain[i - 1].after && *chain[i - 1].after != *link.before) {
      v.since = absl::StrCat("between migrations '", chain[i - 1].name, "' and '", link.name,
                             "' (the schema_before of '", link.name,
                             "' is not the schema_after of '", chain[i - 1].name, "')");
    }
  }
  const HashLink& last = chain.back();
  if (v.since.empty() && last.after && *last.after != live_hash) {
    v.since = absl::StrCat("after the last migration '", last.name,
                           "' (the live schema is not its schema_after)");
  }
  v.unchanged = complete && v.since.empty() && *chain.front().before == empty_hash &&
                *last.after == live_hash;
  return v;
}

}  // namespace doctor::migrations
