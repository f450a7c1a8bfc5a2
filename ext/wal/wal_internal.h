// The WAL area's SQL glue, one file per object; wal.cc declares them to SQL.
#ifndef DOCTOR_WAL_WAL_INTERNAL_H_
#define DOCTOR_WAL_WAL_INTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "ext/core/function.h"
#include "ext/core/setting.h"
#include "ext/core/table.h"
#include "ext/wal/wal_index.h"

namespace doctor::wal {

extern Setting kBusyTimeoutMs;
extern Setting kCheckpointHistory;

absl::StatusOr<Rows> WalHealth(TableCall& call);         // wal_health.cc
absl::StatusOr<Value> Checkpoint(FunctionCall& call);    // checkpoint.cc
absl::StatusOr<Rows> WalCheckpoints(TableCall& call);    // checkpoint.cc
absl::StatusOr<Rows> LockStats(TableCall& call);         // lock_stats.cc
absl::StatusOr<Rows> LockStatsConnections(TableCall& call);  // lock_stats.cc
absl::Status Attach(Connection& connection);             // lock_stats.cc

// Installs doctor's counting busy handler on the connection when busy_timeout_ms >= 0 and it is
// not installed yet, and publishes the connection's files and handler state to lock_stats
// (lock_stats.cc). Runs SQL on the connection.
void EnsureBusyHandler(Connection& connection);

// An optional as a SQL value: NULL when empty.
template <typename T>
Value Opt(const std::optional<T>& v) {
  return v ? Value(*v) : Value::Null();
}

// Shared by the objects (wal_sql.cc).
// The attached schemas, in order ("main", "temp" if present, then attached ones).
absl::StatusOr<std::vector<std::string>> Schemas(Connection& connection);
// `wanted` as the connection spells it, or a NotFound error naming the attached schemas.
absl::StatusOr<std::string> ResolveSchema(Connection& connection, const std::string& wanted);
// The -wal file's size (0 when absent); nullopt when the database has no file.
std::optional<uint64_t> WalBytes(sqlite3* db, const std::string& schema);
// The wal-index header of the schema's database, read through SQLite's own shared-memory
// mapping (SQLITE_FCNTL_FILE_POINTER, then xShmMap of region 0 without extending it). Only call
// when the schema is in WAL mode, not in EXCLUSIVE locking mode, and has been read at least once
// (so the mapping exists). nullopt with `problem` set when it cannot be read or is not usable.
std::optional<WalIndex> ReadIndex(sqlite3* db, const std::string& schema, std::string* problem);

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_WAL_INTERNAL_H_
