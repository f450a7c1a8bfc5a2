// libFuzzer target for the SQL tokenizer and normalizer:
//   tools/fuzz sql_normalize_fuzz SECONDS   (seeds in sql_normalize_corpus/, replayed by bazel test)
// Checks: no crash, tokens cover the input exactly, and the normalized text stays bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ext/core/sql_normalize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view sql(reinterpret_cast<const char*>(data), size);
  size_t covered = 0;
  for (const doctor::Token& t : doctor::TokenizeSql(sql)) {
    if (t.text.data() != sql.data() + covered || t.text.empty()) abort();
    covered += t.text.size();
  }
  if (covered != size) abort();
  std::string normalized = doctor::NormalizeSql(sql);
  if (normalized.size() > 3 * size + 8) abort();
  (void)doctor::QueryId(normalized);
  return 0;
}
