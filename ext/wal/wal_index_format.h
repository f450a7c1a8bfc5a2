// The layout of the WAL-index header at the start of a database's -shm file (SQLite 3.7.0 and
// later, unchanged since), as wal.c defines it. All integers are in the writer's native byte
// order (the -shm file never leaves the machine). Offsets are from the start of the mapping.
//
//   0   WalIndexHdr copy 1 (48 bytes)    48  WalIndexHdr copy 2 (identical when not torn)
//   96  WalCkptInfo: nBackfill u32, aReadMark[5] u32, aLock[8] (the lock bytes), then
//   128 nBackfillAttempted u32, 132 notUsed0 u32                 -> 136 bytes in all.
//
// WalIndexHdr: iVersion u32 @0, unused u32 @4, iChange u32 @8, isInit u8 @12, bigEndCksum u8 @13,
// szPage u16 @14, mxFrame u32 @16, nPage u32 @20, aFrameCksum u32[2] @24, aSalt u32[2] @32,
// aCksum u32[2] @40 (checksum of bytes 0..39, native order).
//
// Note: walformat.html mentions nBackfill at 128 in one place; wal.c (the truth) puts it at 96
// and nBackfillAttempted at 128.
#ifndef DOCTOR_WAL_WAL_INDEX_FORMAT_H_
#define DOCTOR_WAL_WAL_INDEX_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace doctor::wal {

// Sizes.
constexpr size_t kHeaderCopySize = 48;                   // sizeof(WalIndexHdr)
constexpr size_t kCkptInfoOffset = 2 * kHeaderCopySize;  // 96
constexpr size_t kIndexHeaderSize = 136;                 // WALINDEX_HDR_SIZE
constexpr size_t kChecksummedBytes = 40;                 // offsetof(WalIndexHdr, aCksum)

// Offsets inside one WalIndexHdr copy.
constexpr size_t kVersionOffset = 0;
constexpr size_t kChangeOffset = 8;
constexpr size_t kIsInitOffset = 12;
constexpr size_t kBigEndCksumOffset = 13;
constexpr size_t kPageSizeOffset = 14;
constexpr size_t kMxFrameOffset = 16;
constexpr size_t kNPageOffset = 20;
constexpr size_t kFrameCksumOffset = 24;
constexpr size_t kSaltOffset = 32;
constexpr size_t kHeaderCksumOffset = 40;

// Offsets from the start of the mapping (WalCkptInfo).
constexpr size_t kBackfillOffset = 96;
constexpr size_t kReadMarkOffset = 100;  // aReadMark[i] at 100 + 4*i
constexpr size_t kLockOffset = 120;      // aLock[]: also the byte offsets of the shm locks
constexpr size_t kBackfillAttemptedOffset = 128;

constexpr int kReaders = 5;                        // WAL_NREADER = SQLITE_SHM_NLOCK - 3
constexpr uint32_t kReadMarkNotUsed = 0xffffffff;  // READMARK_NOT_USED
constexpr uint32_t kIndexVersion = 3007000;        // WALINDEX_MAX_VERSION

// The shm locks, as byte offsets in the -shm file (os_unix.c: UNIX_SHM_BASE = 120; lock i is byte
// 120 + i; SQLITE_SHM_NLOCK = 8; byte 128 is the "DMS" lock every connection holds shared).
constexpr int kShmLockBase = 120;
constexpr int kShmLocks = 8;
constexpr int kWriteLock = 0;    // WAL_WRITE_LOCK
constexpr int kCkptLock = 1;     // WAL_CKPT_LOCK
constexpr int kRecoverLock = 2;  // WAL_RECOVER_LOCK
constexpr int ReadLock(int i) { return 3 + i; }  // WAL_READ_LOCK(i), i in 0..4
constexpr int kDmsLockByte = kShmLockBase + kShmLocks;  // 128

// The WAL file itself (for wal_bytes and frame counts from a file size).
constexpr size_t kWalHeaderSize = 32;
constexpr size_t kWalFrameHeaderSize = 24;

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_WAL_INDEX_FORMAT_H_
