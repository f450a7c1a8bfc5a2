// Who holds the WAL's shm locks (bytes 120..127 of the -shm file), probed without taking any lock
// and without ever closing a descriptor of the file.
//
// Why the care: closing ANY descriptor of a file drops every POSIX lock this process holds on it
// (howtocorrupt.html §2.2), which would silently release the application's WAL read locks. So
// the probe opens ONE read-only descriptor per -shm file (per inode) the first time it is asked
// about it and keeps it open for the life of the process, in a mutex-guarded registry (bounded:
// after kMaxProbedFiles files it refuses instead of opening more).
//
// How: for each lock byte two queries that never change anything:
//   - F_GETLK (classic POSIX): sees locks of OTHER processes only (a process never conflicts with
//     its own POSIX locks), and reports the holder's pid.
//   - F_OFD_GETLK (Linux >= 3.15, open-file-description locks): conflicts with every POSIX lock,
//     this process's included, so it also sees the locks of this process's own connections.
// A byte held by someone but not by another process is held by this process. When both this
// and another process hold the same shared byte, only "another process" is seen.
//
// Example:
//   absl::StatusOr<ShmLocks> locks = ProbeShmLocks("/data/app.db-shm");
//   if (locks.ok() && locks->lock[ReadLock(0)].held()) ...
#ifndef DOCTOR_WAL_SHM_LOCKS_H_
#define DOCTOR_WAL_SHM_LOCKS_H_

#include <sys/types.h>

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "ext/wal/wal_index_format.h"

namespace doctor::wal {

struct LockHolder {
  bool by_other_process = false;  // F_GETLK saw it
  pid_t other_pid = 0;            // one holder's pid (one of several, for shared locks)
  bool exclusive = false;         // the lock seen is a write (exclusive) lock
  bool by_this_process = false;   // F_OFD_GETLK saw it and no other process did
  bool held() const { return by_other_process || by_this_process; }
};

struct ShmLocks {
  std::array<LockHolder, kShmLocks> lock;  // index: kWriteLock, kCkptLock, kRecoverLock, ReadLock(i)
  bool own_locks_visible = false;  // F_OFD_GETLK worked, so by_this_process is meaningful
  bool other_connections = false;  // another process has the database open (DMS byte held)
};

constexpr int kMaxProbedFiles = 256;

// Probes the -shm file at `shm_path`. Errors: the file does not exist, cannot be opened, or too
// many distinct files were probed already.
absl::StatusOr<ShmLocks> ProbeShmLocks(const std::string& shm_path);

// Descriptors the registry holds open (for tests: it never shrinks).
int ProbedFileCount();

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_SHM_LOCKS_H_
