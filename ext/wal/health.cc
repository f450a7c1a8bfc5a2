#include "ext/wal/health.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "absl/strings/str_cat.h"
#include "ext/core/text.h"

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

namespace {

// The row of a database that has no WAL to watch (temp, in-memory, another journal mode).
std::optional<Health> NotApplicable(const WalFacts& f) {
  Health h;
  h.status = "n/a";
  if (f.temp) {
    h.advice.push_back("the temp database never uses a WAL.");
  } else if (f.in_memory) {
    h.advice.push_back("an in-memory database has no WAL.");
  } else if (f.immutable) {  // PRAGMA journal_mode then says delete, whatever the file is in
    h.advice.push_back(absl::StrCat(
        "opened with immutable=1: SQLite reads the database file only, never a WAL, and takes no "
        "locks; transactions still in the -wal file (",
        HumanBytes(f.wal_bytes.value_or(0)),
        " now) are not seen by this connection: open it without immutable=1 while any process "
        "may write it."));
  } else if (f.journal_mode != "wal") {
    if (!f.read_problem.empty()) {
      h.advice.push_back(absl::StrCat("the database could not be read: ", f.read_problem, "."));
    } else {
      h.advice.push_back(absl::StrCat(
          "journal_mode is ", f.journal_mode.empty() ? "unknown" : f.journal_mode,
          ", not WAL: there is no WAL to watch (PRAGMA journal_mode=WAL lets readers and a writer "
          "work at once)."));
    }
  } else {
    return std::nullopt;
  }
  return h;
}

// Work in progress of Assess: the row, its level, and the figures the rules share.
struct Assessment {
  Health h;
  Level level = kOk;
  const WalIndex* index = nullptr;  // the wal-index header, once it passed every check
  std::optional<int64_t> pending;
  uint64_t pending_bytes = 0;
  uint64_t wal_bytes = 0;
  int64_t threshold = 1000;

  void Raise(Level l) { level = std::max(level, l); }
};

// The wal-index: trusted only when it agrees with the WAL file; frames from it.
void AssessIndex(const WalFacts& f, Assessment& a) {
  if (f.read_only) {
    a.h.advice.push_back("this connection is read-only: it cannot checkpoint, another one must.");
  }
  if (f.exclusive) {
    a.h.advice.push_back(
        "locking_mode=EXCLUSIVE: the wal-index is private to this connection (no -shm), so frames "
        "and readers are not visible, only the WAL file size.");
  }
  if (!f.index) {
    if (!f.exclusive) {
      a.Raise(kWarn);
      a.h.advice.push_back(absl::StrCat(
          "the wal-index could not be read: ",
          f.index_problem.empty() ? "unknown reason" : f.index_problem, "."));
    }
    return;
  }
  const std::string mismatch = f.wal_bytes ? MismatchWithWalFile(*f.index, *f.wal_bytes) : "";
  if (!mismatch.empty()) {
    a.Raise(kCritical);
    a.h.advice.push_back(absl::StrCat(
        "the wal-index (-shm) is inconsistent with the WAL file: ", mismatch,
        "; its frame counts and readers are not shown. The -shm file may be damaged or written by "
        "someone else (anyone who can write the database can write it): make sure only the "
        "application can write the database's folder, then close every connection so that SQLite "
        "rebuilds the wal-index from the WAL when the database is next opened."));
    return;
  }
  const WalIndex& ix = *f.index;
  a.index = &ix;
  a.h.wal_frames = ix.header.mx_frame;
  a.h.backfilled_frames = ix.backfill;
  a.pending = static_cast<int64_t>(ix.header.mx_frame) - static_cast<int64_t>(ix.backfill);
  a.h.pending_frames = a.pending;
  a.pending_bytes =
      static_cast<uint64_t>(*a.pending) * (ix.header.page_size + kWalFrameHeaderSize);
}

// The read slot the statement reading wal_health holds itself (-1 when none is to be left out).
// Its snapshot was the newest when it began, so it is on the held slot with the newest snapshot.
// When another process holds that slot too, F_GETLK names only that process: the slot is then
// that process's reader (counted), and a slot of this process with an older snapshot is another
// connection's reader, never this statement (measured: a connection of this process pinning
// frame 8 and a reader in another process at frame 242 were shown as one reader at 242, "ok").
int OwnStatementSlot(const WalFacts& f, const WalIndex& ix) {
  if (!f.own_statement_reader) return -1;
  int newest = -1;
  int64_t best = -1;
  for (int i = 0; i < kReaders; ++i) {
    const LockHolder& lh = f.locks->lock[ReadLock(i)];
    const uint32_t mark = ix.read_marks[i];
    const int64_t snapshot = i == 0 ? ix.backfill : (mark == kReadMarkNotUsed ? -1 : int64_t{mark});
    if (!lh.held() || lh.exclusive || snapshot < 0) continue;
    // On a tie, a slot of this process alone is the likelier one to be this statement's.
    const bool better = newest < 0 || snapshot > best ||
                        (snapshot == best && lh.by_this_process &&
                         !f.locks->lock[ReadLock(newest)].by_this_process);
    if (better) {
      best = snapshot;
      newest = i;
    }
  }
  if (newest < 0 || !f.locks->lock[ReadLock(newest)].by_this_process) return -1;
  return newest;
}

// Readers: a read mark outlives its reader, so only a held READ lock counts.
void AssessReaders(const WalFacts& f, Assessment& a) {
  if (a.index == nullptr) return;
  if (!f.locks) {
    if (!f.exclusive) {
      a.h.advice.push_back(absl::StrCat(
          "readers could not be seen: ",
          f.locks_problem.empty() ? "unknown reason" : f.locks_problem, "."));
    }
    return;
  }
  const WalIndex& ix = *a.index;
  const int own_slot = OwnStatementSlot(f, ix);
  int64_t readers = 0;
  std::optional<int64_t> oldest;
  const LockHolder* oldest_holder = nullptr;
  for (int i = 0; i < kReaders; ++i) {
    const LockHolder& lh = f.locks->lock[ReadLock(i)];
    // Readers hold READ locks shared; an exclusive one is a writer or checkpointer moving the
    // read mark for an instant, not a reader.
    if (!lh.held() || lh.exclusive || i == own_slot) continue;
    ++readers;
    const uint32_t mark = ix.read_marks[i];
    if (i > 0 && mark == kReadMarkNotUsed) continue;
    const int64_t frame = i == 0 ? 0 : mark;  // READ0 reads the database file only: blocks all
    if (!oldest || frame < *oldest) {
      oldest = frame;
      oldest_holder = &lh;
    }
  }
  a.h.readers = readers;
  a.h.oldest_reader_frame = oldest;
  if (oldest && a.pending && *a.pending > 0 && *oldest < *a.h.wal_frames &&
      *oldest <= *a.h.backfilled_frames) {
    a.Raise(kWarn);
    a.h.advice.push_back(absl::StrCat(
        Who(*oldest_holder), " has pinned frame ", *oldest,
        ": checkpoints cannot progress past it while its transaction lasts; ", *a.pending,
        *a.pending == 1 ? " frame (" : " frames (", HumanBytes(a.pending_bytes),
        *a.pending == 1 ? ") waits and the WAL is " : ") wait and the WAL is ",
        HumanBytes(a.wal_bytes), "."));
  }
}

// Frames waiting, the WAL file's size, and settings.
void AssessSizeAndSettings(const WalFacts& f, Assessment& a) {
  const std::optional<int64_t>& pending = a.pending;
  if (pending && *pending > kWarnPendingFactor * a.threshold) {
    a.Raise(*pending > kCriticalPendingFactor * a.threshold ? kCritical : kWarn);
    a.h.advice.push_back(absl::StrCat("checkpoints are falling behind: ", *pending,
                                      " frames are not yet in the database (autocheckpoint is ",
                                      f.autocheckpoint, ")."));
  }
  if (a.wal_bytes >= kCriticalWalBytes) {
    a.Raise(kCritical);
    a.h.advice.push_back(
        absl::StrCat("the WAL has grown to ", HumanBytes(a.wal_bytes),
                     ": every reader scans its index and disk space is at stake."));
  } else if (a.wal_bytes >= kBloatWalBytes && a.pending_bytes * 2 < a.wal_bytes) {
    a.Raise(kWarn);
    a.h.advice.push_back(absl::StrCat(
        "the WAL file is ", HumanBytes(a.wal_bytes), " but only ", HumanBytes(a.pending_bytes),
        " of it is pending: run SELECT doctor_checkpoint('TRUNCATE', ",
        f.schema_literal.empty() ? "'main'" : f.schema_literal, ", ", kAdvisedCheckpointWaitMs,
        ")", f.journal_size_limit < 0 ? " or set PRAGMA journal_size_limit" : "",
        " to give the space back (bounded: a TRUNCATE holds the write lock while it waits for "
        "readers, and the application's writes wait with it)."));
  }
  if (f.autocheckpoint <= 0 && pending && *pending > a.threshold) {
    a.Raise(kWarn);
    a.h.advice.push_back(
        "autocheckpoint is off (wal_autocheckpoint=0): nothing checkpoints unless the application "
        "does; run doctor_checkpoint('PASSIVE') regularly or turn it back on.");
  }
  if (f.synchronous == "OFF") {
    a.Raise(kWarn);
    a.h.advice.push_back(
        "synchronous=OFF: a power loss can lose or corrupt committed transactions; NORMAL is safe "
        "and fast in WAL mode.");
  }
}

}  // namespace

Health Assess(const WalFacts& f) {
  if (std::optional<Health> na = NotApplicable(f)) return *na;
  Assessment a;
  a.threshold = f.autocheckpoint > 0 ? f.autocheckpoint : 1000;
  a.wal_bytes = f.wal_bytes.value_or(0);
  AssessIndex(f, a);
  AssessReaders(f, a);
  AssessSizeAndSettings(f, a);
  a.h.status = LevelName(a.level);
  return a.h;
}

}  // namespace doctor::wal
