#include "ext/migrations/journal_mode_change.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {

absl::StatusOr<std::string> JournalModeOf(sqlite3* db) {
  ASSIGN_OR_RETURN(Rows mode, Query(db, "PRAGMA main.journal_mode"));
  return mode.empty() ? std::string() : mode[0][0].AsText();
}

std::string JournalModeChangeRefusal(const std::string& statement, const std::string& mode) {
  const ChangeInfo info = Classify(statement);
  if (info.kind != ChangeKind::kPragma || info.object != "journal_mode" || info.object2.empty()) {
    return "";
  }
  std::string wanted = absl::AsciiStrToLower(info.object2);
  if (wanted.size() >= 2 && (wanted[0] == '\'' || wanted[0] == '"')) {
    wanted = wanted.substr(1, wanted.size() - 2);
  }
  if (wanted == mode) return "";
  return absl::StrCat("cannot run inside a migration: the journal mode (now ", mode,
                      ") cannot change inside the transaction a migration runs in; set it when "
                      "the application opens the database");
}

}  // namespace doctor::migrations
