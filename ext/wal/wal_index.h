// A pure reader of the WAL-index header (the first 136 bytes of a -shm mapping): both header
// copies, the checkpoint info and the read marks. No SQLite, no I/O: it is handed bytes and never
// trusts them (it is fuzzed), so any byte string gives a result or a clear error, never a crash.
//
// Example:
//   uint8_t bytes[kIndexHeaderSize];
//   WalIndex index = ReadWalIndex(shm_region_0);   // copies the volatile memory, retries torn reads
//   if (index.usable()) use(index.header.mx_frame, index.backfill);
#ifndef DOCTOR_WAL_WAL_INDEX_H_
#define DOCTOR_WAL_WAL_INDEX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ext/wal/wal_index_format.h"

namespace doctor::wal {

// One WalIndexHdr copy, decoded.
struct WalIndexHeader {
  uint32_t version = 0;      // 3007000 for every WAL-index since 3.7.0
  uint32_t change = 0;       // iChange: bumped on every commit
  bool is_init = false;      // isInit
  bool big_end_cksum = false;  // the WAL file's frame checksums are big-endian
  uint32_t page_size = 0;    // decoded from szPage (65536 is stored as 1)
  uint32_t mx_frame = 0;     // frames of the valid WAL (last committed frame)
  uint32_t n_page = 0;       // database size in pages after the last commit
  std::array<uint32_t, 2> frame_cksum{};
  std::array<uint32_t, 2> salt{};
  std::array<uint32_t, 2> cksum{};  // stored checksum of bytes 0..39
  bool cksum_ok = false;            // stored checksum matches the bytes
};

// The whole 136-byte header.
struct WalIndex {
  WalIndexHeader header;        // copy 1 (the one readers trust when both agree)
  bool torn = false;            // the two copies differ: a writer was mid-update
  uint32_t backfill = 0;        // nBackfill: WAL frames already copied into the database
  std::array<uint32_t, kReaders> read_marks{};  // aReadMark[i]; kReadMarkNotUsed when free
  std::array<uint8_t, kShmLocks> lock_bytes{};  // aLock[]: unused by SQLite's unix VFS (always 0)
  uint32_t backfill_attempted = 0;  // nBackfillAttempted
  int attempts = 1;             // reads it took to get a stable copy (ReadWalIndex)

  // Both copies agree, initialised, checksum good and a known version: the numbers can be trusted.
  bool usable() const;
  // Why it is not usable, in words ("" when usable).
  std::string Problem() const;
};

// Decodes `size` bytes (at least kIndexHeaderSize). Garbage decodes to a WalIndex whose
// usable() is false; only a short buffer is an error.
absl::StatusOr<WalIndex> ParseWalIndex(const uint8_t* data, size_t size);

// SQLite's wal-index header checksum (walChecksumBytes, native order) over `size` bytes (a
// multiple of 8).
std::array<uint32_t, 2> IndexChecksum(const uint8_t* data, size_t size);

// Copies the header out of live shared memory that another thread or process may be writing, the
// way wal.c's walIndexTryHdr does (copy 1, barrier, copy 2), and retries up to `max_attempts`
// times while the copies differ or the checksum is wrong. Returns the last read.
WalIndex ReadWalIndex(const volatile void* shm, int max_attempts = 100);

// Frames a WAL file of `file_bytes` holds by its size (what showwal counts: valid or not).
uint64_t FramesInWalFile(uint64_t file_bytes, uint32_t page_size);

// Whether a usable header agrees with the WAL file it indexes, `wal_file_bytes` long (0 when
// there is none): mxFrame, nBackfill and every read mark in use must be frames the file can hold,
// (size - 32) / (page_size + 24) of them. A file may hold more frames than mxFrame (it is not
// shortened when the WAL restarts), never fewer. Returns why not, in words ("" when it agrees).
// A -shm file can be written by anyone who can write the database, so its numbers are only
// reported once they passed this check.
std::string MismatchWithWalFile(const WalIndex& index, uint64_t wal_file_bytes);

// Frames a checkpoint copied into the database, from usable headers read before and after it:
// how much nBackfill grew, or, when the WAL was reset in between (new salt, or fewer frames:
// TRUNCATE, or a writer restarting the WAL), every frame not yet backfilled before.
int64_t FramesCopied(const WalIndex& before, const WalIndex& after);

// Decodes the 16-bit szPage field (65536 is stored as 1).
uint32_t DecodePageSize(uint16_t sz_page);

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_WAL_INDEX_H_
