// The kind of a SQL statement, read once from the core tokenizer: comments and whitespace before
// the first keyword are skipped, and a WITH clause is looked through to the statement it prefixes.
// Every area asks here; none guesses from the first bytes of the text (a copy that did not skip
// comments once made a commented workload get no index advice at all).
//
// Example:
//   KindOfStatement("-- the queue poll\nSELECT * FROM jobs") == StatementKind::kSelect
//   KindOfStatement("WITH x AS (SELECT 1) DELETE FROM t") == StatementKind::kDelete
//   IsAdvisable(StatementKind::kUpdate) == true
#ifndef DOCTOR_CORE_STATEMENT_KIND_H_
#define DOCTOR_CORE_STATEMENT_KIND_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace doctor {

enum class StatementKind {
  kEmpty,      // nothing but whitespace, comments and semicolons
  kSelect,     // SELECT, or WITH ... SELECT
  kValues,     // VALUES (...), or WITH ... VALUES
  kInsert,     // INSERT, or WITH ... INSERT
  kReplace,    // REPLACE INTO
  kUpdate,     // UPDATE, or WITH ... UPDATE
  kDelete,     // DELETE, or WITH ... DELETE
  kCreate,     // CREATE TABLE / INDEX / VIEW / TRIGGER / VIRTUAL TABLE
  kDrop,       // DROP ...
  kAlter,      // ALTER TABLE
  kPragma,     // PRAGMA
  kBegin,      // BEGIN [DEFERRED | IMMEDIATE | EXCLUSIVE] [TRANSACTION]
  kCommit,     // COMMIT or END
  kRollback,   // ROLLBACK (also ROLLBACK TO savepoint)
  kSavepoint,  // SAVEPOINT name
  kRelease,    // RELEASE [SAVEPOINT] name
  kAnalyze,    // ANALYZE
  kVacuum,     // VACUUM
  kAttach,     // ATTACH
  kDetach,     // DETACH
  kReindex,    // REINDEX
  kExplain,    // EXPLAIN [QUERY PLAN] ...
  kOther,      // anything else (malformed text included)
};

// The kind of the first statement in `sql`.
StatementKind KindOfStatement(absl::string_view sql);

// The first keyword of `sql`, upper-cased, comments and whitespace skipped ("" when none).
std::string FirstKeyword(absl::string_view sql);

// N for a statement that sets SQLite's own busy handler: `PRAGMA [schema.]busy_timeout = N` or
// `(N)` (N an integer, a sign allowed; SQLite clamps a negative one to 0); nullopt for anything
// else, a read of the pragma included. Such a statement replaces whatever busy handler the
// connection had, doctor's counting one included (ext/wal/busy_handler.cc).
std::optional<int64_t> BusyTimeoutPragmaValue(absl::string_view sql);

// Queries and writes: what index advice and query plans are about.
bool IsAdvisable(StatementKind kind);
// SELECT and VALUES (read-only queries).
bool IsQuery(StatementKind kind);
// INSERT, REPLACE, UPDATE, DELETE.
bool IsWrite(StatementKind kind);
// BEGIN, COMMIT/END, ROLLBACK, SAVEPOINT, RELEASE.
bool IsTransactionControl(StatementKind kind);
// Statements whose EXPLAIN QUERY PLAN has no effect at prepare time and says something:
// queries and writes.
inline bool IsPlannable(StatementKind kind) { return IsAdvisable(kind); }

}  // namespace doctor

#endif  // DOCTOR_CORE_STATEMENT_KIND_H_
