#include "ext/report/finding.h"

#include <algorithm>
#include <tuple>

namespace doctor::report {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "critical";
    case Severity::kWarn:
      return "warn";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

void SortFindings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::make_tuple(static_cast<int>(a.severity), -a.impact, a.area, a.object) <
           std::make_tuple(static_cast<int>(b.severity), -b.impact, b.area, b.object);
  });
}

}  // namespace doctor::report
