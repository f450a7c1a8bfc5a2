// libFuzzer target: drizzle-kit's meta/_journal.json reader fed arbitrary text: a clear error or
// entries, never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ext/migrations/folder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto entries = doctor::migrations::ParseDrizzleJournal(text);
  if (entries.ok()) {
    for (const auto& e : *entries) (void)e.tag.size();
  }
  (void)doctor::migrations::FolderMillis(text);
  return 0;
}
