// One finding of doctor_report, and the order findings are shown in. Pure C++.
#ifndef DOCTOR_REPORT_FINDING_H_
#define DOCTOR_REPORT_FINDING_H_

#include <optional>
#include <string>
#include <vector>

namespace doctor::report {

enum class Severity { kCritical = 0, kWarn = 1, kInfo = 2 };

const char* SeverityName(Severity s);

struct Finding {
  std::string area;  // timing | wal | locks | migrations | indexes | schema | sqlite
  Severity severity;
  std::string object;   // table, index, query id, file
  std::string finding;  // one plain sentence with the numbers
  std::string advice;   // what to do
  std::optional<std::string> fix_sql;
  double impact = 0;  // orders findings of one severity: bigger first (rows, bytes, ms)
};

// Most severe first, then by impact, then stable by area and object.
void SortFindings(std::vector<Finding>& findings);

}  // namespace doctor::report

#endif  // DOCTOR_REPORT_FINDING_H_
