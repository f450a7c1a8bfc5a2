// The SQL tokenizer (declared in sql_normalize.h): SQLite's tokenize.c rules, and its keywords.
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql_normalize.h"

namespace doctor {
namespace sql_internal {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// SQLite treats every byte >= 0x80 as part of a name (UTF-8 letters).
bool IsIdStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdChar(char c) { return IsIdStart(c) || IsDigit(c) || c == '$'; }

}  // namespace sql_internal

namespace {

using sql_internal::IsDigit;
using sql_internal::IsIdChar;
using sql_internal::IsIdStart;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// A UTF-8 byte-order mark, which SQLite's tokenizer takes for a space (tokenize.c, CC_BOM): a
// file saved by an editor that writes one runs in SQLite as without it.
bool IsByteOrderMark(absl::string_view s, size_t i) {
  return s.size() - i >= 3 && s[i] == '\xEF' && s[i + 1] == '\xBB' && s[i + 2] == '\xBF';
}

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A quoted string or name from its opening quote to its `close` (a doubled `close` inside is an
// escaped one when `doubled`); an unterminated one runs to the end.
size_t ScanQuoted(absl::string_view s, char close, bool doubled) {
  const size_t n = s.size();
  for (size_t i = 1; i < n; ++i) {
    if (s[i] != close) continue;
    if (doubled && i + 1 < n && s[i + 1] == close) {
      ++i;
      continue;
    }
    return i + 1;
  }
  return n;
}

// A number: decimal with fraction and exponent, hex, `_` between digits.
size_t ScanNumber(absl::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  if (s[0] == '0' && n > 2 && (s[1] == 'x' || s[1] == 'X') && IsHex(s[2])) {
    i = 2;
    while (i < n && (IsHex(s[i]) || (s[i] == '_' && i + 1 < n && IsHex(s[i + 1])))) ++i;
    return i;
  }
  auto digits = [&] {
    while (i < n && (IsDigit(s[i]) || (s[i] == '_' && i + 1 < n && IsDigit(s[i + 1])))) ++i;
  };
  digits();
  if (i < n && s[i] == '.') {
    ++i;
    digits();
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < n && IsDigit(s[j])) {
      i = j;
      digits();
    }
  }
  // SQLite rejects "12abc"; treat the glued name characters as part of the bad number.
  while (i < n && IsIdChar(s[i])) ++i;
  return i;
}

// A named parameter :name, @name, $name (with TCL's $a::b and $a(...) forms).
size_t ScanNamedParameter(absl::string_view s) {
  const size_t n = s.size();
  const char c = s[0];
  size_t i = 1;
  while (i < n) {
    if (IsIdChar(s[i])) {
      ++i;
    } else if (c == '$' && s[i] == ':' && i + 1 < n && s[i + 1] == ':') {
      i += 2;  // TCL-style $a::b
    } else if (c == '$' && s[i] == '(') {
      size_t close = s.find(')', i);
      return close == absl::string_view::npos ? n : close + 1;
    } else {
      break;
    }
  }
  return i;
}

size_t ScanOperator(absl::string_view s) {
  const size_t n = s.size();
  const char c = s[0];
  if (n > 1) {
    const char d = s[1];
    if (c == '-' && d == '>') return (n > 2 && s[2] == '>') ? 3 : 2;
    if ((c == '|' && d == '|') || (c == '<' && (d == '=' || d == '>' || d == '<')) ||
        (c == '>' && (d == '=' || d == '>')) || (c == '!' && d == '=') || (c == '=' && d == '=')) {
      return 2;
    }
  }
  // One byte, or a whole UTF-8 sequence would have been a name; any other byte stands alone.
  return 1;
}

// Length of the token starting at s[0] (s is not empty) and its kind.
size_t ScanToken(absl::string_view s, TokenKind* kind) {
  const size_t n = s.size();
  const char c = s[0];
  auto run = [&](TokenKind k, size_t len) {
    *kind = k;
    return len;
  };
  if (IsSpace(c) || IsByteOrderMark(s, 0)) {
    size_t i = 0;
    while (i < n) {
      if (IsSpace(s[i])) {
        ++i;
      } else if (IsByteOrderMark(s, i)) {
        i += 3;
      } else {
        break;
      }
    }
    return run(TokenKind::kSpace, i);
  }
  if (c == '-' && n > 1 && s[1] == '-') {
    size_t i = 2;
    while (i < n && s[i] != '\n') ++i;
    return run(TokenKind::kComment, i);
  }
  if (c == '/' && n > 1 && s[1] == '*') {
    size_t end = s.find("*/", 2);
    return run(TokenKind::kComment, end == absl::string_view::npos ? n : end + 2);
  }
  if (c == '\'') return run(TokenKind::kString, ScanQuoted(s, '\'', true));
  if ((c == 'x' || c == 'X') && n > 1 && s[1] == '\'') {
    size_t end = s.find('\'', 2);
    return run(TokenKind::kBlob, end == absl::string_view::npos ? n : end + 1);
  }
  if (c == '"' || c == '`') return run(TokenKind::kQuotedName, ScanQuoted(s, c, true));
  if (c == '[') return run(TokenKind::kQuotedName, ScanQuoted(s, ']', false));
  if (IsDigit(c) || (c == '.' && n > 1 && IsDigit(s[1]))) {
    return run(TokenKind::kNumber, ScanNumber(s));
  }
  if (c == '?') {
    size_t i = 1;
    while (i < n && IsDigit(s[i])) ++i;
    return run(TokenKind::kParameter, i);
  }
  if ((c == ':' || c == '@' || c == '$') && n > 1 && IsIdChar(s[1])) {
    return run(TokenKind::kParameter, ScanNamedParameter(s));
  }
  if (IsIdStart(c)) {
    size_t i = 1;
    while (i < n && IsIdChar(s[i])) ++i;
    return run(TokenKind::kWord, i);
  }
  return run(TokenKind::kOperator, ScanOperator(s));
}

// SQLite's keywords (mkkeywordhash.c) plus TRUE and FALSE, upper case, sorted for binary search.
constexpr const char* kKeywords[] = {
    "ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE", "AND", "AS", "ASC",
    "ATTACH", "AUTOINCREMENT", "BEFORE", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "CAST",
    "CHECK", "COLLATE", "COLUMN", "COMMIT", "CONFLICT", "CONSTRAINT", "CREATE", "CROSS", "CURRENT",
    "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATABASE", "DEFAULT", "DEFERRABLE",
    "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT", "DO", "DROP", "EACH", "ELSE", "END",
    "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE", "EXISTS", "EXPLAIN", "FAIL", "FALSE", "FILTER",
    "FIRST", "FOLLOWING", "FOR", "FOREIGN", "FROM", "FULL", "GENERATED", "GLOB", "GROUP", "GROUPS",
    "HAVING", "IF", "IGNORE", "IMMEDIATE", "IN", "INDEX", "INDEXED", "INITIALLY", "INNER",
    "INSERT", "INSTEAD", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN", "KEY", "LAST", "LEFT",
    "LIKE", "LIMIT", "MATCH", "MATERIALIZED", "NATURAL", "NO", "NOT", "NOTHING", "NOTNULL",
    "NULL", "NULLS", "OF", "OFFSET", "ON", "OR", "ORDER", "OTHERS", "OUTER", "OVER", "PARTITION",
    "PLAN", "PRAGMA", "PRECEDING", "PRIMARY", "QUERY", "RAISE", "RANGE", "RECURSIVE",
    "REFERENCES", "REGEXP", "REINDEX", "RELEASE", "RENAME", "REPLACE", "RESTRICT", "RETURNING",
    "RIGHT", "ROLLBACK", "ROW", "ROWS", "SAVEPOINT", "SELECT", "SET", "TABLE", "TEMP",
    "TEMPORARY", "THEN", "TIES", "TO", "TRANSACTION", "TRIGGER", "TRUE", "UNBOUNDED", "UNION",
    "UNIQUE", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW", "VIRTUAL", "WHEN", "WHERE", "WINDOW",
    "WITH", "WITHOUT",
};

}  // namespace

std::vector<Token> TokenizeSql(absl::string_view sql) {
  std::vector<Token> tokens;
  tokens.reserve(sql.size() / 3 + 1);
  size_t pos = 0;
  while (pos < sql.size()) {
    TokenKind kind;
    size_t len = ScanToken(sql.substr(pos), &kind);
    if (len == 0) len = 1;  // defensive: always make progress
    tokens.push_back({kind, sql.substr(pos, len)});
    pos += len;
  }
  return tokens;
}

namespace sql_internal {

const char* KeywordSpelling(absl::string_view word) {
  if (word.size() < 2 || word.size() > 17) return nullptr;
  static const auto* const keywords = [] {
    auto* set = new absl::flat_hash_set<absl::string_view>;
    for (const char* k : kKeywords) set->insert(k);
    return set;
  }();
  char upper[18];
  for (size_t i = 0; i < word.size(); ++i) upper[i] = absl::ascii_toupper(word[i]);
  auto it = keywords->find(absl::string_view(upper, word.size()));
  return it == keywords->end() ? nullptr : it->data();
}

}  // namespace sql_internal

std::string UnquoteSql(absl::string_view quoted) {
  if (quoted.empty()) return "";
  const char close = quoted[0] == '[' ? ']' : quoted[0];
  std::string out;
  for (size_t i = 1; i < quoted.size(); ++i) {
    if (quoted[i] == close) {
      if (close != ']' && i + 1 < quoted.size() && quoted[i + 1] == close) {
        out += close;
        ++i;
        continue;
      }
      break;
    }
    out += quoted[i];
  }
  return out;
}

bool IsSqlKeyword(absl::string_view word) {
  return sql_internal::KeywordSpelling(word) != nullptr;
}

namespace {

// "name" with embedded quotes doubled, as QuoteIdentifier (ext/core/sql.h) writes it.
std::string DoubleQuoted(absl::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

}  // namespace

std::string ReadableIdentifier(absl::string_view name) {
  bool plain = !name.empty() && !absl::ascii_isdigit(static_cast<unsigned char>(name[0]));
  for (unsigned char c : name) {
    if (!(absl::ascii_isalnum(c) || c == '_')) plain = false;
  }
  // Any keyword is quoted: a bare `primary` or `join` is a syntax error in a key list, and the
  // advice for such a column used to vanish (its candidate failed to build on the copy).
  if (IsSqlKeyword(name)) plain = false;
  return plain ? std::string(name) : DoubleQuoted(name);
}

std::string QualifiedIdentifier(absl::string_view schema, absl::string_view name) {
  return absl::StrCat(DoubleQuoted(schema), ".", ReadableIdentifier(name));
}

}  // namespace doctor
