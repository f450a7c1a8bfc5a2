// The SQLite API as the extension sees it: every call goes through the sqlite3_api table of the
// SQLite that loaded us, never a linked copy of SQLite (two copies in one process break locking).
#ifndef DOCTOR_CORE_SQLITE_H_
#define DOCTOR_CORE_SQLITE_H_

#include <sqlite3ext.h>

SQLITE_EXTENSION_INIT3

namespace doctor {

// True when the running SQLite is at least `version` (e.g. 3044000): guard every newer API with it.
inline bool SqliteAtLeast(int version) { return sqlite3_libversion_number() >= version; }

}  // namespace doctor

#endif  // DOCTOR_CORE_SQLITE_H_
