// The busy handler behind lock_stats: SQLite's own busy-timeout schedule (main.c,
// sqliteDefaultBusyCallback: sleeps of 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms, then
// 100 ms, until the timeout is spent), so installing it changes no behaviour, plus counters.
// Pure: the SQL glue sleeps and measures; this decides and counts.
#ifndef DOCTOR_WAL_BUSY_H_
#define DOCTOR_WAL_BUSY_H_

#include <cstdint>

namespace doctor::wal {

// How long to sleep before retry number `count` (0-based, as SQLite passes it) with a timeout of
// `timeout_ms`; 0 means give up (the caller gets SQLITE_BUSY). Same figures as SQLite's.
int BusyDelayMs(int count, int64_t timeout_ms);

// Busy-handler counters: of one connection, or of one database file (all its connections).
struct BusyCounters {
  int64_t waits = 0;            // lock waits: handler calls with count 0
  int64_t retries = 0;          // handler calls that slept and retried
  double wait_ms = 0;           // time slept, all waits
  double longest_wait_ms = 0;   // the longest single wait (all its sleeps)
  int64_t busy_errors = 0;      // waits that gave up: SQLITE_BUSY reached the application

  // One handler call: `count` as SQLite passes it, `slept_ms` the time actually slept (0 when
  // giving up), `gave_up` when the handler returned 0; `wait_so_far_ms` is the wait's time
  // including this call (for longest_wait_ms).
  void OnCall(int count, double slept_ms, bool gave_up, double wait_so_far_ms);
  // Adds `other`: sums, and the larger longest wait.
  void Merge(const BusyCounters& other);
};

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_BUSY_H_
