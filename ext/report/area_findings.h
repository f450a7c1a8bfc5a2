// Findings of the other areas, read through their SQL tables (the report depends on their SQL
// interface, not their code; a migration folder is read with the migrate area's folder reader).
// An area that is not built in is skipped.
#ifndef DOCTOR_REPORT_AREA_FINDINGS_H_
#define DOCTOR_REPORT_AREA_FINDINGS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ext/core/connection.h"
#include "ext/report/finding.h"

namespace doctor::report {

// `migrations`: a migration folder to check for pending, changed and risky migrations.
absl::Status AddAreaFindings(Connection& connection, const std::string& schema,
                             const std::optional<std::string>& migrations,
                             std::vector<Finding>& findings);

}  // namespace doctor::report

#endif  // DOCTOR_REPORT_AREA_FINDINGS_H_
