// Query timing: pg_stat_statements for SQLite (see README.md in this folder).
#ifndef DOCTOR_TIMING_TIMING_H_
#define DOCTOR_TIMING_TIMING_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ext/core/area.h"
#include "ext/core/statement_kind.h"

namespace doctor {

extern const Area kTimingArea;

namespace timing {

// For other areas (the locks helper in ext/wal): the failed runs of one query shape in this
// process, by result code. Only what the trace API shows is counted: runs whose step returned
// SQLITE_BUSY or an extended BUSY code (README, "errors"). A BUSY_SNAPSHOT on a write is the
// upgrade of a deferred transaction that had read an older snapshot.
//
// Example:
//   for (const QueryErrors& q : ProcessQueryErrors())
//     if (IsWrite(q.kind)) for (auto& [code, n] : q.by_code) if (code == "BUSY_SNAPSHOT") ...
struct QueryErrors {
  int64_t query_id = 0;
  std::string query;  // normalized text (query_stats.query)
  std::string db;     // database file
  StatementKind kind = StatementKind::kOther;
  std::vector<std::pair<std::string, int64_t>> by_code;  // e.g. {{"BUSY_SNAPSHOT", 55}}
};

// Every query shape of this process with at least one failed run since its last flush or reset
// (process memory, every connection's pending runs included; sidecars are not read). Thread-safe.
std::vector<QueryErrors> ProcessQueryErrors();

}  // namespace timing

}  // namespace doctor

#endif  // DOCTOR_TIMING_TIMING_H_
