// Pure text handling for migrations (no SQLite): tokens (core's SQLite-faithful tokenizer, in
// coarser kinds), a canonical form of schema SQL that ignores whitespace, comments, keyword case
// and identifier quoting, Drizzle's `--> statement-breakpoint` splitter, a statement splitter, and statement
// classification.
//
// Example:
//   CanonicalSchemaSql("CREATE TABLE `t` (\n  \"A\" int -- note\n)") == "create table t ( a int )"
//   SplitBreakpoints("a;--> statement-breakpoint\nb;") == {"a;", "\nb;"}
#ifndef DOCTOR_MIGRATIONS_SQL_TEXT_H_
#define DOCTOR_MIGRATIONS_SQL_TEXT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace doctor::migrations {

// Drizzle-kit's separator between statements of one migration file.
inline constexpr char kBreakpointText[] = "--> statement-breakpoint";
inline constexpr absl::string_view kBreakpoint = kBreakpointText;

struct Token {
  enum Kind { kWord, kIdent, kString, kNumber, kPunct };
  Kind kind;
  absl::string_view text;  // as written (quotes included)
  size_t offset;           // byte offset in the input
};

// Tokens of `sql`, skipping whitespace and comments. Never fails: unterminated quotes or
// comments run to the end of the input.
std::vector<Token> Tokenize(absl::string_view sql);

// A token in normal form: words and identifiers lowercased and unquoted (quoted only when they
// are not plain names), strings and numbers as written.
std::string NormalToken(const Token& token);

// The canonical text of schema SQL, for comparing schemas: space-separated normal tokens, equal
// for SQL that differs only in whitespace, comments, keyword or identifier case and identifier
// quoting style. Literals are kept as written (a changed DEFAULT is a changed schema). Not core's
// NormalizeSql, which upper-cases keywords and folds literals into `?` for query shapes.
std::string CanonicalSchemaSql(absl::string_view sql);

// Splits exactly like JavaScript's text.split("--> statement-breakpoint") (what Drizzle runs).
std::vector<std::string> SplitBreakpoints(absl::string_view text);

// True when `sql` holds nothing but whitespace, comments and semicolons.
bool IsBlankSql(absl::string_view sql);

// The statements of `sql` (each with its semicolon, leading blanks trimmed), blank ones left
// out. CREATE TRIGGER bodies stay whole (a `;` inside BEGIN ... END does not split), as
// sqlite3_complete() decides.
std::vector<absl::string_view> SplitStatements(absl::string_view sql);

// The statements a migration runs: a Drizzle file (`breakpoints`) split on its breakpoints first,
// then each piece as SplitStatements splits it; comment-only pieces left out. None: the migration
// is empty (migrate refuses it, migration_status calls it an error).
std::vector<std::string> MigrationStatements(absl::string_view text, bool breakpoints);

// The first `n` words of a statement, lowercased ("alter", "table", ...); identifiers count too.
std::vector<std::string> LeadingWords(absl::string_view sql, size_t n);

// True when `sql` contains `PRAGMA [schema.]foreign_keys = OFF|0|false|no` (or the call form).
bool AsksForeignKeysOff(absl::string_view sql);

// The kind of change a statement makes, for migration safety: what migrate() and migrate_check()
// treat specially. Finer than core's StatementKind (which Classify starts from): DROP TABLE vs
// DROP INDEX, ALTER TABLE's DROP COLUMN / RENAME TO / ADD COLUMN.
enum class ChangeKind {
  kOther,
  kTransactionControl,  // BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE
  kPragma,
  kDropTable,
  kDropIndex,
  kDropView,
  kDropTrigger,
  kDropColumn,  // ALTER TABLE t DROP [COLUMN] c
  kRenameTable, // ALTER TABLE t RENAME TO u
  kAddColumn,   // ALTER TABLE t ADD [COLUMN] ...
  kCreateTable,
  kCreateIndex,
  kVacuum,
  kAttach,
};

struct ChangeInfo {
  ChangeKind kind = ChangeKind::kOther;
  std::string object;    // table / index / pragma name (normal form), when the kind has one
  std::string object2;   // DROP COLUMN: the column; RENAME TO: the new name; PRAGMA: its value
  bool has_not_null_without_default = false;  // ADD COLUMN ... NOT NULL with no DEFAULT
};

ChangeInfo Classify(absl::string_view statement);

// The name (normal form, schema left out) that CREATE [TEMP] [UNIQUE | VIRTUAL] TABLE | INDEX |
// VIEW | TRIGGER [IF NOT EXISTS] [schema.]name creates; "" for any other statement.
std::string CreatedName(absl::string_view statement);

// True when a statement can only add rows to sqlite_schema, never change or delete one: CREATE
// and plain DML that does not name sqlite_schema. Lets the schema hash after a migration read only
// the rows appended to sqlite_schema.
bool IsAdditiveStatement(absl::string_view statement);

// CRLF -> LF.
std::string NormalizeLineEndings(absl::string_view text);

// A statement on one line for messages: whitespace runs become one space, and text beyond `max`
// bytes is cut (at a character boundary) and marked with "...".
std::string Excerpt(absl::string_view sql, size_t max = 80);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_SQL_TEXT_H_
