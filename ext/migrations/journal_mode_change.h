// PRAGMA journal_mode = X in a migration while the database is not in mode X: SQLite cannot change
// the journal mode inside the transaction a migration runs in (it refuses a change to or from WAL
// and ignores any change once the transaction has written), so the migration would not do what it
// says. migrate() refuses it before anything runs, and migrate_check says so; the mode the file
// already has runs as a no-op.
//
// Example:
//   ASSIGN_OR_RETURN(std::string mode, JournalModeOf(c.db()));  // the database's, not a copy's
//   const std::string why = JournalModeChangeRefusal(statements[i], mode);
//   if (!why.empty()) ...  // "statement 2 of 3 (PRAGMA journal_mode = WAL;) " + why
#ifndef DOCTOR_MIGRATIONS_JOURNAL_MODE_CHANGE_H_
#define DOCTOR_MIGRATIONS_JOURNAL_MODE_CHANGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "ext/core/sqlite.h"

namespace doctor::migrations {

// The journal mode of `db`'s main database ("delete", "wal", ...).
absl::StatusOr<std::string> JournalModeOf(sqlite3* db);

// Why `statement` cannot run inside a migration on a database in journal mode `mode` ("cannot
// run inside a migration: the journal mode (now delete) cannot change ..."), or "" when it is not
// such a change.
std::string JournalModeChangeRefusal(const std::string& statement, const std::string& mode);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_JOURNAL_MODE_CHANGE_H_
