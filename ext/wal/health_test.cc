#include "ext/wal/health.h"

#include "gtest/gtest.h"

namespace doctor::wal {
namespace {

WalIndex Index(uint32_t mx, uint32_t backfill, std::array<uint32_t, kReaders> marks) {
  WalIndex ix;
  ix.header.is_init = true;
  ix.header.version = kIndexVersion;
  ix.header.page_size = 4096;
  ix.header.mx_frame = mx;
  ix.backfill = backfill;
  ix.read_marks = marks;
  return ix;
}

WalFacts WalDb(uint32_t mx, uint32_t backfill) {
  WalFacts f;
  f.journal_mode = "wal";
  f.synchronous = "NORMAL";
  f.wal_bytes = 32 + uint64_t{mx} * 4120;
  f.index = Index(mx, backfill, {0, mx, kReadMarkNotUsed, kReadMarkNotUsed, kReadMarkNotUsed});
  f.locks = ShmLocks{};
  return f;
}

bool Mentions(const Health& h, const std::string& needle) {
  for (const auto& a : h.advice) {
    if (a.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(Assess, HealthyWal) {
  Health h = Assess(WalDb(10, 10));
  EXPECT_EQ(h.status, "ok");
  EXPECT_TRUE(h.advice.empty());
  EXPECT_EQ(*h.wal_frames, 10);
  EXPECT_EQ(*h.pending_frames, 0);
  EXPECT_EQ(*h.readers, 0);
  EXPECT_FALSE(h.oldest_reader_frame.has_value());
}

TEST(Assess, NotWalIsNotApplicable) {
  WalFacts f;
  f.journal_mode = "delete";
  Health h = Assess(f);
  EXPECT_EQ(h.status, "n/a");
  EXPECT_TRUE(Mentions(h, "journal_mode is delete"));
  f.in_memory = true;
  EXPECT_TRUE(Mentions(Assess(f), "in-memory"));
  f.temp = true;
  EXPECT_TRUE(Mentions(Assess(f), "temp"));
  EXPECT_FALSE(Assess(f).wal_frames.has_value());
}

TEST(Assess, ReaderInAnotherProcessPinsFrames) {
  WalFacts f = WalDb(100, 40);
  f.index->read_marks[1] = 40;
  f.locks->lock[ReadLock(1)].by_other_process = true;
  f.locks->lock[ReadLock(1)].other_pid = 4242;
  Health h = Assess(f);
  EXPECT_EQ(h.status, "warn");
  EXPECT_EQ(*h.readers, 1);
  EXPECT_EQ(*h.oldest_reader_frame, 40);
  EXPECT_TRUE(Mentions(h, "a reader in another process (pid 4242) has pinned frame 40"));
}

TEST(Assess, ReadMarkWithoutLockIsNotAReader) {
  WalFacts f = WalDb(100, 40);
  f.index->read_marks[1] = 40;  // stale mark: its reader is gone
  Health h = Assess(f);
  EXPECT_EQ(*h.readers, 0);
  EXPECT_EQ(h.status, "ok");
}

TEST(Assess, ExclusiveReadLockIsAWriterNotAReader) {
  WalFacts f = WalDb(100, 40);
  f.index->read_marks[1] = 40;
  f.locks->lock[ReadLock(1)].by_other_process = true;
  f.locks->lock[ReadLock(1)].exclusive = true;
  Health h = Assess(f);
  EXPECT_EQ(*h.readers, 0);
  EXPECT_EQ(h.status, "ok");
}

TEST(Assess, Read0HolderBlocksAllBackfill) {
  WalFacts f = WalDb(100, 0);
  f.locks->lock[ReadLock(0)].by_this_process = true;
  Health h = Assess(f);
  EXPECT_EQ(*h.oldest_reader_frame, 0);
  EXPECT_EQ(h.status, "warn");
  EXPECT_TRUE(Mentions(h, "a reader in this process has pinned frame 0"));
}

// A reader that began on an empty WAL, then one commit: "1 frames (4.0 KiB) wait" (measured with
// doctor_report from better-sqlite3, the reader on another connection of the process).
TEST(Assess, OneFramePinnedIsSaidInTheSingular) {
  WalFacts f = WalDb(1, 0);
  f.locks->lock[ReadLock(0)].by_this_process = true;
  Health h = Assess(f);
  EXPECT_TRUE(Mentions(h, "; 1 frame (4.0 KiB) waits and the WAL is 4.1 KiB.")) << h.advice[0];
}

TEST(Assess, OwnStatementReaderIsNotCounted) {
  WalFacts f = WalDb(100, 40);
  f.index->read_marks[1] = 40;
  f.index->read_marks[2] = 100;
  f.locks->lock[ReadLock(1)].by_other_process = true;
  f.locks->lock[ReadLock(2)].by_this_process = true;  // the wal_health statement itself
  f.own_statement_reader = true;
  Health h = Assess(f);
  EXPECT_EQ(*h.readers, 1);
  EXPECT_EQ(*h.oldest_reader_frame, 40);
}

// The statement shares the newest slot with a reader in another process (F_GETLK names only that
// process), and another connection of this process holds an old snapshot: both are readers and
// the old one pins (measured with better-sqlite3: shown as one reader at 242, "ok", before).
TEST(Assess, OwnStatementOnAnotherProcesssSlotLeavesThisProcesssReaderCounted) {
  WalFacts f = WalDb(242, 8);
  f.index->read_marks[1] = 8;
  f.index->read_marks[2] = 242;
  f.locks->lock[ReadLock(1)].by_this_process = true;  // another connection of this process
  f.locks->lock[ReadLock(2)].by_other_process = true;  // another process, and this statement
  f.locks->lock[ReadLock(2)].other_pid = 4242;
  f.own_statement_reader = true;
  Health h = Assess(f);
  EXPECT_EQ(*h.readers, 2);
  EXPECT_EQ(*h.oldest_reader_frame, 8);
  EXPECT_EQ(h.status, "warn");
  EXPECT_TRUE(Mentions(h, "a reader in this process has pinned frame 8"));
  // Alone on its slot, the statement is still left out.
  f.locks->lock[ReadLock(2)] = LockHolder{};
  f.locks->lock[ReadLock(2)].by_this_process = true;
  h = Assess(f);
  EXPECT_EQ(*h.readers, 1);
  EXPECT_EQ(*h.oldest_reader_frame, 8);
}

TEST(Assess, FallingBehindIsWarnThenCritical) {
  WalFacts f = WalDb(4001, 0);
  Health h = Assess(f);
  EXPECT_EQ(h.status, "warn");
  EXPECT_TRUE(Mentions(h, "falling behind"));
  f = WalDb(20001, 0);
  EXPECT_EQ(Assess(f).status, "critical");
}

TEST(Assess, HugeWalIsCritical) {
  WalFacts f = WalDb(10, 10);
  f.wal_bytes = uint64_t{2} << 30;
  Health h = Assess(f);
  EXPECT_EQ(h.status, "critical");
  EXPECT_TRUE(Mentions(h, "2.0 GiB"));
}

TEST(Assess, BloatedButCheckpointedWalIsWarn) {
  WalFacts f = WalDb(10, 10);
  f.wal_bytes = uint64_t{100} << 20;
  Health h = Assess(f);
  EXPECT_EQ(h.status, "warn");
  EXPECT_TRUE(Mentions(h, "journal_size_limit"));
  // The TRUNCATE it advises waits briefly: it holds the write lock while readers finish, and an
  // unbounded one made a better-sqlite3 insert in another process wait 5045 ms.
  EXPECT_TRUE(Mentions(h, "SELECT doctor_checkpoint('TRUNCATE', 'main', 250)")) << h.advice[0];
  f.schema_literal = "'app'";
  EXPECT_TRUE(Mentions(Assess(f), "doctor_checkpoint('TRUNCATE', 'app', 250)"));
}

TEST(Assess, AutocheckpointOffAndSynchronousOff) {
  WalFacts f = WalDb(1500, 0);
  f.autocheckpoint = 0;
  EXPECT_TRUE(Mentions(Assess(f), "autocheckpoint is off"));
  f = WalDb(1, 1);
  f.synchronous = "OFF";
  EXPECT_EQ(Assess(f).status, "warn");
}

TEST(Assess, UnreadableIndexAndLocksAreSaid) {
  WalFacts f = WalDb(1, 1);
  f.index.reset();
  f.index_problem = "the wal-index is not mapped";
  Health h = Assess(f);
  EXPECT_EQ(h.status, "warn");
  EXPECT_TRUE(Mentions(h, "not mapped"));
  f = WalDb(1, 1);
  f.locks.reset();
  f.locks_problem = "cannot open x-shm";
  h = Assess(f);
  EXPECT_FALSE(h.readers.has_value());
  EXPECT_TRUE(Mentions(h, "cannot open x-shm"));
}

TEST(Assess, ExclusiveLockingHasNoIndex) {
  WalFacts f = WalDb(1, 1);
  f.index.reset();
  f.locks.reset();
  f.exclusive = true;
  Health h = Assess(f);
  EXPECT_EQ(h.status, "ok");
  EXPECT_TRUE(Mentions(h, "EXCLUSIVE"));
}

TEST(Assess, AWalIndexThatDisagreesWithTheWalFileIsNotTrusted) {
  WalFacts f = WalDb(100, 0);
  f.wal_bytes = 267 * 1024;  // 66 frames of 4096 bytes
  f.index->header.mx_frame = 0xffffffff;
  Health h = Assess(f);
  EXPECT_EQ(h.status, "critical");
  EXPECT_FALSE(h.wal_frames.has_value());
  EXPECT_FALSE(h.pending_frames.has_value());
  EXPECT_FALSE(h.readers.has_value());
  ASSERT_EQ(h.advice.size(), 1u);
  EXPECT_TRUE(Mentions(h, "the wal-index (-shm) is inconsistent with the WAL file: mxFrame "
                          "4294967295 is beyond the 66 frames"));
  EXPECT_FALSE(Mentions(h, "falling behind"));
  f = WalDb(100, 0);
  f.wal_bytes.reset();  // the size is unknown: nothing to compare with
  EXPECT_EQ(Assess(f).pending_frames, 100);
}

}  // namespace
}  // namespace doctor::wal
