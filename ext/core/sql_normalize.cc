#include "ext/core/sql_normalize.h"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace doctor {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// SQLite treats every byte >= 0x80 as part of a name (UTF-8 letters).
bool IsIdStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdChar(char c) { return IsIdStart(c) || IsDigit(c) || c == '$'; }

// Length of the token starting at s[0] (s is not empty) and its kind.
size_t ScanToken(absl::string_view s, TokenKind* kind) {
  const size_t n = s.size();
  const char c = s[0];
  auto quoted = [&](char close, bool doubled) {
    size_t i = 1;
    while (i < n) {
      if (s[i] == close) {
        if (doubled && i + 1 < n && s[i + 1] == close) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      ++i;
    }
    return n;  // unterminated: runs to the end
  };
  if (IsSpace(c)) {
    *kind = TokenKind::kSpace;
    size_t i = 1;
    while (i < n && IsSpace(s[i])) ++i;
    return i;
  }
  if (c == '-' && n > 1 && s[1] == '-') {
    *kind = TokenKind::kComment;
    size_t i = 2;
    while (i < n && s[i] != '\n') ++i;
    return i;
  }
  if (c == '/' && n > 1 && s[1] == '*') {
    *kind = TokenKind::kComment;
    size_t end = s.find("*/", 2);
    return end == absl::string_view::npos ? n : end + 2;
  }
  if (c == '\'') {
    *kind = TokenKind::kString;
    return quoted('\'', true);
  }
  if ((c == 'x' || c == 'X') && n > 1 && s[1] == '\'') {
    *kind = TokenKind::kBlob;
    size_t i = 2;
    while (i < n && s[i] != '\'') ++i;
    return i < n ? i + 1 : n;
  }
  if (c == '"' || c == '`') {
    *kind = TokenKind::kQuotedName;
    return quoted(c, true);
  }
  if (c == '[') {
    *kind = TokenKind::kQuotedName;
    return quoted(']', false);
  }
  if (IsDigit(c) || (c == '.' && n > 1 && IsDigit(s[1]))) {
    *kind = TokenKind::kNumber;
    size_t i = 0;
    if (c == '0' && n > 2 && (s[1] == 'x' || s[1] == 'X') && IsHex(s[2])) {
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
  if (c == '?') {
    *kind = TokenKind::kParameter;
    size_t i = 1;
    while (i < n && IsDigit(s[i])) ++i;
    return i;
  }
  if ((c == ':' || c == '@' || c == '$') && n > 1 && IsIdChar(s[1])) {
    *kind = TokenKind::kParameter;
    size_t i = 1;
    while (i < n) {
      if (IsIdChar(s[i])) {
        ++i;
      } else if (c == '$' && s[i] == ':' && i + 1 < n && s[i + 1] == ':') {
        i += 2;  // TCL-style $a::b
      } else if (c == '$' && s[i] == '(') {
        size_t close = s.find(')', i);
        i = close == absl::string_view::npos ? n : close + 1;
        break;
      } else {
        break;
      }
    }
    return i;
  }
  if (IsIdStart(c)) {
    *kind = TokenKind::kWord;
    size_t i = 1;
    while (i < n && IsIdChar(s[i])) ++i;
    return i;
  }
  *kind = TokenKind::kOperator;
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

// Keywords that are also functions: no space before their `(` (`REPLACE(x, ?, ?)`).
bool IsFunctionKeyword(absl::string_view upper) {
  return upper == "CAST" || upper == "REPLACE" || upper == "LIKE" || upper == "GLOB" ||
         upper == "MATCH" || upper == "REGEXP" || upper == "RAISE";
}

// One token of the normalized output.
// Texts are views: into the input (names, operators) or into static storage (keywords, `?`), so
// normalizing allocates only the token vectors and the result.
struct Out {
  enum Kind { kKeyword, kName, kValue, kOp } kind;
  absl::string_view text;
};

// Compares with a literal of known length (no strlen: this runs several times per token).
template <size_t N>
bool IsOp(const Out& t, const char (&text)[N]) {
  return t.kind == Out::kOp && t.text.size() == N - 1 && memcmp(t.text.data(), text, N - 1) == 0;
}

// After these a `-`/`+` is unary (so `-5` is one literal): an operator other than `)`, or a
// keyword that cannot end an expression.
bool StartsOperand(const std::vector<Out>& out, size_t end) {
  if (end == 0) return true;
  const Out& prev = out[end - 1];
  if (prev.kind == Out::kOp) return prev.text != ")";
  if (prev.kind == Out::kKeyword) {
    return prev.text != "NULL" && prev.text != "TRUE" && prev.text != "FALSE" &&
           prev.text != "END" && prev.text != "CURRENT_DATE" && prev.text != "CURRENT_TIME" &&
           prev.text != "CURRENT_TIMESTAMP";
  }
  return false;
}

// `IN ( ? , ? , ... )` at the end of `out` (the `)` just pushed): replace the list by `(?+)`.
void FoldInList(std::vector<Out>& out) {
  // Walk back from the closing parenthesis over "? , ? , ?".
  size_t i = out.size() - 1;  // ")"
  if (i < 3) return;
  size_t j = i - 1;
  while (true) {
    if (out[j].kind != Out::kValue) return;
    if (j == 0) return;
    --j;
    if (IsOp(out[j], "(")) break;
    if (!IsOp(out[j], ",") || j == 0) return;
    --j;
  }
  // out[j] is "(", out[j-1] must be IN.
  if (j == 0 || out[j - 1].kind != Out::kKeyword || out[j - 1].text != "IN") return;
  out.resize(j + 1);
  out.push_back({Out::kValue, "?+"});
  out.push_back({Out::kOp, ")"});
}

// Folds `VALUES (t), (t), (t)` (identical tuples) into `VALUES (t)+`.
void FoldValues(std::vector<Out>& out) {
  std::vector<Out> result;
  result.reserve(out.size());
  size_t i = 0;
  // The matching ")" of every "(" in one pass (0: unmatched), so that text with many VALUES
  // and unbalanced parentheses stays linear.
  std::vector<size_t> close(out.size(), 0);
  std::vector<size_t> open;
  for (size_t k = 0; k < out.size(); ++k) {
    if (IsOp(out[k], "(")) {
      open.push_back(k);
    } else if (IsOp(out[k], ")") && !open.empty()) {
      close[open.back()] = k;
      open.pop_back();
    }
  }
  auto tuple_end = [&](size_t start) -> size_t {  // index after the matching ")"
    if (start >= out.size() || close[start] == 0) return 0;
    return close[start] + 1;
  };
  auto same = [&](size_t a, size_t b, size_t len) {
    for (size_t k = 0; k < len; ++k) {
      if (out[a + k].kind != out[b + k].kind || out[a + k].text != out[b + k].text) return false;
    }
    return true;
  };
  while (i < out.size()) {
    result.push_back(out[i]);
    if (out[i].kind == Out::kKeyword && out[i].text == "VALUES") {
      size_t first = i + 1;
      size_t end = tuple_end(first);
      if (end != 0) {
        size_t len = end - first;
        size_t next = end;
        int copies = 1;
        while (next + 1 + len <= out.size() && IsOp(out[next], ",") &&
               same(first, next + 1, len)) {
          next += 1 + len;
          ++copies;
        }
        result.insert(result.end(), out.begin() + first, out.begin() + end);
        if (copies > 1) result.push_back({Out::kValue, "+"});
        i = next;
        continue;
      }
    }
    ++i;
  }
  out.swap(result);
}

void AppendJoined(const std::vector<Out>& out, std::string* text) {
  for (size_t i = 0; i < out.size(); ++i) {
    const Out& t = out[i];
    if (i > 0) {
      const Out& prev = out[i - 1];
      bool space = true;
      if (IsOp(prev, "(") || IsOp(prev, ".")) space = false;
      if (IsOp(t, ")") || IsOp(t, ",") || IsOp(t, ".") || IsOp(t, ";")) space = false;
      if (t.kind == Out::kValue && t.text == "+") space = false;  // VALUES (?)+
      if (IsOp(t, "(") && (prev.kind == Out::kName ||
                            (prev.kind == Out::kKeyword && IsFunctionKeyword(prev.text)))) {
        space = false;
      }
      if (space) text->push_back(' ');
    }
    text->append(t.text);
  }
}

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

namespace {

// The upper-case spelling of a keyword (static storage), or nullptr when `word` is not one.
const char* KeywordOf(absl::string_view word) {
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

}  // namespace

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

bool IsSqlKeyword(absl::string_view word) { return KeywordOf(word) != nullptr; }

std::string NormalizeSql(absl::string_view sql) {
  std::vector<Token> tokens = TokenizeSql(sql);
  std::string text;
  std::vector<Out> out;
  out.reserve(tokens.size());
  text.reserve(sql.size());
  bool saw_values = false;
  auto flush_statement = [&] {
    if (out.empty()) return;
    if (saw_values) FoldValues(out);
    saw_values = false;
    if (!text.empty()) text.append("; ");
    AppendJoined(out, &text);
    out.clear();
  };
  // The previous significant token, to tell names from keywords around `.` and AS.
  const Token* prev = nullptr;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& tok = tokens[i];
    if (tok.kind == TokenKind::kSpace || tok.kind == TokenKind::kComment) continue;
    const Token* next = nullptr;
    for (size_t k = i + 1; k < tokens.size(); ++k) {
      if (tokens[k].kind != TokenKind::kSpace && tokens[k].kind != TokenKind::kComment) {
        next = &tokens[k];
        break;
      }
    }
    switch (tok.kind) {
      case TokenKind::kWord: {
        bool name_position =
            (prev != nullptr && prev->kind == TokenKind::kOperator && prev->text == ".") ||
            (next != nullptr && next->kind == TokenKind::kOperator && next->text == ".") ||
            (prev != nullptr && prev->kind == TokenKind::kWord &&
             absl::EqualsIgnoreCase(prev->text, "AS"));
        const char* keyword = name_position ? nullptr : KeywordOf(tok.text);
        if (keyword != nullptr) {
          out.push_back({Out::kKeyword, keyword});
          if (out.back().text == "VALUES") saw_values = true;
        } else {
          out.push_back({Out::kName, tok.text});
        }
        break;
      }
      case TokenKind::kQuotedName:
        out.push_back({Out::kName, tok.text});
        break;
      case TokenKind::kString:
      case TokenKind::kBlob:
      case TokenKind::kNumber:
      case TokenKind::kParameter:
        // A sign right before a literal, where an operand starts, belongs to the literal.
        if (!out.empty() && (IsOp(out.back(), "-") || IsOp(out.back(), "+"))) {
          if (StartsOperand(out, out.size() - 1)) out.pop_back();
        }
        out.push_back({Out::kValue, "?"});
        break;
      case TokenKind::kOperator:
        if (tok.text == ";") {
          flush_statement();
        } else {
          out.push_back({Out::kOp, tok.text});
          if (tok.text == ")") FoldInList(out);
        }
        break;
      case TokenKind::kSpace:
      case TokenKind::kComment:
        break;
    }
    prev = &tok;
  }
  flush_statement();
  return text;
}

uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace doctor
