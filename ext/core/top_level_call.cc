#include "ext/core/top_level_call.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "ext/core/sql_normalize.h"

namespace doctor {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

bool Is(const Token& token, absl::string_view word) {
  return token.kind == TokenKind::kWord && absl::EqualsIgnoreCase(token.text, word);
}

bool IsOp(const Token& token, absl::string_view op) {
  return token.kind == TokenKind::kOperator && token.text == op;
}

// The statement's tokens without whitespace and comments, up to its first `;`.
std::vector<Token> SignificantTokens(absl::string_view sql) {
  std::vector<Token> out;
  for (const Token& t : TokenizeSql(sql)) {
    if (t.kind == TokenKind::kSpace || t.kind == TokenKind::kComment) continue;
    if (IsOp(t, ";")) break;
    out.push_back(t);
  }
  return out;
}

// For a CREATE statement: the index of the first token of the SELECT in CREATE [TEMP] TABLE ...
// AS SELECT, or kNone for every other CREATE (its expressions are stored, not run).
size_t StartOfCreateTableAs(const std::vector<Token>& t) {
  size_t i = 1;
  if (i < t.size() && (Is(t[i], "TEMP") || Is(t[i], "TEMPORARY"))) ++i;
  if (i >= t.size() || !Is(t[i], "TABLE")) return kNone;
  for (++i; i < t.size(); ++i) {
    if (IsOp(t[i], "(")) return kNone;  // a column list: no AS SELECT follows
    if (Is(t[i], "AS")) return i + 1;
  }
  return kNone;
}

// True when the previous token puts a name where it is a table, view, index or trigger.
bool AfterNonCallWord(const Token& previous) {
  static constexpr absl::string_view kWords[] = {"INTO", "TABLE",   "VIEW",       "INDEX",
                                                 "TRIGGER", "ON",  "REFERENCES", "FROM",
                                                 "JOIN",  "UPDATE"};
  if (IsOp(previous, ".")) return true;
  for (absl::string_view w : kWords) {
    if (Is(previous, w)) return true;
  }
  return false;
}

// True when the `(` at `open` starts a CTE's column list: `name(cols) AS [NOT] [MATERIALIZED] (`.
bool IsCteColumnList(const std::vector<Token>& t, size_t open) {
  int depth = 0;
  size_t close = open;
  for (; close < t.size(); ++close) {
    if (IsOp(t[close], "(")) ++depth;
    if (IsOp(t[close], ")") && --depth == 0) break;
  }
  size_t i = close + 1;
  if (i >= t.size() || !Is(t[i], "AS")) return false;
  ++i;
  if (i < t.size() && Is(t[i], "NOT")) ++i;
  if (i < t.size() && Is(t[i], "MATERIALIZED")) ++i;
  return i < t.size() && IsOp(t[i], "(");
}

bool IsName(const Token& token, absl::string_view name) {
  if (token.kind == TokenKind::kWord) return absl::EqualsIgnoreCase(token.text, name);
  if (token.kind == TokenKind::kQuotedName) return absl::EqualsIgnoreCase(UnquoteSql(token.text), name);
  return false;
}

}  // namespace

bool CallsAtTopLevel(absl::string_view sql, absl::string_view name) {
  const std::vector<Token> t = SignificantTokens(sql);
  if (t.empty()) return false;
  size_t start = 0;
  if (Is(t[0], "CREATE")) {
    start = StartOfCreateTableAs(t);
    if (start == kNone) return false;
  }
  for (size_t i = start; i + 1 < t.size(); ++i) {
    if (!IsName(t[i], name) || !IsOp(t[i + 1], "(")) continue;
    if (i > 0 && AfterNonCallWord(t[i - 1])) continue;
    if (IsCteColumnList(t, i + 1)) continue;
    return true;
  }
  return false;
}

}  // namespace doctor
