// Light, pure scans of SQL text the advisor needs beyond what SQLite's planner tells it: which
// column a `?` is compared with (to bind a realistic value), the statements inside a trigger body,
// function-of-a-column predicates (expression index candidates), and UPSERT clauses (which the
// constraint probe cannot prepare). Quotes and comments are skipped; no SQLite here.
#ifndef DOCTOR_INDEXES_SQL_TEXT_H_
#define DOCTOR_INDEXES_SQL_TEXT_H_

#include <string>
#include <vector>

namespace doctor::indexes {

// For each positional parameter (`?`, `?NNN`, `:name`, `@name`, `$name`) in order of appearance:
// the column it is compared with ("email" for "u.email = ?"), "#limit" after LIMIT/OFFSET, or "".
// A named parameter with no column before it guesses its own name (":email" -> "email").
std::vector<std::string> ParameterColumns(const std::string& sql);

// Each parameter in order of appearance: its text ("?", "?2", ":name"), the column as
// ParameterColumns gives it, and how it is compared: "=" (also IN, IS, NOT LIKE), "<" (the column
// is below it: <, <=), ">" (>, >=), "[" and "]" (BETWEEN's bounds), "like" and "glob" (the whole
// pattern of `col LIKE ?` / `col GLOB ?`: a pattern the planner may turn into an index range),
// "limit" or "".
// A parameter compared with a function of one column ("json_extract(body, '$.status') = ?") also
// has that `expression` (as ExpressionPredicates writes it), and its column. `qualifier` is the
// table or alias written before the column ("u" in `u.id > ?`), or "". `begin`/`end`: the
// parameter's bytes in `sql`.
struct ParameterUse {
  std::string name, column, op;
  std::string expression;
  std::string qualifier;
  size_t begin = 0, end = 0;
};
std::vector<ParameterUse> ParameterUses(const std::string& sql);

// The statements of a CREATE TRIGGER body, with NEW.x / OLD.x replaced by `?`.
std::vector<std::string> TriggerBodyStatements(const std::string& create_trigger);

struct ExpressionUse {
  std::string expression;  // "lower(email)"
  std::string column;      // "email"
  bool equality = false;   // compared by = (or ==, IS)
  std::string literal;     // the literal it equals ("'open'", "-3"), or ""
};
// Calls of a scalar function on one column compared with something: "lower(email) = ?".
std::vector<ExpressionUse> ExpressionPredicates(const std::string& sql);

// The ORDER BY terms that are such a call: "json_extract(body, '$.total')" for
// "... ORDER BY json_extract(body, '$.total') DESC".
std::vector<ExpressionUse> OrderByExpressions(const std::string& sql);

// The `column = literal` terms of a CREATE INDEX statement's WHERE clause (a partial index's
// predicate): {"state", "'queued'"} for "CREATE INDEX q ON jobs(run_at) WHERE state = 'queued'".
struct ColumnLiteral {
  std::string column;
  std::string literal;  // a number ("-3", "2.5") or a quoted string ("'queued'")
};
std::vector<ColumnLiteral> PartialIndexEqualities(const std::string& create_index);

// The statement without its top-level "ON CONFLICT ..." clause (unchanged when it has none).
std::string WithoutUpsert(const std::string& sql);

// The statement without its top-level "RETURNING ..." clause (unchanged when it has none): the
// probe's virtual tables refuse RETURNING, and the clause changes no scan of the write.
// Example: WithoutReturning("DELETE FROM jobs WHERE id = ? RETURNING id") ==
//          "DELETE FROM jobs WHERE id = ? "
std::string WithoutReturning(const std::string& sql);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SQL_TEXT_H_
