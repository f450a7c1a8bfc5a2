// Which keywords are names where they stand (declared in sql_normalize.h, sql_internal).
//
// SQLite's grammar lets most of its keywords be names: parse.y's `%fallback ID` list turns ACTION,
// KEY, FIRST, END, ... into an identifier wherever the keyword cannot stand, so a table may have
// columns `key` and `action` written bare. The normalizer shows a name as a name (folded to lower
// case, `key`) and a keyword as a keyword (`KEY` in `PRIMARY KEY`), so it must tell them apart
// without a parser. It looks at the tokens around the word: after `(`, `,`, an operator, or a
// keyword that an expression or a name follows (SELECT, WHERE, SET, BY, ...), a fallback keyword
// is a name unless what follows makes it the keyword (`CAST(`, `PARTITION BY`, `CURRENT ROW`,
// `UNBOUNDED PRECEDING`, `OR REPLACE`, `RAISE(ABORT`, `ON CONFLICT`, `(WITH`).
//
// A wrong guess is harmless for grouping: the decision depends only on the context, never on how
// the word was spelled, so every spelling of one statement still gets one shape. It decides only
// the case shown, and whether a quoted keyword ("key") may be written bare.
#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "ext/core/sql_normalize.h"

namespace doctor {
namespace sql_internal {
namespace {

bool OneOf(absl::string_view word, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return word == w; });
}

}  // namespace

// parse.y's `%fallback ID` list (LIKE_KW and COLUMNKW spelled out), plus the window words the
// tokenizer turns into names by look-ahead (FILTER, OVER, WINDOW). Left out on purpose: the
// words that start an expression, which SQLite never takes as a name where a value may stand
// (CAST, RAISE, and CTIME_KW: CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP), so a quoted
// "cast" stays quoted.
bool IsFallbackKeyword(absl::string_view upper) {
  return OneOf(upper, {"ABORT",     "ACTION",     "AFTER",     "ALWAYS",    "ANALYZE",
                       "ASC",       "ATTACH",     "BEFORE",    "BEGIN",     "BY",
                       "CASCADE",   "COLUMN",    "CONFLICT",  "CURRENT",
                       "DATABASE",  "DEFERRED",   "DESC",      "DETACH",    "DO",
                       "EACH",      "END",        "EXCLUDE",   "EXCLUSIVE", "EXPLAIN",
                       "FAIL",      "FILTER",     "FIRST",     "FOLLOWING", "FOR",
                       "GENERATED", "GLOB",       "GROUPS",    "IF",        "IGNORE",
                       "IMMEDIATE", "INITIALLY",  "INSTEAD",   "KEY",       "LAST",
                       "LIKE",      "MATCH",      "MATERIALIZED", "NO",     "NULLS",
                       "OF",        "OFFSET",     "OTHERS",    "OVER",      "PARTITION",
                       "PLAN",      "PRAGMA",     "PRECEDING", "QUERY",
                       "RANGE",     "RECURSIVE",  "REGEXP",    "REINDEX",   "RELEASE",
                       "RENAME",    "REPLACE",    "RESTRICT",  "ROLLBACK",  "ROW",
                       "ROWS",      "SAVEPOINT",  "TEMP",      "TEMPORARY", "TIES",
                       "TRIGGER",   "UNBOUNDED",  "VACUUM",    "VIEW",      "VIRTUAL",
                       "WINDOW",    "WITH",       "WITHOUT"});
}

namespace {

// After these an operand or a name starts: a bare word here is a column, a table or a function.
bool StartsName(absl::string_view before) {
  return OneOf(before, {"(",     ",",      "=",        "==",    "!=",     "<>",     "<",
                        ">",     "<=",     ">=",       "+",     "-",      "*",      "/",
                        "%",     "||",     "&",        "|",     "<<",     ">>",     "->",
                        "->>",   "~",      "SELECT",   "DISTINCT", "ALL", "WHERE",  "AND",
                        "OR",    "ON",     "SET",      "BY",    "FROM",   "JOIN",   "INTO",
                        "HAVING", "WHEN",  "THEN",     "ELSE",  "CASE",   "BETWEEN", "OF",
                        "RETURNING"});
}

}  // namespace

bool KeywordIsName(absl::string_view upper, const WordContext& at) {
  if (!IsFallbackKeyword(upper) || !StartsName(at.before)) return false;
  // What follows makes it the keyword.
  if (at.after == "(" || at.after == "BY") return false;  // REPLACE(, LIKE(, PARTITION BY
  if (upper == "CURRENT" && at.after == "ROW") return false;
  if (at.after == "PRECEDING" || at.after == "FOLLOWING") return false;  // UNBOUNDED PRECEDING
  if (OneOf(upper, {"ROWS", "RANGE", "GROUPS"}) && at.before == "(" &&
      (at.after == "BETWEEN" || at.after == "UNBOUNDED" || at.after == "CURRENT" ||
       at.after == "?")) {
    return false;  // OVER (ROWS BETWEEN ...)
  }
  // What precedes makes it the keyword.
  if (upper == "WITH" && at.before == "(") return false;           // (WITH c AS (...) SELECT ...)
  if (upper == "CONFLICT" && at.before == "ON") return false;      // ON CONFLICT DO NOTHING
  if (at.before == "OR" && OneOf(at.before2, {"INSERT", "UPDATE"})) return false;  // OR REPLACE
  if (at.before == "(" && at.before2 == "RAISE") return false;     // RAISE(ABORT, 'message')
  return true;
}

absl::string_view TokenContext(const Token* token) {
  if (token == nullptr) return "";
  switch (token->kind) {
    case TokenKind::kWord: {
      const char* keyword = KeywordSpelling(token->text);
      return keyword == nullptr ? "" : keyword;
    }
    case TokenKind::kOperator:
      return token->text;
    case TokenKind::kQuotedName:
    case TokenKind::kSpace:
    case TokenKind::kComment:
      return "";
    default:
      return "?";
  }
}

bool IsNamePosition(const Token* prev, const Token* next) {
  return (prev != nullptr && prev->kind == TokenKind::kOperator && prev->text == ".") ||
         (next != nullptr && next->kind == TokenKind::kOperator && next->text == ".") ||
         (prev != nullptr && prev->kind == TokenKind::kWord &&
          absl::EqualsIgnoreCase(prev->text, "AS"));
}

bool StartsQueryAfterAs(absl::string_view upper, const Token* prev, const Token* next) {
  if (prev == nullptr || !absl::EqualsIgnoreCase(prev->text, "AS")) return false;
  if (upper == "SELECT" || upper == "VALUES" || upper == "NOT") return true;
  if (upper == "MATERIALIZED") return TokenContext(next) == "(";
  if (upper == "WITH" && next != nullptr) {
    return next->kind == TokenKind::kQuotedName ||
           (next->kind == TokenKind::kWord &&
            (TokenContext(next).empty() || TokenContext(next) == "RECURSIVE"));
  }
  return false;
}

}  // namespace sql_internal
}  // namespace doctor
