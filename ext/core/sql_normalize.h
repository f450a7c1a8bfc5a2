// A SQL tokenizer and the normalizer that turns a statement into its query shape, with a stable id.
// Pure C++: no SQLite, so it is unit-tested and fuzzed on its own.
//
// Example:
//   NormalizeSql("select * from t where id in (1, 2, 3) and name = 'x' -- hi")
//     == "SELECT * FROM t WHERE id IN (?+) AND name = ?"
//   QueryId(that text) == Fnv1a64(that text), the same in every process and every run.
//
// Rules of the normalized text (the "query" column of query_stats), adapted from
// pg_stat_statements' (its regression tests; ext/timing/README.md "Grouping" says where we differ):
//   - literals (numbers, strings, blobs x'..', NULL, TRUE, FALSE) and parameters (?, ?NNN, :name,
//     @name, $name) become `?`; a unary minus or plus directly before a number or parameter is
//     folded into it (`a = -5` -> `a = ?`, but `a - 5` -> `a - ?`). After IS and NOT, NULL, TRUE
//     and FALSE stay: `x IS TRUE` tests truth where `x IS 1` tests equality.
//   - CREATE, ALTER, DROP and PRAGMA keep their literals (`DEFAULT 0`, `CHECK (a > 0)`, a partial
//     index's WHERE, `PRAGMA cache_size = -2000`): they are part of the definition or setting, and
//     SQLite allows no parameter there. The query of `CREATE TABLE x AS SELECT ...` is normalized.
//   - a parenthesised list of two or more `?` after IN becomes `(?+)`: `IN (1, 2)`, `IN (1, 2, 3)`
//     and `IN (?, ?)` share one shape (as PostgreSQL 18 squashes them); `IN (1)` stays `IN (?)`
//     (SQLite runs it as `= ?`). `(?+)` is not valid SQL; `example` is the runnable form.
//   - two or more identical tuples after VALUES fold into the first followed by `+`:
//     `VALUES (1, 'a'), (2, 'b')` -> `VALUES (?, ?)+`. A single-row VALUES stays as it is.
//   - comments are dropped; tokens are separated by one space, with none after `(` or `.` and
//     none before `)`, `,`, `.` or `;`, and none between a name and the `(` of its call.
//   - SQL keywords are upper-cased (SQLite's keyword list plus TRUE/FALSE). A keyword SQLite also
//     takes as a name (KEY, ACTION, FIRST, END, ...: parse.y's %fallback ID) is a name where it
//     stands for one (`SELECT key, action FROM t`; sql_keyword_name.cc), and so is any word right
//     after or before `.` and after AS (`t.key`, `AS order`).
//   - names are folded as SQLite resolves them: quotes removed and ASCII letters lower-cased, so
//     `users`, `Users`, "users", `users` (backquoted) and [users] are one name `users`; a name
//     that is not a plain identifier, or is a reserved keyword, is written in double quotes
//     ("first name", "order", "values"); "key" where `key` is a name is written `key`.
//     Non-ASCII letters are kept (SQLite does not fold them either).
//   - an integer that is a whole ORDER BY or GROUP BY term is a column position and is kept
//     (`ORDER BY 1` and `ORDER BY 2` are different statements), also as `+2` (written `2`) or
//     `(2)`, which SQLite reads as positions too.
//   - literals that are not values stay (ext/timing/README.md "Literals that are not values"):
//     a LIMIT count that is a non-negative integer (SQLite plans with it: `LIMIT 1` and
//     `LIMIT 1000` can have different plans; OFFSET, `LIMIT ?`, a negative or real count fold);
//     a string where SQLite's grammar reads a name is that name (`FROM 'users'` -> `FROM users`,
//     `INSERT INTO t('a')`, `SET 'a' = ?`, `COLLATE 'nocase'`, `CAST(x AS 'text')`, aliases);
//     a JSON path (a whole string argument in a path position of json_extract, json_type,
//     json_array_length, json_each, json_tree, json_set/insert/replace/remove and their jsonb_
//     forms, or the literal right of `->` / `->>`) and strftime's format are kept as written.
//   - transaction control has one spelling per statement: BEGIN [DEFERRED] [TRANSACTION] ->
//     `BEGIN`, `BEGIN IMMEDIATE`, `BEGIN EXCLUSIVE` (the modes stay apart), END/COMMIT
//     [TRANSACTION] -> `COMMIT`, ROLLBACK [TRANSACTION] -> `ROLLBACK`; savepoint names fold:
//     `SAVEPOINT ?`, `RELEASE ?` (with or without SAVEPOINT), `ROLLBACK TO ?`.
//   - several statements are normalized one by one and joined with "; "; empty statements and
//     a trailing `;` are dropped.
#ifndef DOCTOR_CORE_SQL_NORMALIZE_H_
#define DOCTOR_CORE_SQL_NORMALIZE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace doctor {

enum class TokenKind {
  kSpace,       // whitespace
  kComment,     // -- line or /* block */
  kWord,        // a bare name or keyword
  kQuotedName,  // "x", `x` or [x]
  kString,      // 'text'
  kBlob,        // x'hex'
  kNumber,      // 12, 1.5e3, .5, 0x1F, 1_000
  kParameter,   // ?, ?NNN, :name, @name, $name
  kOperator,    // punctuation and operators: ( ) , ; . = <> || -> ...
};

struct Token {
  TokenKind kind;
  absl::string_view text;  // a view into the tokenized input
};

// Splits SQL into tokens following SQLite's tokenizer (tokenize.c). Never fails: an unterminated
// string, quoted name or comment runs to the end of the input; an unknown byte is an operator.
std::vector<Token> TokenizeSql(absl::string_view sql);

// The text inside a quoted name or string token ("a""b" -> a"b, [x] -> x, 'it''s' -> it's); an
// unterminated one (it ran to the end of the input) keeps everything after its opening quote.
std::string UnquoteSql(absl::string_view quoted);

// True when `word` (any case) is one of SQLite's keywords, or TRUE/FALSE.
bool IsSqlKeyword(absl::string_view word);

// An identifier as a person writes it in advice and fixes: bare when it is a plain word that is
// not a keyword, else quoted as QuoteIdentifier quotes it (ext/core/sql.h). Every fix_sql that
// names an index uses it, so one report does not name one index two ways.
std::string ReadableIdentifier(absl::string_view name);
// `name` of `schema` as a fix names it: "main".name, the schema quoted and the name as
// ReadableIdentifier writes it. Fixes for a schema's objects name the schema: SQLite resolves an
// unqualified name in temp first, so index_lint's `DROP INDEX users_created` dropped a temp index
// of that name, and its `CREATE INDEX ... ON jobs(...)` built on a temp table named jobs.
std::string QualifiedIdentifier(absl::string_view schema, absl::string_view name);

// The normalized shape of `sql` (rules above).
std::string NormalizeSql(absl::string_view sql);

// A runnable statement for a normalized shape (from NormalizeSql only): the folded lists become
// one parameter or one row again, `IN (?+)` -> `IN (?)` and `VALUES (?, ?)+` -> `VALUES (?, ?)`,
// so the shape prepares and can be planned, measured or advised with its `?` bound. Readers of
// query_stats use it when a row has no literal example (examples stay in their process).
std::string RunnableShape(absl::string_view normalized);

// The statement to run for a query_stats row: its literal example when there is one, else the
// runnable form of its shape.
std::string RunnableQuery(absl::string_view normalized, absl::string_view example);

// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3), as published by
// Fowler, Noll and Vo: a fixed, documented function, so ids agree across processes and builds.
uint64_t Fnv1a64(absl::string_view bytes);

// The query id of a normalized text: the low 53 bits of Fnv1a64 of its bytes, a non-negative
// integer a JavaScript number holds exactly (better-sqlite3 reads integers as numbers unless the
// application asks for BigInts: a 64-bit id came back with its low bits lost and matched no row).
// 2^53 ids: for 10^6 distinct shapes the chance of any collision is about 6 in 100,000.
constexpr int64_t kQueryIdMask = (int64_t{1} << 53) - 1;
inline int64_t QueryId(absl::string_view normalized) {
  return static_cast<int64_t>(Fnv1a64(normalized)) & kQueryIdMask;
}

// Internals shared by the tokenizer (sql_tokenize.cc) and the normalizer; not for other callers.
namespace sql_internal {
// Character classes of SQLite's tokenizer.
bool IsDigit(char c);
bool IsIdStart(char c);
bool IsIdChar(char c);
// The upper-case spelling of a keyword (static storage), or nullptr when `word` is not one.
const char* KeywordSpelling(absl::string_view word);

// The tokens around a word: keywords upper-case, operators as written, "?" for a literal or a
// parameter, "" for a name or nothing (sql_keyword_name.cc).
struct WordContext {
  absl::string_view before2;  // the token before `before`
  absl::string_view before;   // the previous token
  absl::string_view after;    // the next token
};

// True when the keyword `upper` (upper-case) stands for a name at `at`: it is one SQLite also
// takes as a name (parse.y's %fallback ID: KEY, ACTION, FIRST, ...) and it stands where a name
// does (`SELECT key, action FROM t`, but `PRIMARY KEY`, `PARTITION BY`, `CAST(` are keywords).
bool KeywordIsName(absl::string_view upper, const WordContext& at);
// True for the keywords of that %fallback ID list (upper-case).
bool IsFallbackKeyword(absl::string_view upper);
// How `token` reads as a WordContext entry ("" for nullptr).
absl::string_view TokenContext(const Token* token);
// Right after or before `.`, or after AS, a word is a name even when it is a keyword ...
bool IsNamePosition(const Token* prev, const Token* next);
// ... except what starts the query after AS: `AS SELECT`, `AS VALUES`, `AS WITH c ...`,
// `AS NOT MATERIALIZED`, `AS MATERIALIZED (`.
bool StartsQueryAfterAs(absl::string_view upper, const Token* prev, const Token* next);
}  // namespace sql_internal

}  // namespace doctor

#endif  // DOCTOR_CORE_SQL_NORMALIZE_H_
