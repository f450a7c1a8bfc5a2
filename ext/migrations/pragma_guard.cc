#include "ext/migrations/pragma_guard.h"

#include <algorithm>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

// Per-connection settings that `PRAGMA main.x` reads and `PRAGMA main.x = v` writes back.
// foreign_keys is not: SQLite ignores it inside the migration's transaction, and apply.cc turns
// it off and on around the transaction itself.
constexpr const char* kRestorable[] = {
    "automatic_index", "cache_size",       "cache_spill",        "cell_size_check",
    "defer_foreign_keys", "ignore_check_constraints", "journal_mode",
    "journal_size_limit", "legacy_alter_table", "locking_mode", "query_only",
    "recursive_triggers", "reverse_unordered_selects", "secure_delete", "synchronous",
    "temp_store",       "trusted_schema",  "wal_autocheckpoint", "writable_schema",
};

bool Restorable(const std::string& name) {
  return std::find_if(std::begin(kRestorable), std::end(kRestorable),
                      [&](const char* k) { return name == k; }) != std::end(kRestorable);
}

}  // namespace

std::vector<std::string> SettingsPragmasOf(absl::string_view sql, std::vector<std::string> out) {
  bool any = false;  // the common case, cheaply: no "pragma" anywhere
  for (size_t i = 0; !any && i + 6 <= sql.size(); ++i) {
    any = (sql[i] == 'p' || sql[i] == 'P') && absl::EqualsIgnoreCase(sql.substr(i, 6), "pragma");
  }
  if (!any) return out;
  for (absl::string_view s : SplitStatements(sql)) {
    ChangeInfo info = Classify(s);
    if (info.kind != ChangeKind::kPragma || !Restorable(info.object)) continue;
    if (std::find(out.begin(), out.end(), info.object) == out.end()) out.push_back(info.object);
  }
  return out;
}

absl::Status PragmaGuard::Capture(absl::Span<const std::string> names) {
  for (const std::string& name : names) {
    if (!Restorable(name)) continue;  // only names from kRestorable ever reach the SQL
    ASSIGN_OR_RETURN(Rows r, Query(c_, absl::StrCat("PRAGMA main.", name)));
    if (!r.empty() && !r[0].empty()) saved_.emplace_back(name, r[0][0]);
  }
  return absl::OkStatus();
}

PragmaGuard::~PragmaGuard() {
  // After the transaction's rollback (the guard is declared before it): best effort, a setting
  // that cannot change back here (journal_mode inside the caller's transaction) stays as it is.
  for (const auto& [name, value] : saved_) {
    const bool text = std::holds_alternative<std::string>(value.storage());
    const std::string literal = text ? QuoteLiteral(value.AsText()) : value.AsText();
    Exec(c_, absl::StrCat("PRAGMA main.", name, " = ", literal)).IgnoreError();
  }
}

}  // namespace doctor::migrations
