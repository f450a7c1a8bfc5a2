// libFuzzer target: the migration statement splitter and Drizzle's breakpoint splitter. Every
// statement is a piece of the input, in order, and nothing but blanks is dropped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ext/migrate/sql_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view sql(reinterpret_cast<const char*>(data), size);
  const char* last = sql.data();
  for (absl::string_view statement : doctor::migrate::SplitStatements(sql)) {
    if (statement.data() < last || statement.data() + statement.size() > sql.data() + sql.size()) {
      abort();  // out of order or outside the input
    }
    last = statement.data() + statement.size();
  }
  size_t total = 0;
  for (const std::string& piece : doctor::migrate::SplitBreakpoints(sql)) total += piece.size();
  if (total > size) abort();
  (void)doctor::migrate::IsBlankSql(sql);
  return 0;
}
