#include <nlohmann/json.hpp>

#include "ext/meta/build_info.h"
#include "ext/meta/meta_internal.h"
#include "ext/meta/version.h"

namespace doctor::meta {

absl::StatusOr<Value> Version(FunctionCall&) { return Value(kDoctorVersion); }

absl::StatusOr<Value> Debug(FunctionCall&) {
  nlohmann::json info = {
      {"version", kDoctorVersion},
      {"commit", BuildCommit()},
      {"build_date", BuildDate()},
#if defined(__clang__)
      {"compiler", "clang " __clang_version__},
#else
      {"compiler", "gcc " __VERSION__},
#endif
      {"sqlite_compiled", SQLITE_VERSION},
      {"sqlite_runtime", sqlite3_libversion()},
      {"sqlite_runtime_source_id", sqlite3_sourceid()},
  };
  return Value(info.dump());
}

}  // namespace doctor::meta
