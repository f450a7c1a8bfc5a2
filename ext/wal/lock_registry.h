// What lock_stats shows: busy-handler counts per database file, aggregated over every connection
// of this process that has the file open (main or attached), plus per-connection detail.
// Process-wide, one mutex, pure C++ (no SQLite).
//
// How it works:
//   - Each connection that loads the extension registers (Register) and publishes, from its own
//     thread, the files it has open (SetFiles) and whether doctor's counting handler is in force
//     (SetHandler). The registry never touches a connection's sqlite3*.
//   - Every busy-handler call is recorded twice (OnBusyCall): in the connection's own counters and
//     in the totals of the file the wait was on. The file totals are kept when the connection
//     closes (Unregister only drops the connection's entry), so nothing needs folding.
//   - Bounded: at most `max_files` file totals. A new file beyond that evicts the least recently
//     touched file that no open connection has, else the least recently touched one; its counts
//     go to one "forgotten files" total (FileRow with file = nullopt) and evictions are counted.
//     Connection entries are bounded by the connections themselves (one each, dropped on close).
//
// Example:
//   LockRegistry& r = LockRegistry::Get();
//   int64_t id = r.Register("/data/app.db");
//   r.SetFiles(id, {"/data/app.db", "/data/cache.db"});
//   r.SetHandler(id, true, 5000);
//   r.OnBusyCall(id, "/data/cache.db", 0, 1.0, false);   // waits on cache.db: 1 ms slept
//   for (const auto& row : r.Files()) ...                // one row per file
#ifndef DOCTOR_WAL_LOCK_REGISTRY_H_
#define DOCTOR_WAL_LOCK_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "ext/wal/busy.h"

namespace doctor::wal {

class LockRegistry {
 public:
  static constexpr size_t kMaxFiles = 1024;

  explicit LockRegistry(size_t max_files = kMaxFiles) : max_files_(max_files ? max_files : 1) {}
  // The process-wide registry (never destroyed: connections may close during exit).
  static LockRegistry& Get();

  // A connection opened on `main_file` ('' for in-memory); returns its number: `id` when given
  // (> 0: the extension passes Connection::number()), else the next of 1, 2, ...
  int64_t Register(const std::string& main_file, int64_t id = 0);
  // The connection closed: its entry goes, the file totals stay.
  void Unregister(int64_t id);
  // The files the connection has open now (main and attached; no in-memory or temp ones).
  void SetFiles(int64_t id, std::vector<std::string> files);
  // Whether doctor's counting handler is the connection's busy handler, and its timeout.
  void SetHandler(int64_t id, bool counting, std::optional<int64_t> timeout_ms);
  // One busy-handler call of connection `id` for a wait on `file` ('' when the wait cannot be
  // tied to a file: counted for the connection only). Arguments as BusyCounters::OnCall.
  void OnBusyCall(int64_t id, const std::string& file, int count, double slept_ms, bool gave_up);

  struct FileRow {
    std::optional<std::string> file;  // nullopt: the files forgotten to stay bounded
    int64_t connections = 0;          // open connections that have the file open
    int64_t counting = 0;             // of them, those with doctor's counting handler in force
    std::optional<int64_t> timeout_ms;  // the largest timeout among the counting ones
    BusyCounters counters;            // all waits on the file, closed connections' included
  };
  // One row per file that an open connection has open or that has counts, ordered by file; then
  // the forgotten-files row when something was evicted.
  std::vector<FileRow> Files() const;

  struct ConnectionRow {
    int64_t id = 0;
    std::string main_file;
    int64_t files = 0;   // files it has open (as last published)
    bool counting = false;
    std::optional<int64_t> timeout_ms;
    BusyCounters counters;  // all its waits, whatever the file
  };
  // The open connections, by number.
  std::vector<ConnectionRow> Connections() const;

  int64_t evicted_files() const;
  void Clear();  // for tests

 private:
  struct Conn {
    std::string main_file;
    std::vector<std::string> files;
    bool counting = false;
    std::optional<int64_t> timeout_ms;
    BusyCounters counters;
    std::string wait_file;       // the current wait's file
    double wait_so_far_ms = 0;   // the current wait's time
  };
  struct Totals {
    BusyCounters counters;
    uint64_t touched = 0;
  };
  Totals& TotalsFor(const std::string& file) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_files_;
  mutable absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t clock_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<int64_t, Conn> conns_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Totals> files_ ABSL_GUARDED_BY(mu_);
  BusyCounters forgotten_ ABSL_GUARDED_BY(mu_);
  int64_t evicted_files_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_LOCK_REGISTRY_H_
