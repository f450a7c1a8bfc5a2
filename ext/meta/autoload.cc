#include <dlfcn.h>

#include "absl/strings/str_cat.h"
#include "ext/meta/meta_internal.h"

namespace doctor::meta {

// SQLite dlclose()s an extension when the connection that loaded it closes; an auto-extension
// pointing into unmapped code would then crash the next sqlite3_open. So the library is pinned
// first (RTLD_NODELETE), and the entry point is taken from the pinned handle.
absl::StatusOr<Value> Autoload(FunctionCall&) {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&Autoload), &info) == 0 || info.dli_fname == nullptr) {
    return absl::InternalError("cannot find the extension's own library file");
  }
  void* handle = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  if (handle == nullptr) {
    return absl::InternalError(absl::StrCat("cannot pin ", info.dli_fname, ": ", dlerror()));
  }
  void* entry = dlsym(handle, "sqlite3_doctor_init");
  dlclose(handle);  // NODELETE keeps it mapped; this only drops our extra reference
  if (entry == nullptr) {
    return absl::InternalError(absl::StrCat("no sqlite3_doctor_init in ", info.dli_fname));
  }
  int rc = sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(entry));
  if (rc != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite3_auto_extension: ", sqlite3_errstr(rc)));
  }
  return Value("autoload on: every connection this process opens from now on has sqlite-doctor");
}

}  // namespace doctor::meta
