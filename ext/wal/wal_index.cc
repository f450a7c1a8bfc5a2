#include "ext/wal/wal_index.h"

#include <sched.h>

#include <atomic>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace doctor::wal {
namespace {

uint32_t U32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);  // native order, like the writer
  return v;
}

uint16_t U16(const uint8_t* p) {
  uint16_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

WalIndexHeader ParseCopy(const uint8_t* h) {
  WalIndexHeader out;
  out.version = U32(h + kVersionOffset);
  out.change = U32(h + kChangeOffset);
  out.is_init = h[kIsInitOffset] != 0;
  out.big_end_cksum = h[kBigEndCksumOffset] != 0;
  out.page_size = DecodePageSize(U16(h + kPageSizeOffset));
  out.mx_frame = U32(h + kMxFrameOffset);
  out.n_page = U32(h + kNPageOffset);
  for (int i = 0; i < 2; ++i) {
    out.frame_cksum[i] = U32(h + kFrameCksumOffset + 4 * i);
    out.salt[i] = U32(h + kSaltOffset + 4 * i);
    out.cksum[i] = U32(h + kHeaderCksumOffset + 4 * i);
  }
  out.cksum_ok = IndexChecksum(h, kChecksummedBytes) == out.cksum;
  return out;
}

}  // namespace

uint32_t DecodePageSize(uint16_t sz_page) {
  return (sz_page & 0xfe00u) + ((sz_page & 0x0001u) << 16);
}

std::array<uint32_t, 2> IndexChecksum(const uint8_t* data, size_t size) {
  uint32_t s1 = 0, s2 = 0;
  for (size_t i = 0; i + 8 <= size; i += 8) {
    s1 += U32(data + i) + s2;
    s2 += U32(data + i + 4) + s1;
  }
  return {s1, s2};
}

bool WalIndex::usable() const { return Problem().empty(); }

std::string WalIndex::Problem() const {
  if (torn) return "the two wal-index header copies differ (torn read)";
  if (!header.is_init) return "the wal-index header is not initialised";
  if (header.version != kIndexVersion) {
    return absl::StrCat("unknown wal-index version ", header.version);
  }
  if (!header.cksum_ok) return "the wal-index header checksum does not match";
  const uint32_t ps = header.page_size;
  const bool valid_size = ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0;
  // An empty WAL (mxFrame 0) has no page size yet.
  if (!valid_size && !(ps == 0 && header.mx_frame == 0)) {
    return absl::StrCat("invalid page size ", ps);
  }
  if (backfill > header.mx_frame) {
    return absl::StrCat("nBackfill ", backfill, " is beyond mxFrame ", header.mx_frame);
  }
  return "";
}

absl::StatusOr<WalIndex> ParseWalIndex(const uint8_t* data, size_t size) {
  if (data == nullptr || size < kIndexHeaderSize) {
    return absl::InvalidArgumentError(absl::StrCat("a wal-index header needs ", kIndexHeaderSize,
                                                   " bytes, got ", data == nullptr ? 0 : size));
  }
  WalIndex out;
  out.header = ParseCopy(data);
  out.torn = memcmp(data, data + kHeaderCopySize, kHeaderCopySize) != 0;
  out.backfill = U32(data + kBackfillOffset);
  for (int i = 0; i < kReaders; ++i) out.read_marks[i] = U32(data + kReadMarkOffset + 4 * i);
  for (int i = 0; i < kShmLocks; ++i) out.lock_bytes[i] = data[kLockOffset + i];
  out.backfill_attempted = U32(data + kBackfillAttemptedOffset);
  return out;
}

// The copy races with writers on purpose, as wal.c's walIndexTryHdr does: other processes write
// this shared memory with no lock we could take, and torn copies are detected and retried. So
// ThreadSanitizer is told not to instrument it.
__attribute__((no_sanitize("thread"))) WalIndex ReadWalIndex(const volatile void* shm,
                                                              int max_attempts) {
  const volatile uint8_t* src = static_cast<const volatile uint8_t*>(shm);
  uint8_t copy[kIndexHeaderSize];
  WalIndex last;
  if (max_attempts < 1) max_attempts = 1;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    // Copy 1 first, then copy 2, then the checkpoint info: the writer updates copy 2 first and
    // copy 1 last, so copies that agree were not mid-update.
    for (size_t i = 0; i < kHeaderCopySize; ++i) copy[i] = src[i];
    std::atomic_thread_fence(std::memory_order_acquire);
    for (size_t i = kHeaderCopySize; i < kIndexHeaderSize; ++i) copy[i] = src[i];
    last = *ParseWalIndex(copy, sizeof copy);  // cannot fail: the buffer is full size
    last.attempts = attempt;
    if (!last.torn && last.header.cksum_ok) break;
    sched_yield();
  }
  return last;
}

uint64_t FramesInWalFile(uint64_t file_bytes, uint32_t page_size) {
  if (page_size == 0 || file_bytes <= kWalHeaderSize) return 0;
  return (file_bytes - kWalHeaderSize) / (page_size + kWalFrameHeaderSize);
}

std::string MismatchWithWalFile(const WalIndex& index, uint64_t wal_file_bytes) {
  const uint64_t frames = FramesInWalFile(wal_file_bytes, index.header.page_size);
  auto beyond = [&](const char* what, uint64_t frame) {
    return absl::StrCat(what, " ", frame, " is beyond the ", frames, " frames the WAL file holds (",
                        wal_file_bytes, " bytes of ", index.header.page_size, "-byte pages)");
  };
  if (index.header.mx_frame > frames) return beyond("mxFrame", index.header.mx_frame);
  if (index.backfill > frames) return beyond("nBackfill", index.backfill);
  for (int i = 1; i < kReaders; ++i) {  // aReadMark[0] is always 0
    const uint32_t mark = index.read_marks[i];
    if (mark != kReadMarkNotUsed && mark > frames) {
      return beyond(absl::StrCat("read mark ", i).c_str(), mark);
    }
  }
  return "";
}

int64_t FramesCopied(const WalIndex& before, const WalIndex& after) {
  const bool reset = after.header.salt != before.header.salt ||
                     after.header.mx_frame < before.header.mx_frame;
  if (reset) {
    return before.header.mx_frame > before.backfill
               ? int64_t{before.header.mx_frame} - before.backfill
               : 0;
  }
  return after.backfill > before.backfill ? int64_t{after.backfill} - before.backfill : 0;
}

}  // namespace doctor::wal
