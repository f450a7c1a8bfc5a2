// Whether a statement calls sqlite-doctor itself (one of the functions or tables the loaded
// areas declare): such a statement is the user asking the doctor, not the application's
// workload, so workload readers (migrate_check's replay, doctor_report) skip it.
//
// Example:
//   CallsTheExtension(connection, "SELECT * FROM query_stats") == true
#ifndef DOCTOR_CORE_EXTENSION_OBJECTS_H_
#define DOCTOR_CORE_EXTENSION_OBJECTS_H_

#include "absl/strings/string_view.h"
#include "ext/core/connection.h"

namespace doctor {

// True when `name` (any case) is a function or table of an area loaded on `connection`.
bool IsExtensionObject(const Connection& connection, absl::string_view name);

// True when a bare or quoted name in `sql` is one of the extension's objects.
bool CallsTheExtension(const Connection& connection, absl::string_view sql);

}  // namespace doctor

#endif  // DOCTOR_CORE_EXTENSION_OBJECTS_H_
