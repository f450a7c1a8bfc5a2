#include "ext/indexes/standin_collations.h"

#include <algorithm>
#include <cstring>

namespace doctor::indexes {
namespace {

// memcmp, then the shorter first: BINARY's order.
int CompareBytes(void*, int a_size, const void* a, int b_size, const void* b) {
  const int common = std::min(a_size, b_size);
  const int c = common > 0 ? memcmp(a, b, static_cast<size_t>(common)) : 0;
  return c != 0 ? c : a_size - b_size;
}

void RegisterStandIn(void*, sqlite3* db, int, const char* name) {
  sqlite3_create_collation_v2(db, name, SQLITE_UTF8, nullptr, CompareBytes, nullptr);
}

}  // namespace

void UseStandInCollations(sqlite3* db) { sqlite3_collation_needed(db, nullptr, RegisterStandIn); }

}  // namespace doctor::indexes
