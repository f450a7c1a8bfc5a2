#include "ext/migrations/failure_hint.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace doctor::migrations {

std::string WithFailureHint(const std::string& message) {
  if (absl::StrContains(message, "database table is locked")) {
    return absl::StrCat(message,
                        " (another statement on this connection is still reading, e.g. the query "
                        "that called this function reads tables: call it in a statement of its "
                        "own, SELECT migrate_dir('...'))");
  }
  if (absl::StrContains(message, "error in view ") || absl::StrContains(message, "error in trigger ")) {
    return absl::StrCat(message,
                        " (a view or trigger that uses the table is in the way of the rebuild's "
                        "RENAME: drop it before and recreate it after in the migration, or run "
                        "with PRAGMA legacy_alter_table=ON)");
  }
  if (absl::StrContains(message, "cannot INSERT into generated column")) {
    return absl::StrCat(message,
                        " (its value is computed, never copied; drizzle-kit 0.31's table rebuilds "
                        "copy generated columns too: in the migration, remove the generated column "
                        "from the INSERT's column list and from its SELECT)");
  }
  if (absl::StrContains(message, "foreign key mismatch")) {
    return absl::StrCat(message,
                        " (a foreign key of the first table references columns of the second that "
                        "are neither its PRIMARY KEY nor UNIQUE: with foreign keys on, SQLite "
                        "refuses every write that needs the key; migrate_check names it, as "
                        "fk_mismatch, with how to fix it)");
  }
  return message;
}

}  // namespace doctor::migrations
