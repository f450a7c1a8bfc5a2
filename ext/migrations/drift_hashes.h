// The cheap half of schema_drift: the journal's schema hashes. migrate() records schema_hash()
// before and after every migration (doctor_migrations.schema_before / schema_after); when the
// first migration started from an empty schema, each one started where the previous one ended,
// and the live schema still hashes to what the last one left, then the live schema is what the
// applied migrations produce and no replay is needed. Otherwise the first link where the hashes
// differ says when the schema was changed outside the migrations.
//
// Example: 0001 and 0002 applied, an index created by hand, then 0003 applied:
//   HashChainVerdict{.unchanged = false,
//                    .since = "between migrations '0002' and '0003' (the schema_before of '0003' "
//                             "is not the schema_after of '0002')"}
#ifndef DOCTOR_MIGRATIONS_DRIFT_HASHES_H_
#define DOCTOR_MIGRATIONS_DRIFT_HASHES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/sqlite.h"

namespace doctor::migrations {

// One doctor_migrations row, in apply order.
struct HashLink {
  std::string name;
  std::string kind;                   // apply | baseline | adopted | revert
  std::optional<std::string> before;  // schema_before (nullopt: not recorded)
  std::optional<std::string> after;   // schema_after
};

struct HashChainVerdict {
  // The hashes prove the live schema is what the applied migrations produce: every row ran
  // (apply), every hash is recorded, the chain starts at the empty schema and ends at the live one.
  bool unchanged = false;
  // Where the hashes first show a change made outside the migrations ("" when they show none
  // or cannot tell).
  std::string since;
};

// Every row of doctor_migrations in apply order (empty when the journal does not exist).
absl::StatusOr<std::vector<HashLink>> LoadHashChain(sqlite3* db);

// Pure: the verdict for `chain` given the hash of an empty schema and of the live one.
HashChainVerdict CheckHashChain(const std::vector<HashLink>& chain, const std::string& empty_hash,
                                const std::string& live_hash);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_DRIFT_HASHES_H_
