// libFuzzer target: the wal-index (-shm) header reader fed arbitrary bytes: it must never crash,
// and whatever it decodes must be describable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ext/wal/wal_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<doctor::wal::WalIndex> index = doctor::wal::ParseWalIndex(data, size);
  if (!index.ok()) return 0;
  if (index->usable() != index->Problem().empty()) abort();
  (void)doctor::wal::FramesInWalFile(size, doctor::wal::DecodePageSize(static_cast<uint16_t>(size)));
  return 0;
}
