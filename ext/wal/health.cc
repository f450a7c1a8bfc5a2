#include "ext/wal/health.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace doctor::wal {
namespace {

enum Level { kOk = 0, kWarn = 1, kCritical = 2 };

const char* LevelName(Level l) {
  switch (l) {
    case kOk: return "ok";
    case kWarn: return "warn";
    case kCritical: return "critical";
  }
  return "ok";
}

// "a reader in another process (pid 42)", "a reader in this process", ...
std::string Who(const LockHolder& h) {
  if (h.by_other_process) {
    return h.other_pid > 0 ? absl::StrCat("a reader in another process (pid ", h.other_pid, ")")
                           : "a reader in another process";
  }
  return "a reader in this process";
}

}  // namespace

std::string HumanBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"KB", "MB", "GB", "TB"};
  if (bytes < 1024) return absl::StrCat(bytes, " bytes");
  double v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

Health Assess(const WalFacts& f) {
  Health h;
  if (f.temp) {
    h.status = "n/a";
    h.advice.push_back("the temp database never uses a WAL.");
    return h;
  }
  if (f.in_memory) {
    h.status = "n/a";
    h.advice.push_back("an in-memory database has no WAL.");
    return h;
  }
  if (f.journal_mode != "wal") {
    h.status = "n/a";
    if (!f.read_problem.empty()) {
      h.advice.push_back(absl::StrCat("the database could not be read: ", f.read_problem, "."));
      return h;
    }
    h.advice.push_back(absl::StrCat("journal_mode is ", f.journal_mode.empty() ? "unknown" : f.journal_mode,
                                    ", not WAL: there is no WAL to watch (PRAGMA journal_mode=WAL "
                                    "lets readers and a writer work at once)."));
    return h;
  }

  Level level = kOk;
  auto raise = [&level](Level l) { level = std::max(level, l); };
  const int64_t threshold = f.autocheckpoint > 0 ? f.autocheckpoint : 1000;
  const uint64_t wal_bytes = f.wal_bytes.value_or(0);

  if (f.read_only) {
    h.advice.push_back("this connection is read-only: it cannot checkpoint, another one must.");
  }
  if (f.exclusive) {
    h.advice.push_back(
        "locking_mode=EXCLUSIVE: the wal-index is private to this connection (no -shm), so frames "
        "and readers are not visible, only the WAL file size.");
  }
  if (!f.index && !f.exclusive) {
    raise(kWarn);
    h.advice.push_back(absl::StrCat("the wal-index could not be read: ",
                                    f.index_problem.empty() ? "unknown reason" : f.index_problem,
                                    "."));
  }

  std::optional<int64_t> pending;
  if (f.index) {
    const WalIndex& ix = *f.index;
    h.wal_frames = ix.header.mx_frame;
    h.backfilled_frames = ix.backfill;
    pending = static_cast<int64_t>(ix.header.mx_frame) - static_cast<int64_t>(ix.backfill);
    h.pending_frames = pending;
  }
  const uint64_t frame_bytes =
      f.index ? f.index->header.page_size + kWalFrameHeaderSize : 0;
  const uint64_t pending_bytes = pending ? static_cast<uint64_t>(*pending) * frame_bytes : 0;

  // Readers: a read mark outlives its reader, so only a held READ lock counts.
  if (f.locks && f.index) {
    int64_t readers = 0;
    std::optional<int64_t> oldest;
    const LockHolder* oldest_holder = nullptr;
    // The statement reading wal_health holds the newest snapshot of this process's slots.
    int own_slot = -1;
    if (f.own_statement_reader) {
      int64_t best = -1;
      for (int i = 0; i < kReaders; ++i) {
        const LockHolder& lh = f.locks->lock[ReadLock(i)];
        if (!lh.by_this_process) continue;
        const uint32_t mark = f.index->read_marks[i];
        const int64_t snapshot = i == 0 ? f.index->backfill
                                        : (mark == kReadMarkNotUsed ? -1 : int64_t{mark});
        if (snapshot > best) {
          best = snapshot;
          own_slot = i;
        }
      }
    }
    for (int i = 0; i < kReaders; ++i) {
      const LockHolder& lh = f.locks->lock[ReadLock(i)];
      // Readers hold READ locks shared; an exclusive one is a writer or checkpointer moving the
      // read mark for an instant, not a reader.
      if (!lh.held() || lh.exclusive || i == own_slot) continue;
      ++readers;
      const uint32_t mark = f.index->read_marks[i];
      int64_t frame;
      if (i == 0) {
        frame = 0;  // READ0: reads the database file only; blocks every backfill
      } else if (mark == kReadMarkNotUsed) {
        continue;
      } else {
        frame = mark;
      }
      if (!oldest || frame < *oldest) {
        oldest = frame;
        oldest_holder = &lh;
      }
    }
    h.readers = readers;
    h.oldest_reader_frame = oldest;
    if (oldest && pending && *pending > 0 && *oldest < h.wal_frames.value_or(0) &&
        *oldest <= h.backfilled_frames.value_or(0)) {
      raise(kWarn);
      h.advice.push_back(absl::StrCat(
          Who(*oldest_holder), " has pinned frame ", *oldest,
          ": checkpoints cannot progress past it while its transaction lasts; ", *pending,
          " frames (", HumanBytes(pending_bytes), ") wait and the WAL is ", HumanBytes(wal_bytes),
          "."));
    }
  } else if (!f.exclusive && f.index) {
    h.advice.push_back(absl::StrCat("readers could not be seen: ",
                                    f.locks_problem.empty() ? "unknown reason" : f.locks_problem,
                                    "."));
  }

  if (pending) {
    if (*pending > kCriticalPendingFactor * threshold) {
      raise(kCritical);
    } else if (*pending > kWarnPendingFactor * threshold) {
      raise(kWarn);
    }
    if (*pending > kWarnPendingFactor * threshold) {
      h.advice.push_back(absl::StrCat("checkpoints are falling behind: ", *pending,
                                      " frames are not yet in the database (autocheckpoint is ",
                                      f.autocheckpoint, ")."));
    }
  }
  if (wal_bytes >= kCriticalWalBytes) {
    raise(kCritical);
    h.advice.push_back(absl::StrCat("the WAL has grown to ", HumanBytes(wal_bytes),
                                    ": every reader scans its index and disk space is at stake."));
  } else if (wal_bytes >= kBloatWalBytes && pending_bytes * 2 < wal_bytes) {
    raise(kWarn);
    h.advice.push_back(absl::StrCat(
        "the WAL file is ", HumanBytes(wal_bytes), " but only ", HumanBytes(pending_bytes),
        " of it is pending: run doctor_checkpoint('TRUNCATE')",
        f.journal_size_limit < 0 ? " or set PRAGMA journal_size_limit" : "",
        " to give the space back."));
  }
  if (f.autocheckpoint <= 0 && pending && *pending > threshold) {
    raise(kWarn);
    h.advice.push_back(
        "autocheckpoint is off (wal_autocheckpoint=0): nothing checkpoints unless the application "
        "does; run doctor_checkpoint('PASSIVE') regularly or turn it back on.");
  }
  if (f.synchronous == "OFF") {
    raise(kWarn);
    h.advice.push_back(
        "synchronous=OFF: a power loss can lose or corrupt committed transactions; NORMAL is safe "
        "and fast in WAL mode.");
  }
  h.status = LevelName(level);
  return h;
}

}  // namespace doctor::wal
