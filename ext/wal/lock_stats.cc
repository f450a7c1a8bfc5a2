// lock_stats and lock_stats_connections: what LockRegistry counted, per file and per connection.
// Reading either first brings the asking connection's busy handler and files up to date
// (SyncBusyHandler, busy_handler.cc).
#include <string>
#include <vector>

#include "ext/wal/lock_registry.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {

absl::Status Attach(Connection& connection) {
  SyncBusyHandler(connection);
  return absl::OkStatus();
}

absl::StatusOr<Rows> LockStats(TableCall& call) {
  const std::vector<FileDb> mine = SyncBusyHandler(call.connection()).files;
  Rows out;
  for (const LockRegistry::FileRow& r : LockRegistry::Get().Files()) {
    Value schema = Value::Null();
    for (const FileDb& f : mine) {
      if (r.file && f.file == *r.file) schema = Value(f.schema);
    }
    const BusyCounters& k = r.counters;
    out.push_back({r.file ? Value(*r.file) : Value::Null(), schema, r.connections, r.counting,
                   Opt(r.timeout_ms), k.waits, k.retries, k.wait_ms, k.longest_wait_ms,
                   k.busy_errors});
  }
  return out;
}

absl::StatusOr<Rows> LockStatsConnections(TableCall& call) {
  const int64_t me = SyncBusyHandler(call.connection()).id;
  Rows out;
  for (const LockRegistry::ConnectionRow& r : LockRegistry::Get().Connections()) {
    const BusyCounters& k = r.counters;
    out.push_back({r.id, r.id == me ? 1 : 0, r.main_file, r.files,
                   r.counting ? "doctor" : "application", Opt(r.timeout_ms), k.waits,
                   k.retries, k.wait_ms, k.longest_wait_ms, k.busy_errors});
  }
  return out;
}

}  // namespace doctor::wal
