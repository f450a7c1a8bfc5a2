// Registers a list of areas on a connection: functions, tables, then each area's attach step.
#ifndef DOCTOR_CORE_REGISTER_H_
#define DOCTOR_CORE_REGISTER_H_

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "ext/core/area.h"
#include "ext/core/setting.h"

namespace doctor {

// The oldest SQLite the extension runs on (DIRECTONLY/INNOCUOUS and the vtab configs it needs).
inline constexpr int kMinimumSqliteVersion = 3037000;

absl::Status RegisterAreas(sqlite3* db, absl::Span<const Area* const> areas);

// The setting called `name` in any of `areas`, or nullptr.
Setting* FindSetting(absl::Span<const Area* const> areas, absl::string_view name);

}  // namespace doctor

#endif  // DOCTOR_CORE_REGISTER_H_
