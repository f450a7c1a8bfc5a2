// sqlite-doctor's entry point: `.load ./doctor` finds sqlite3_doctor_init by the file's name.
// It only registers; every area lives in its own folder.
#include <mutex>

#include "ext/core/register.h"
#include "ext/core/sqlite.h"
#include "ext/meta/meta.h"

SQLITE_EXTENSION_INIT1

namespace doctor {
namespace {

const Area* const kAreas[] = {
    &kMetaArea,
};

}  // namespace
}  // namespace doctor

extern "C" __attribute__((visibility("default"))) int sqlite3_doctor_init(
    sqlite3* db, char** error_message, const sqlite3_api_routines* api) {
  // Every load passes the same table; set it once so concurrent loads do not race.
  static std::once_flag api_once;
  std::call_once(api_once, [api] { SQLITE_EXTENSION_INIT2(api); });
  absl::Status status = doctor::RegisterAreas(db, doctor::kAreas);
  if (!status.ok()) {
    if (error_message != nullptr) {
      *error_message = sqlite3_mprintf("sqlite-doctor: %s", std::string(status.message()).c_str());
    }
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}
