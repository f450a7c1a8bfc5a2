#include "absl/strings/str_cat.h"
#include "ext/core/platform.h"
#include "ext/meta/meta_internal.h"

namespace doctor::meta {

// SQLite unloads an extension when the connection that loaded it closes; an auto-extension
// pointing into unmapped code would then crash the next sqlite3_open. So the library is pinned
// first (core PinnedEntryPoint: RTLD_NODELETE, or GetModuleHandleEx's PIN on Windows), and the
// entry point is taken from the pinned library.
absl::StatusOr<Value> Autoload(FunctionCall&) {
  absl::StatusOr<void*> entry =
      PinnedEntryPoint(reinterpret_cast<const void*>(&Autoload), "sqlite3_doctor_init");
  if (!entry.ok()) return entry.status();
  int rc = sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(*entry));
  if (rc != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite3_auto_extension: ", sqlite3_errstr(rc)));
  }
  return Value("autoload on: every connection this process opens from now on has sqlite-doctor");
}

}  // namespace doctor::meta
