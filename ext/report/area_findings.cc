#include "ext/report/area_findings.h"

namespace doctor::report {

absl::Status AddAreaFindings(Connection&, const std::string&, std::vector<Finding>&) {
  return absl::OkStatus();
}

}  // namespace doctor::report
