#include "ext/indexes/workload.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ext/core/status_macros.h"
#include "ext/indexes/sql_text.h"

namespace doctor::indexes {
namespace {

// Values for the statement's parameters: a typical value of the column each is compared with,
// 10 for LIMIT/OFFSET, else 1.
std::vector<Value> GuessParameters(Scratch& scratch, const WorkloadItem& item) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(scratch.db(), item.sql.c_str(), -1, &stmt, nullptr);
  const int count = stmt ? sqlite3_bind_parameter_count(stmt) : 0;
  sqlite3_finalize(stmt);
  std::vector<Value> out;
  if (count == 0) return out;
  std::vector<std::string> cols = ParameterColumns(item.sql);
  for (int i = 0; i < count; ++i) {
    std::string col = i < static_cast<int>(cols.size()) ? cols[i] : "";
    if (col == "#limit") {
      out.push_back(Value(10));
      continue;
    }
    Value v = Value(1);
    for (const std::string& t : item.tables) {
      const TableInfo* info = scratch.FindTable(t);
      if (info != nullptr && !col.empty() && info->Column(col) >= 0) {
        v = scratch.Typical(info->name, col);
        break;
      }
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SplitAdvisable(sqlite3* db, const std::string& text,
                                                        bool strict) {
  std::vector<std::string> out;
  const char* p = text.c_str();
  int n = 0;
  while (*p != '\0') {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, p, -1, &stmt, &tail);
    ++n;
    if (rc != SQLITE_OK) {
      std::string message = sqlite3_errmsg(db);
      if (!strict) return out;  // a captured statement the copy cannot run is skipped
      return absl::InvalidArgumentError(absl::StrCat("statement ", n, ": ", message));
    }
    std::string one(p, tail - p);
    p = tail;
    if (stmt == nullptr) continue;
    sqlite3_finalize(stmt);
    std::string trimmed(absl::StripAsciiWhitespace(one));
    while (!trimmed.empty() && trimmed.back() == ';') trimmed.pop_back();
    if (IsAdvisable(KindOfStatement(trimmed))) out.push_back(trimmed);
  }
  return out;
}

absl::StatusOr<WorkloadItem> LoadStatement(Scratch& scratch, const std::string& sql,
                                           double weight) {
  WorkloadItem item;
  item.sql = sql;
  item.kind = KindOfStatement(sql);
  item.weight = std::max(0.0, weight);
  RETURN_IF_ERROR(scratch.Touched(item.sql, &item.tables, &item.written));
  item.params = GuessParameters(scratch, item);
  return item;
}

absl::StatusOr<std::vector<WorkloadItem>> LoadWorkload(
    Scratch& scratch, const std::vector<InputStatement>& workload) {
  std::vector<WorkloadItem> items;
  for (const InputStatement& in : workload) {
    ASSIGN_OR_RETURN(std::vector<std::string> parts,
                     SplitAdvisable(scratch.db(), in.sql, in.strict));
    for (const std::string& sql : parts) {
      absl::StatusOr<WorkloadItem> item = LoadStatement(scratch, sql, in.weight);
      if (!item.ok()) {
        if (in.strict) return item.status();
        continue;
      }
      items.push_back(*std::move(item));
    }
  }
  return items;
}

}  // namespace doctor::indexes
