#ifndef DOCTOR_EXT_MIGRATIONS_FAILURE_HINT_H_
#define DOCTOR_EXT_MIGRATIONS_FAILURE_HINT_H_

#include <string>

namespace doctor::migrations {

// SQLite's message for a migration statement that failed, with what to do about it when the
// cause is a known one (a reading statement on the connection, a view or trigger in a rebuild's
// way, a rebuild that copies a generated column, a foreign key SQLite cannot use). migrate() and
// migrate_check say the same.
std::string WithFailureHint(const std::string& message);

}  // namespace doctor::migrations

#endif  // DOCTOR_EXT_MIGRATIONS_FAILURE_HINT_H_
