#include "ext/core/register.h"

#include "absl/strings/str_cat.h"
#include "ext/core/connection.h"
#include "ext/core/function.h"
#include "ext/core/private_db.h"
#include "ext/core/status_macros.h"
#include "ext/core/table.h"

namespace doctor {

absl::Status RegisterAreas(sqlite3* db, absl::Span<const Area* const> areas) {
  if (!SqliteAtLeast(kMinimumSqliteVersion)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sqlite-doctor needs SQLite 3.37.0 or newer; this is ", sqlite3_libversion()));
  }
  if (OpeningOwnConnection()) return absl::OkStatus();  // private_db.h: nothing on our own
  Connection* connection = Connection::Acquire(db, areas);
  absl::Status status;
  for (const Area* area : areas) {
    for (const FunctionSpec& f : area->functions) {
      status.Update(RegisterFunction(*connection, f));
    }
    for (const TableSpec& t : area->tables) status.Update(RegisterTable(*connection, t));
  }
  for (const Area* area : areas) {
    if (status.ok() && area->attach != nullptr) status.Update(area->attach(*connection));
  }
  connection->Unref();  // the registrations hold their own references
  return status;
}

Setting* FindSetting(absl::Span<const Area* const> areas, absl::string_view name) {
  for (const Area* area : areas) {
    for (Setting* s : area->settings) {
      if (s->name() == name) return s;
    }
  }
  return nullptr;
}

}  // namespace doctor
