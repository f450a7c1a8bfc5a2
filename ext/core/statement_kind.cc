#include "ext/core/statement_kind.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "ext/core/sql_normalize.h"

namespace doctor {
namespace {

bool Significant(const Token& t) {
  return t.kind != TokenKind::kSpace && t.kind != TokenKind::kComment;
}

StatementKind KindOfWord(const std::string& w) {
  struct Entry {
    const char* word;
    StatementKind kind;
  };
  static constexpr Entry kKinds[] = {
      {"SELECT", StatementKind::kSelect},     {"VALUES", StatementKind::kValues},
      {"INSERT", StatementKind::kInsert},     {"REPLACE", StatementKind::kReplace},
      {"UPDATE", StatementKind::kUpdate},     {"DELETE", StatementKind::kDelete},
      {"CREATE", StatementKind::kCreate},     {"DROP", StatementKind::kDrop},
      {"ALTER", StatementKind::kAlter},       {"PRAGMA", StatementKind::kPragma},
      {"BEGIN", StatementKind::kBegin},       {"COMMIT", StatementKind::kCommit},
      {"END", StatementKind::kCommit},        {"ROLLBACK", StatementKind::kRollback},
      {"SAVEPOINT", StatementKind::kSavepoint}, {"RELEASE", StatementKind::kRelease},
      {"ANALYZE", StatementKind::kAnalyze},   {"VACUUM", StatementKind::kVacuum},
      {"ATTACH", StatementKind::kAttach},     {"DETACH", StatementKind::kDetach},
      {"REINDEX", StatementKind::kReindex},   {"EXPLAIN", StatementKind::kExplain},
  };
  for (const Entry& e : kKinds) {
    if (w == e.word) return e.kind;
  }
  return StatementKind::kOther;
}

// After WITH: the kind of the first SELECT/VALUES/INSERT/REPLACE/UPDATE/DELETE keyword outside
// the parentheses of the common table expressions.
StatementKind KindAfterWith(const std::vector<Token>& tokens, size_t from) {
  int depth = 0;
  for (size_t i = from; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == TokenKind::kOperator) {
      if (t.text == "(") ++depth;
      if (t.text == ")") --depth;
      if (t.text == ";" && depth <= 0) break;
      continue;
    }
    if (depth != 0 || t.kind != TokenKind::kWord) continue;
    StatementKind kind = KindOfWord(absl::AsciiStrToUpper(t.text));
    if (IsAdvisable(kind)) return kind;
  }
  return StatementKind::kOther;
}

}  // namespace

std::string FirstKeyword(absl::string_view sql) {
  for (const Token& t : TokenizeSql(sql)) {
    if (!Significant(t)) continue;
    if (t.kind == TokenKind::kOperator && t.text == ";") continue;
    return t.kind == TokenKind::kWord ? absl::AsciiStrToUpper(t.text) : std::string();
  }
  return "";
}

StatementKind KindOfStatement(absl::string_view sql) {
  std::vector<Token> tokens = TokenizeSql(sql);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (!Significant(t)) continue;
    if (t.kind == TokenKind::kOperator && t.text == ";") continue;
    if (t.kind != TokenKind::kWord) return StatementKind::kOther;
    std::string word = absl::AsciiStrToUpper(t.text);
    if (word == "WITH") return KindAfterWith(tokens, i + 1);
    return KindOfWord(word);
  }
  return StatementKind::kEmpty;
}

std::optional<int64_t> BusyTimeoutPragmaValue(absl::string_view sql) {
  std::vector<Token> tokens;
  for (const Token& t : TokenizeSql(sql)) {
    if (Significant(t)) tokens.push_back(t);
  }
  while (!tokens.empty() && tokens.back().text == ";") tokens.pop_back();
  size_t i = 0;
  auto word_is = [&](const char* w) {
    return i < tokens.size() && tokens[i].kind == TokenKind::kWord &&
           absl::EqualsIgnoreCase(tokens[i].text, w);
  };
  if (!word_is("PRAGMA")) return std::nullopt;
  ++i;
  if (i + 1 < tokens.size() && tokens[i + 1].text == ".") i += 2;  // a schema name
  if (!word_is("busy_timeout")) return std::nullopt;
  ++i;
  const bool parenthesised = i < tokens.size() && tokens[i].text == "(";
  if (i >= tokens.size() || (tokens[i].text != "=" && !parenthesised)) return std::nullopt;
  ++i;
  bool negative = false;
  if (i < tokens.size() && (tokens[i].text == "-" || tokens[i].text == "+")) {
    negative = tokens[i].text == "-";
    ++i;
  }
  int64_t value = 0;
  if (i >= tokens.size() || tokens[i].kind != TokenKind::kNumber ||
      !absl::SimpleAtoi(tokens[i].text, &value)) {
    return std::nullopt;
  }
  ++i;
  if (parenthesised && (i >= tokens.size() || tokens[i++].text != ")")) return std::nullopt;
  if (i != tokens.size()) return std::nullopt;
  return negative ? -value : value;
}

bool IsAdvisable(StatementKind kind) { return IsQuery(kind) || IsWrite(kind); }

bool IsQuery(StatementKind kind) {
  return kind == StatementKind::kSelect || kind == StatementKind::kValues;
}

bool IsWrite(StatementKind kind) {
  return kind == StatementKind::kInsert || kind == StatementKind::kReplace ||
         kind == StatementKind::kUpdate || kind == StatementKind::kDelete;
}

bool IsTransactionControl(StatementKind kind) {
  return kind == StatementKind::kBegin || kind == StatementKind::kCommit ||
         kind == StatementKind::kRollback || kind == StatementKind::kSavepoint ||
         kind == StatementKind::kRelease;
}

}  // namespace doctor
