// doctor_html: the whole picture as one self-contained HTML page, built from the same tables the
// user can query (doctor_report, query_stats, slow_queries, wal_health, wal_checkpoints,
// lock_stats, lock_stats_connections, index_advise, migration_status), through core Query.
//
//   sqlite3 app.db -cmd '.load ./doctor' "SELECT doctor_html()" > doctor.html
//   SELECT doctor_html('main', 'drizzle');   -- with a migration folder's pending migrations
//
// Sections: findings (each fix SQL with a copy button), top queries (sortable; latency histogram
// and plan), the slow log, the WAL and its checkpoints, lock waits, index advice (plans before
// and after), migrations. An area that is not built in, or a table that cannot be read, leaves a
// note in its section instead of failing the page.
#ifndef DOCTOR_REPORT_HTML_REPORT_H_
#define DOCTOR_REPORT_HTML_REPORT_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"

namespace doctor::report {

// The page for one attached schema; `migrations`: a migration folder, as for doctor_report.
absl::StatusOr<std::string> HtmlReport(Connection& connection, const std::string& schema,
                                       const std::optional<std::string>& migrations);

}  // namespace doctor::report

#endif  // DOCTOR_REPORT_HTML_REPORT_H_
