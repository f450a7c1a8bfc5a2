// Fuzz target for the wal-index header reader: any bytes must decode or fail cleanly.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ext/wal/wal_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto index = doctor::wal::ParseWalIndex(data, size);
  if (index.ok()) {
    (void)index->usable();
    (void)index->Problem();
  }
  // The live-memory reader works on a full-size region: pad short inputs with zeros.
  std::vector<uint8_t> region(doctor::wal::kIndexHeaderSize, 0);
  memcpy(region.data(), data, size < region.size() ? size : region.size());
  doctor::wal::WalIndex live = doctor::wal::ReadWalIndex(region.data(), 2);
  (void)live.Problem();
  (void)doctor::wal::FramesInWalFile(size, live.header.page_size);
  // The WAL file's size: any, including sizes the header's page size does not divide.
  uint64_t wal_bytes = 0;
  memcpy(&wal_bytes, data, size < sizeof wal_bytes ? size : sizeof wal_bytes);
  (void)doctor::wal::MismatchWithWalFile(live, wal_bytes);
  (void)doctor::wal::MismatchWithWalFile(live, size);
  return 0;
}
