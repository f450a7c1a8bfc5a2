// The connection settings a migration changes with PRAGMA, put back when the migration fails.
//
// Why: a PRAGMA such as journal_mode, synchronous or recursive_triggers changes the connection
// even inside the transaction that the failure rolls back, so "nothing was applied" would not be
// true of the connection. Only the settings that the migration's own PRAGMA statements name are
// read (nothing is read for a migration without PRAGMA), and only connection settings that can be
// read and written back are handled; a migration that succeeds keeps what it set.
//
// Example:
//   PragmaGuard guard(c);
//   RETURN_IF_ERROR(guard.Capture(SettingsPragmasOf(m.text)));
//   ... run and commit ...
//   guard.Keep();  // else the destructor restores the captured values
#ifndef DOCTOR_MIGRATIONS_PRAGMA_GUARD_H_
#define DOCTOR_MIGRATIONS_PRAGMA_GUARD_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ext/core/connection.h"
#include "ext/core/value.h"

namespace doctor::migrations {

// The names of the restorable connection settings that `sql`'s PRAGMA statements set, in order,
// without repeats (e.g. {"journal_mode", "synchronous"}), appended to `*names` when given.
std::vector<std::string> SettingsPragmasOf(absl::string_view sql,
                                           std::vector<std::string> names = {});

class PragmaGuard {
 public:
  explicit PragmaGuard(Connection& c) : c_(c) {}
  ~PragmaGuard();
  PragmaGuard(const PragmaGuard&) = delete;
  PragmaGuard& operator=(const PragmaGuard&) = delete;

  // Reads the current value of each setting (names from SettingsPragmasOf).
  absl::Status Capture(absl::Span<const std::string> names);
  // The migration committed: its settings stay.
  void Keep() { saved_.clear(); }

 private:
  Connection& c_;
  std::vector<std::pair<std::string, Value>> saved_;  // pragma -> value before
};

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_PRAGMA_GUARD_H_
