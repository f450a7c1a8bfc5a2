#include "ext/wal/shm_locks.h"

#include "absl/strings/str_cat.h"

#if defined(_WIN32)

namespace doctor::wal {

// Windows: SQLite locks the -shm with LockFileEx, and Windows has no call that tells who holds a
// byte without taking the lock itself (which could make the application's own connection fail
// with SQLITE_BUSY). The probe is not supported there; wal_health says so in its lock columns.
absl::StatusOr<ShmLocks> ProbeShmLocks(const std::string& shm_path) {
  return absl::UnimplementedError(
      "-shm lock holders are not supported on Windows (LockFileEx locks cannot be queried "
      "without taking them)");
}

int ProbedFileCount() { return 0; }

}  // namespace doctor::wal

#else  // POSIX

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

// Open-file-description locks are Linux's (>= 3.15). Elsewhere (macOS, the BSDs) this process's
// own locks stay invisible, as on an old Linux kernel: own_locks_visible says so.
#if defined(__linux__)
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36  // Linux ABI value; glibc only defines it with _GNU_SOURCE
#endif
constexpr bool kHasOfdLocks = true;
#else
#define F_OFD_GETLK F_GETLK  // never used: kHasOfdLocks is false
constexpr bool kHasOfdLocks = false;
#endif

namespace doctor::wal {
namespace {

using FileKey = std::pair<dev_t, ino_t>;

struct Registry {
  absl::Mutex mu;
  // Descriptors are never closed: see the header. Keyed by inode, so a -shm file that was
  // deleted and re-created gets a descriptor of its own.
  absl::flat_hash_map<FileKey, int> fds ABSL_GUARDED_BY(mu);
};

Registry& GetRegistry() {
  static Registry* registry = new Registry;  // never destroyed: its descriptors stay open
  return *registry;
}

absl::StatusOr<int> DescriptorFor(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot stat ", path, ": ", strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {  // a FIFO would block open() for ever; a device is no -shm
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a regular file"));
  }
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  auto it = r.fds.find(FileKey(st.st_dev, st.st_ino));
  if (it != r.fds.end()) return it->second;
  if (static_cast<int>(r.fds.size()) >= kMaxProbedFiles) {
    return absl::ResourceExhaustedError(
        absl::StrCat("already probing ", kMaxProbedFiles, " -shm files in this process"));
  }
  // O_NONBLOCK: should the path have become a FIFO since the stat, open() must not wait.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat("cannot open ", path, ": ", strerror(errno)));
  }
  struct stat opened;
  if (fstat(fd, &opened) != 0 || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
    // Replaced between stat and open: keep the descriptor anyway (closing is never safe) under
    // the inode it really has.
    if (fstat(fd, &opened) == 0) r.fds.emplace(FileKey(opened.st_dev, opened.st_ino), fd);
    return absl::UnavailableError(absl::StrCat(path, " was replaced while being opened"));
  }
  r.fds.emplace(FileKey(st.st_dev, st.st_ino), fd);
  return fd;
}

// Queries one byte; returns the conflicting lock's type (F_UNLCK when free) or -1.
int Query(int fd, int cmd, off_t byte, pid_t* pid) {
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;  // conflicts with any lock, shared or exclusive
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  fl.l_pid = 0;  // required by F_OFD_GETLK
  if (fcntl(fd, cmd, &fl) != 0) return -1;
  if (pid != nullptr) *pid = fl.l_pid;
  return fl.l_type;
}

}  // namespace

absl::StatusOr<ShmLocks> ProbeShmLocks(const std::string& shm_path) {
  auto fd = DescriptorFor(shm_path);
  if (!fd.ok()) return fd.status();
  ShmLocks out;
  out.own_locks_visible = true;
  for (int i = 0; i < kShmLocks; ++i) {
    const off_t byte = kShmLockBase + i;
    LockHolder& h = out.lock[i];
    pid_t pid = 0;
    int type = Query(*fd, F_GETLK, byte, &pid);
    if (type < 0) {
      return absl::InternalError(absl::StrCat("F_GETLK on ", shm_path, ": ", strerror(errno)));
    }
    if (type != F_UNLCK) {
      h.by_other_process = true;
      h.other_pid = pid;
      h.exclusive = type == F_WRLCK;
    }
    if (!kHasOfdLocks) out.own_locks_visible = false;
    if (!out.own_locks_visible) continue;
    int any = Query(*fd, F_OFD_GETLK, byte, nullptr);
    if (any < 0) {
      out.own_locks_visible = false;  // old kernel: this process's locks stay invisible
      continue;
    }
    if (any != F_UNLCK && !h.by_other_process) {
      h.by_this_process = true;
      h.exclusive = any == F_WRLCK;
    }
  }
  const int dms = Query(*fd, F_GETLK, kDmsLockByte, nullptr);
  out.other_connections = dms >= 0 && dms != F_UNLCK;
  if (!out.own_locks_visible) {
    for (LockHolder& h : out.lock) h.by_this_process = false;
  }
  return out;
}

int ProbedFileCount() {
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  return static_cast<int>(r.fds.size());
}

}  // namespace doctor::wal

#endif  // POSIX
