#include "ext/wal/wal_index.h"

#include <cstring>
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace doctor::wal {
namespace {

// A hand-built 136-byte wal-index header, as wal.c would write it.
struct Builder {
  uint32_t version = kIndexVersion;
  uint32_t change = 7;
  uint8_t is_init = 1;
  uint16_t sz_page = 4096;
  uint32_t mx_frame = 42;
  uint32_t n_page = 10;
  uint32_t salt[2] = {0x11111111, 0x22222222};
  uint32_t backfill = 40;
  uint32_t marks[kReaders] = {0, 40, kReadMarkNotUsed, kReadMarkNotUsed, kReadMarkNotUsed};
  uint32_t attempted = 41;

  std::vector<uint8_t> Bytes() const {
    std::vector<uint8_t> b(kIndexHeaderSize, 0);
    auto put = [&](size_t off, uint32_t v) { memcpy(&b[off], &v, 4); };
    put(kVersionOffset, version);
    put(kChangeOffset, change);
    b[kIsInitOffset] = is_init;
    memcpy(&b[kPageSizeOffset], &sz_page, 2);
    put(kMxFrameOffset, mx_frame);
    put(kNPageOffset, n_page);
    put(kSaltOffset, salt[0]);
    put(kSaltOffset + 4, salt[1]);
    auto ck = IndexChecksum(b.data(), kChecksummedBytes);
    put(kHeaderCksumOffset, ck[0]);
    put(kHeaderCksumOffset + 4, ck[1]);
    memcpy(&b[kHeaderCopySize], &b[0], kHeaderCopySize);
    put(kBackfillOffset, backfill);
    for (int i = 0; i < kReaders; ++i) put(kReadMarkOffset + 4 * i, marks[i]);
    put(kBackfillAttemptedOffset, attempted);
    return b;
  }
};

TEST(WalIndexFormat, OffsetsMatchWalC) {
  EXPECT_EQ(kIndexHeaderSize, 136u);
  EXPECT_EQ(kBackfillOffset, 96u);
  EXPECT_EQ(kReadMarkOffset + 4 * kReaders, kLockOffset);
  EXPECT_EQ(kLockOffset + kShmLocks, kBackfillAttemptedOffset);
  EXPECT_EQ(kShmLockBase + ReadLock(0), 123);
  EXPECT_EQ(kShmLockBase + ReadLock(4), 127);
}

TEST(WalIndex, ParsesAGoodHeader) {
  auto bytes = Builder().Bytes();
  auto index = ParseWalIndex(bytes.data(), bytes.size());
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE(index->usable()) << index->Problem();
  EXPECT_EQ(index->header.mx_frame, 42u);
  EXPECT_EQ(index->header.page_size, 4096u);
  EXPECT_EQ(index->header.change, 7u);
  EXPECT_EQ(index->header.n_page, 10u);
  EXPECT_EQ(index->header.salt[1], 0x22222222u);
  EXPECT_EQ(index->backfill, 40u);
  EXPECT_EQ(index->read_marks[1], 40u);
  EXPECT_EQ(index->read_marks[2], kReadMarkNotUsed);
  EXPECT_EQ(index->backfill_attempted, 41u);
  EXPECT_FALSE(index->torn);
  EXPECT_TRUE(index->header.cksum_ok);
}

TEST(WalIndex, PageSize65536IsStoredAsOne) {
  EXPECT_EQ(DecodePageSize(1), 65536u);
  EXPECT_EQ(DecodePageSize(512), 512u);
  EXPECT_EQ(DecodePageSize(32768), 32768u);
  Builder b;
  b.sz_page = 1;
  auto bytes = b.Bytes();
  auto index = ParseWalIndex(bytes.data(), bytes.size());
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->header.page_size, 65536u);
  EXPECT_TRUE(index->usable()) << index->Problem();
}

// Issue 17 item 4: a crafted -shm claimed 4294967295 frames for a 267 KB WAL.
TEST(WalIndex, MismatchWithTheWalFileIsReported) {
  Builder b;  // 4096-byte pages, mxFrame 42, nBackfill 40, read mark 1 at 40
  auto bytes = b.Bytes();
  WalIndex index = *ParseWalIndex(bytes.data(), bytes.size());
  const uint64_t frame = 4096 + kWalFrameHeaderSize;
  EXPECT_EQ(MismatchWithWalFile(index, kWalHeaderSize + 42 * frame), "");
  EXPECT_EQ(MismatchWithWalFile(index, kWalHeaderSize + 100 * frame), "");  // not shortened
  EXPECT_EQ(MismatchWithWalFile(index, kWalHeaderSize + 41 * frame),
            "mxFrame 42 is beyond the 41 frames the WAL file holds (168952 bytes of 4096-byte "
            "pages)");
  b.mx_frame = 0xffffffff;
  bytes = b.Bytes();
  index = *ParseWalIndex(bytes.data(), bytes.size());
  EXPECT_TRUE(index.usable());  // a crafted header passes every check of its own
  EXPECT_NE(MismatchWithWalFile(index, 267 * 1024).find("mxFrame 4294967295 is beyond the 66 "),
            std::string::npos);
  b.mx_frame = 42;
  b.marks[3] = 1000;
  bytes = b.Bytes();
  index = *ParseWalIndex(bytes.data(), bytes.size());
  EXPECT_NE(MismatchWithWalFile(index, kWalHeaderSize + 42 * frame).find("read mark 3 1000"),
            std::string::npos);
  b = Builder();
  b.mx_frame = 0;
  b.backfill = 0;
  b.marks[1] = 0;
  bytes = b.Bytes();
  index = *ParseWalIndex(bytes.data(), bytes.size());
  EXPECT_EQ(MismatchWithWalFile(index, 0), "");  // an empty WAL, no file
}

TEST(WalIndex, FramesCopiedByACheckpoint) {
  WalIndex before, after;
  before.header.mx_frame = 100;
  before.backfill = 30;
  after = before;
  after.backfill = 80;  // PASSIVE or FULL: nBackfill grew
  EXPECT_EQ(FramesCopied(before, after), 50);
  after.backfill = 30;  // nothing moved
  EXPECT_EQ(FramesCopied(before, after), 0);
  after.header.mx_frame = 0;  // TRUNCATE: the WAL was reset after copying everything
  after.backfill = 0;
  after.header.salt[0] = before.header.salt[0] + 1;
  EXPECT_EQ(FramesCopied(before, after), 70);
  after.header.mx_frame = 120;  // reset, then a writer added frames: new salt
  EXPECT_EQ(FramesCopied(before, after), 70);
}

TEST(WalIndex, TornCopiesAreReported) {
  auto bytes = Builder().Bytes();
  bytes[kHeaderCopySize + kMxFrameOffset] ^= 1;  // copy 2 differs
  auto index = ParseWalIndex(bytes.data(), bytes.size());
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE(index->torn);
  EXPECT_FALSE(index->usable());
  EXPECT_NE(index->Problem().find("torn"), std::string::npos);
}

TEST(WalIndex, BadChecksumIsReported) {
  auto bytes = Builder().Bytes();
  bytes[kMxFrameOffset] ^= 1;  // both copies, checksum stale
  bytes[kHeaderCopySize + kMxFrameOffset] ^= 1;
  auto index = ParseWalIndex(bytes.data(), bytes.size());
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE(index->torn);
  EXPECT_FALSE(index->header.cksum_ok);
  EXPECT_NE(index->Problem().find("checksum"), std::string::npos);
}

TEST(WalIndex, UninitialisedAndUnknownVersion) {
  Builder a;
  a.is_init = 0;
  auto bytes = a.Bytes();
  EXPECT_NE(ParseWalIndex(bytes.data(), bytes.size())->Problem().find("not initialised"),
            std::string::npos);
  Builder b;
  b.version = 3006000;
  bytes = b.Bytes();
  EXPECT_NE(ParseWalIndex(bytes.data(), bytes.size())->Problem().find("version"),
            std::string::npos);
}

TEST(WalIndex, EmptyWalHasNoPageSize) {
  Builder b;
  b.sz_page = 0;
  b.mx_frame = 0;
  b.backfill = 0;
  auto bytes = b.Bytes();
  EXPECT_TRUE(ParseWalIndex(bytes.data(), bytes.size())->usable());
  b.mx_frame = 3;  // frames without a page size: not usable
  bytes = b.Bytes();
  EXPECT_FALSE(ParseWalIndex(bytes.data(), bytes.size())->usable());
}

TEST(WalIndex, BackfillBeyondMxFrameIsNotUsable) {
  Builder b;
  b.backfill = 43;
  auto bytes = b.Bytes();
  EXPECT_FALSE(ParseWalIndex(bytes.data(), bytes.size())->usable());
}

TEST(WalIndex, ShortBufferIsAnError) {
  auto bytes = Builder().Bytes();
  EXPECT_FALSE(ParseWalIndex(bytes.data(), 135).ok());
  EXPECT_FALSE(ParseWalIndex(nullptr, 136).ok());
  EXPECT_FALSE(ParseWalIndex(bytes.data(), 0).ok());
}

TEST(WalIndex, AllZeroBytesAreNotUsable) {
  std::vector<uint8_t> zeros(kIndexHeaderSize, 0);
  auto index = ParseWalIndex(zeros.data(), zeros.size());
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE(index->usable());
}

TEST(WalIndex, GarbageNeverCrashes) {
  std::mt19937 rng(1234);
  int usable = 0;
  for (int n = 0; n < 20000; ++n) {
    std::vector<uint8_t> bytes(kIndexHeaderSize + (n % 3));
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    if (n % 2) memcpy(&bytes[kHeaderCopySize], &bytes[0], kHeaderCopySize);  // not torn
    auto index = ParseWalIndex(bytes.data(), bytes.size());
    ASSERT_TRUE(index.ok());
    usable += index->usable();
    (void)index->Problem();
  }
  EXPECT_EQ(usable, 0);  // random bytes pass the checksum and version check essentially never
}

TEST(WalIndex, ReadWalIndexCopiesAStableHeader) {
  auto bytes = Builder().Bytes();
  WalIndex index = ReadWalIndex(bytes.data(), 3);
  EXPECT_TRUE(index.usable());
  EXPECT_EQ(index.attempts, 1);
  bytes[kHeaderCopySize] ^= 0xff;  // permanently torn: gives up after 3 tries
  index = ReadWalIndex(bytes.data(), 3);
  EXPECT_TRUE(index.torn);
  EXPECT_EQ(index.attempts, 3);
}

// A writer thread flips the live header between two states the way wal.c writes it (copy 2,
// then copy 1, byte by byte); every usable read must be one state or the other, never a mix.
TEST(WalIndex, ReadWalIndexNeverReturnsAMixOfTwoWrites) {
  Builder a, b;
  b.mx_frame = 1000;
  b.n_page = 77;
  b.change = 99;
  const auto bytes_a = a.Bytes(), bytes_b = b.Bytes();
  std::vector<uint8_t> shm = bytes_a;
  volatile uint8_t* live = shm.data();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int n = 0; !stop.load(std::memory_order_relaxed); ++n) {
      const auto& next = (n % 2) ? bytes_a : bytes_b;
      for (size_t i = kHeaderCopySize; i < 2 * kHeaderCopySize; ++i) live[i] = next[i];
      std::atomic_thread_fence(std::memory_order_release);
      for (size_t i = 0; i < kHeaderCopySize; ++i) live[i] = next[i];
    }
  });
  int usable = 0;
  for (int n = 0; n < 20000; ++n) {
    WalIndex index = ReadWalIndex(live, 1000);
    if (!index.usable()) continue;
    ++usable;
    const bool is_a = index.header.mx_frame == 42 && index.header.n_page == 10 &&
                      index.header.change == 7;
    const bool is_b = index.header.mx_frame == 1000 && index.header.n_page == 77 &&
                      index.header.change == 99;
    ASSERT_TRUE(is_a || is_b) << "mixed read: mxFrame " << index.header.mx_frame;
  }
  stop = true;
  writer.join();
  EXPECT_GT(usable, 0);
}

TEST(WalIndex, FramesInWalFile) {
  EXPECT_EQ(FramesInWalFile(0, 4096), 0u);
  EXPECT_EQ(FramesInWalFile(32, 4096), 0u);
  EXPECT_EQ(FramesInWalFile(32 + 3 * (4096 + 24), 4096), 3u);
  EXPECT_EQ(FramesInWalFile(32 + 3 * (4096 + 24) + 100, 4096), 3u);  // partial frame
  EXPECT_EQ(FramesInWalFile(1000, 0), 0u);
}

}  // namespace
}  // namespace doctor::wal
