#include "ext/core/testing_areas.h"

#include <string>

#include "ext/core/register.h"
#include "ext/core/sqlite.h"
#include "ext/core/testing_entry.h"

SQLITE_EXTENSION_INIT1  // the test binary has no doctor.cc: the api pointer lives here

namespace doctor::testing {
namespace {

int InitAreas(sqlite3* db, char** error_message, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  absl::Status status = RegisterAreas(db, AreasUnderTest());
  if (status.ok()) return SQLITE_OK;
  if (error_message != nullptr) {
    *error_message = sqlite3_mprintf("%s", std::string(status.message()).c_str());
  }
  return SQLITE_ERROR;
}

}  // namespace

namespace internal {

AutoExtension EntryPointForTests() { return reinterpret_cast<AutoExtension>(InitAreas); }

}  // namespace internal
}  // namespace doctor::testing
