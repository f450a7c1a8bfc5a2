// Turns what was read about one database (wal-index header, shm lock holders, pragmas, WAL file
// size) into wal_health's derived columns, a status (ok | warn | critical | n/a) and advice
// sentences. Pure: no SQLite, no I/O, so every rule is unit-tested.
//
// Example:
//   WalFacts facts;  facts.journal_mode = "wal";  facts.index = index;  facts.locks = locks; ...
//   Health h = Assess(facts);   // h.status == "warn", h.advice == {"a reader in another ..."}
#ifndef DOCTOR_WAL_HEALTH_H_
#define DOCTOR_WAL_HEALTH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ext/wal/shm_locks.h"
#include "ext/wal/wal_index.h"

namespace doctor::wal {

// Thresholds, in multiples of the autocheckpoint (1000 frames when autocheckpoint is off).
constexpr int64_t kWarnPendingFactor = 4;
constexpr int64_t kCriticalPendingFactor = 20;
constexpr uint64_t kCriticalWalBytes = uint64_t{1} << 30;  // 1 GiB
constexpr uint64_t kBloatWalBytes = uint64_t{64} << 20;    // 64 MiB
// The wait advised for a checkpoint that needs the readers gone (TRUNCATE): it holds the write
// lock while it waits, so without a bound the application's writes wait for the checkpointing
// connection's whole busy timeout (measured: 5045 ms for one better-sqlite3 insert behind an
// unbounded TRUNCATE from another better-sqlite3 process, 194 ms behind one bounded at 250 ms).
constexpr int64_t kAdvisedCheckpointWaitMs = 250;

struct WalFacts {
  std::string journal_mode;  // lower case, from PRAGMA journal_mode
  std::string schema_literal;  // the schema name as a SQL literal ('main'), for advice to run
  bool in_memory = false;    // no file (":memory:", "" or a memdb)
  bool temp = false;         // the temp schema
  bool immutable = false;    // opened with immutable=1: SQLite reads the database file only
  bool read_only = false;
  bool exclusive = false;    // locking_mode=EXCLUSIVE: the wal-index is private (heap memory)
  std::string synchronous;   // OFF | NORMAL | FULL | EXTRA
  int64_t autocheckpoint = 1000;
  int64_t journal_size_limit = -1;
  std::optional<uint64_t> wal_bytes;   // size of the -wal file (0 when absent)
  std::optional<WalIndex> index;       // a usable wal-index header, when one could be read
  std::string index_problem;           // why there is none
  std::string read_problem;            // the database itself could not be read (any mode)
  std::optional<ShmLocks> locks;       // shm lock holders, when they could be probed
  std::string locks_problem;           // why not
  // The connection reading wal_health holds a read transaction only for that statement (it is
  // in autocommit mode): its own read lock is not a reader to report.
  bool own_statement_reader = false;
};

struct Health {
  std::optional<int64_t> wal_frames;          // mxFrame
  std::optional<int64_t> backfilled_frames;   // nBackfill
  std::optional<int64_t> pending_frames;      // mxFrame - nBackfill
  std::optional<int64_t> readers;             // read-lock slots currently held
  std::optional<int64_t> oldest_reader_frame; // smallest snapshot (read mark) among them
  std::string status;                         // ok | warn | critical | n/a
  std::vector<std::string> advice;            // one sentence per problem
};

Health Assess(const WalFacts& facts);

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_HEALTH_H_
