// Deciding what a folder's migrations are relative to the journals (pure, no SQLite): applied,
// pending, changed (the file's checksum differs from what was applied), missing (applied, file
// gone). Pending is decided by content (name and checksum), never by a timestamp watermark: a
// drizzle entry older than the newest applied one is still pending, and flagged out of order.
#ifndef DOCTOR_MIGRATE_PLAN_H_
#define DOCTOR_MIGRATE_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ext/core/value.h"
#include "ext/migrate/folder.h"

namespace doctor::migrate {

// The latest doctor_migrations row of one name.
struct JournalRow {
  std::string name;
  std::string checksum;
  std::string kind;  // apply | baseline | adopted | revert
  std::string sql;
  std::string source;
  Value applied_at;
  Value duration_ms;
  std::string origin;  // the file it was applied from ("" when given as text)
};

// One __drizzle_migrations row.
struct DrizzleRow {
  std::string hash;
  std::optional<int64_t> created_at;
};

struct PlanItem {
  std::string name;
  const MigrationFile* file = nullptr;  // nullptr for `missing`
  std::string status;                   // applied | pending | changed | missing
  std::string checksum;                 // the file's, else the journal's
  Value applied_at;
  Value duration_ms;
  std::string note;
  bool adopt = false;         // applied by Drizzle's migrator only: journal it in doctor_migrations
  bool drizzle_only = false;  // applied per doctor_migrations, absent from __drizzle_migrations
};

// `journal` holds the latest row per name; `drizzle` every __drizzle_migrations row. A journal
// row is `missing` only when it was applied from a file of this folder that is gone.
std::vector<PlanItem> MakePlan(const Folder& folder, const std::vector<JournalRow>& journal,
                               const std::vector<DrizzleRow>& drizzle);

}  // namespace doctor::migrate

#endif  // DOCTOR_MIGRATE_PLAN_H_
