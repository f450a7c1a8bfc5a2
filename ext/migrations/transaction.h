// The transaction a migration runs in, and foreign keys around it.
//
// A run opens BEGIN IMMEDIATE, or a SAVEPOINT when the caller is already inside a transaction;
// anything not committed is rolled back when the Transaction goes out of scope.
//
// SQLite ignores PRAGMA foreign_keys inside a transaction, so a migration that asks for
// foreign_keys=OFF (drizzle-kit's table rebuilds) gets it turned off before BEGIN and back on
// afterwards (ForeignKeysRestorer); inside the caller's transaction that is impossible and the
// migration is refused (RefuseForeignKeysOffInTransaction), else a DROP TABLE would cascade.
//
// Example:
//   ForeignKeysRestorer restore(c, fk_on);
//   if (fk_guard) RETURN_IF_ERROR(restore.Set(false));
//   Transaction txn(c);
//   RETURN_IF_ERROR(txn.Begin());
//   ... run ...
//   RETURN_IF_ERROR(txn.Commit());
#ifndef DOCTOR_MIGRATIONS_TRANSACTION_H_
#define DOCTOR_MIGRATIONS_TRANSACTION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ext/core/connection.h"

namespace doctor::migrations {

// BEGIN IMMEDIATE, or a savepoint inside the caller's transaction.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  absl::Status Begin();
  // COMMIT (or RELEASE); on failure everything is rolled back and the error says so.
  absl::Status Commit();
  absl::Status Rollback();

 private:
  Connection& c_;
  bool open_ = false;
  bool savepoint_ = false;
};

absl::StatusOr<bool> ForeignKeysOn(Connection& c);

// Restores foreign_keys to `on` when it goes out of scope, if Set changed it.
class ForeignKeysRestorer {
 public:
  ForeignKeysRestorer(Connection& c, bool on) : c_(c), on_(on) {}
  ~ForeignKeysRestorer();
  ForeignKeysRestorer(const ForeignKeysRestorer&) = delete;
  ForeignKeysRestorer& operator=(const ForeignKeysRestorer&) = delete;
  absl::Status Set(bool on);

 private:
  Connection& c_;
  bool on_;
  bool changed_ = false;
};

// An error when `needs_off` (the migration asks for foreign_keys=OFF on a connection with them
// on) and the caller is inside a transaction. `who`: "migration 'x'"; `run`: what to run outside
// a transaction ("it", "migrate_dir").
absl::Status RefuseForeignKeysOffInTransaction(bool needs_off, bool in_transaction,
                                              absl::string_view who, absl::string_view run);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_TRANSACTION_H_
