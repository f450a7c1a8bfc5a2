// Findings of the other areas, read through their SQL tables (the report depends on their SQL
// interface, not their code). An area that is not built in is skipped.
#ifndef DOCTOR_REPORT_AREA_FINDINGS_H_
#define DOCTOR_REPORT_AREA_FINDINGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ext/core/connection.h"
#include "ext/report/finding.h"

namespace doctor::report {

absl::Status AddAreaFindings(Connection& connection, const std::string& schema,
                             std::vector<Finding>& findings);

}  // namespace doctor::report

#endif  // DOCTOR_REPORT_AREA_FINDINGS_H_
