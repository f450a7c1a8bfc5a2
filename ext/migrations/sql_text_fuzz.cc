// libFuzzer target for the migrations area's pure text handling: tokenizer, normal form,
// breakpoint and statement splitters, classification, and drizzle's _journal.json parser.
// Checks: no crash; tokens lie inside the input in order; statements are ordered pieces of the
// input; breakpoint pieces rejoin to the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ext/migrations/folder.h"
#include "ext/migrations/sql_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace doctor::migrations;
  absl::string_view sql(reinterpret_cast<const char*>(data), size);
  size_t at = 0;
  for (const Token& t : Tokenize(sql)) {
    if (t.offset < at || t.offset + t.text.size() > size || t.text.empty()) abort();
    at = t.offset + t.text.size();
  }
  const char* prev_end = sql.data();
  for (absl::string_view s : SplitStatements(sql)) {
    if (s.data() < prev_end || s.data() + s.size() > sql.data() + size) abort();
    prev_end = s.data() + s.size();
    (void)Classify(s);
    (void)IsAdditiveStatement(s);
    (void)IsBlankSql(s);
  }
  std::string joined;
  std::vector<std::string> pieces = SplitBreakpoints(sql);
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) joined += std::string(kBreakpoint);
    joined += pieces[i];
  }
  if (joined != sql) abort();
  (void)CanonicalSchemaSql(sql);
  (void)AsksForeignKeysOff(sql);
  (void)LeadingWords(sql, 4);
  (void)Excerpt(sql);
  (void)ParseDrizzleJournal(std::string(sql));
  (void)FolderMillis(std::string(sql.substr(0, 20)));
  return 0;
}
