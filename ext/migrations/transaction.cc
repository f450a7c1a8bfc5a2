#include "ext/migrations/transaction.h"

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor::migrations {

namespace {

// After a statement failed: when it was SQLITE_BUSY, why and what to do. Processes that migrate
// on start-up at once (web and worker) meet here; each waits only as long as its busy timeout.
std::string BusyHint(Connection& c) {
  if ((sqlite3_extended_errcode(c.db()) & 0xff) != SQLITE_BUSY) return "";
  // Not PRAGMA busy_timeout's value: it reads 0 once the wal area's counting handler waits in
  // SQLite's stead.
  return " (another connection holds the write lock, or in rollback-journal mode is still "
         "reading: e.g. another process migrating at the same time; this connection waits only as "
         "long as its busy timeout, 0 ms unless set (node:sqlite, Bun, the sqlite3 shell; "
         "better-sqlite3 and Python wait 5 s): set one, e.g. PRAGMA busy_timeout = 5000, and call "
         "it again: what the other applied meanwhile is then seen as applied)";
}

}  // namespace

Transaction::~Transaction() {
  if (open_) Rollback().IgnoreError();
}

absl::Status Transaction::Begin() {
  savepoint_ = sqlite3_get_autocommit(c_.db()) == 0;
  absl::Status s = Exec(c_, savepoint_ ? "SAVEPOINT doctor_migrate" : "BEGIN IMMEDIATE");
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("cannot start the transaction: ", s.message(),
                                               BusyHint(c_)));
  }
  open_ = true;
  return absl::OkStatus();
}

absl::Status Transaction::Commit() {
  open_ = false;
  absl::Status s = Exec(c_, savepoint_ ? "RELEASE doctor_migrate" : "COMMIT");
  if (!s.ok()) {
    const std::string hint = BusyHint(c_);
    Exec(c_, savepoint_ ? "ROLLBACK TO doctor_migrate; RELEASE doctor_migrate" : "ROLLBACK")
        .IgnoreError();
    return absl::Status(s.code(),
                        absl::StrCat("commit failed, rolled back: ", s.message(), hint));
  }
  return absl::OkStatus();
}

absl::Status Transaction::Rollback() {
  open_ = false;
  if (!savepoint_ && sqlite3_get_autocommit(c_.db())) return absl::OkStatus();  // already gone
  return Exec(c_, savepoint_ ? "ROLLBACK TO doctor_migrate; RELEASE doctor_migrate" : "ROLLBACK");
}

absl::StatusOr<bool> ForeignKeysOn(Connection& c) {
  ASSIGN_OR_RETURN(Rows r, Query(c, "PRAGMA foreign_keys"));
  return !r.empty() && r[0][0].AsInt() != 0;
}

namespace {

absl::Status SetForeignKeys(Connection& c, bool on) {
  return Exec(c, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF");
}

}  // namespace

ForeignKeysRestorer::~ForeignKeysRestorer() {
  if (changed_) SetForeignKeys(c_, on_).IgnoreError();
}

absl::Status ForeignKeysRestorer::Set(bool on) {
  changed_ = on != on_;
  return SetForeignKeys(c_, on);
}

absl::Status RefuseForeignKeysOffInTransaction(bool needs_off, bool in_transaction,
                                              absl::string_view who, absl::string_view run) {
  if (!needs_off || !in_transaction) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      who, " asks for PRAGMA foreign_keys=OFF, which SQLite ignores inside a transaction (a DROP "
      "TABLE would cascade-delete child rows): run ", run, " outside a transaction"));
}

}  // namespace doctor::migrations
