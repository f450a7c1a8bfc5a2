// sqlite-doctor's entry point: `.load ./doctor` finds sqlite3_doctor_init by the file's name.
// It only registers; every area lives in its own folder.
#include <atomic>
#include <new>
#include <string>

#include "ext/indexes/indexes_sql.h"
#include "ext/core/platform.h"
#include "ext/core/register.h"
#include "ext/core/sqlite.h"
#include "ext/meta/meta.h"
#include "ext/report/report.h"
#include "ext/timing/timing.h"
#include "ext/wal/wal.h"
#include "ext/migrations/migrate.h"

SQLITE_EXTENSION_INIT1

namespace doctor {
namespace {

const Area* const kAreas[] = {
    &kMetaArea,
    &kTimingArea,
    &kWalArea,
    &kMigrationsArea,
    &kIndexesArea,
    &kReportArea,  // last: it reads the other areas' tables
};

}  // namespace
}  // namespace doctor

extern "C" DOCTOR_EXPORT int sqlite3_doctor_init(
    sqlite3* db, char** error_message, const sqlite3_api_routines* api) {
  // sqlite3_api is one global: the extension binds to the first SQLite library that loads it.
  // A second, different SQLite library in the same process (better-sqlite3 and libsql side by
  // side) would have its connections driven by the wrong library's code, so it is refused.
  static std::atomic<const sqlite3_api_routines*> bound{nullptr};
  const sqlite3_api_routines* expected = nullptr;
  if (!bound.compare_exchange_strong(expected, api) && expected != api) {
    if (error_message != nullptr) {
      *error_message = api->mprintf(
          "sqlite-doctor: this process already uses it with another SQLite library (%s); "
          "one process can use it with one SQLite library only",
          expected->libversion());
    }
    return SQLITE_ERROR;
  }
  if (expected == nullptr) SQLITE_EXTENSION_INIT2(api);
  // No C++ exception may cross into SQLite (registration allocates).
  try {
    absl::Status status = doctor::RegisterAreas(db, doctor::kAreas);
    if (!status.ok()) {
      if (error_message != nullptr) {
        *error_message = sqlite3_mprintf("sqlite-doctor: %s", std::string(status.message()).c_str());
      }
      return SQLITE_ERROR;
    }
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (...) {
    if (error_message != nullptr) *error_message = sqlite3_mprintf("sqlite-doctor: unexpected failure");
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}
