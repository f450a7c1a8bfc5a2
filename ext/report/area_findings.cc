#include "ext/report/area_findings.h"

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor::report {
namespace {

// Litestream keeps a _litestream_seq table and drives checkpoints itself.
absl::Status CheckLitestream(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT count(*) FROM pragma_table_list WHERE schema = ?1 AND "
                                    "name = '_litestream_seq'",
                                    {Value(schema)}));
  if (rows.empty() || rows[0][0].AsInt() == 0) return absl::OkStatus();
  out.push_back({"wal", Severity::kInfo, schema,
                 "Litestream replicates this database (_litestream_seq is present): it holds a "
                 "read transaction and runs checkpoints itself, so a WAL that grows between its "
                 "syncs is expected",
                 "leave checkpoints to Litestream; run doctor_checkpoint only if it is stopped",
                 std::nullopt, 0});
  return absl::OkStatus();
}

}  // namespace

absl::Status AddAreaFindings(Connection& c, const std::string& schema,
                             std::vector<Finding>& findings) {
  RETURN_IF_ERROR(CheckLitestream(c, schema, findings));
  return absl::OkStatus();
}

}  // namespace doctor::report
