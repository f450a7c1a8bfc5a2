#include "ext/core/sql_normalize.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace doctor {
namespace {

using sql_internal::IsDigit;
using sql_internal::IsIdChar;
using sql_internal::IsIdStart;

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

bool IsKeyword(const Out& t, absl::string_view upper) {
  return t.kind == Out::kKeyword && t.text == upper;
}

// The spellings of one transaction-control statement fold into one shape, and savepoint names
// (generated per nesting level by ORMs) into `?`; `out` is one whole statement and is changed only
// when it matches SQLite's grammar exactly:
//   BEGIN [DEFERRED] [TRANSACTION [name]]          -> BEGIN  (DEFERRED is the default)
//   BEGIN IMMEDIATE|EXCLUSIVE [TRANSACTION [name]] -> BEGIN IMMEDIATE | BEGIN EXCLUSIVE
//   COMMIT|END [TRANSACTION]                       -> COMMIT
//   ROLLBACK [TRANSACTION]                         -> ROLLBACK
//   ROLLBACK [TRANSACTION] TO [SAVEPOINT] name     -> ROLLBACK TO ?
//   SAVEPOINT name                                 -> SAVEPOINT ?
//   RELEASE [SAVEPOINT] name                       -> RELEASE ?
void FoldTransactionControl(std::vector<Out>& out) {
  if (out.empty() || out[0].kind != Out::kKeyword) return;
  size_t i = 1;
  auto word = [&](absl::string_view upper) {
    if (i < out.size() && IsKeyword(out[i], upper)) return ++i, true;
    return false;
  };
  auto name = [&] {  // savepoint and transaction names: an id or a string (SQLite's `nm`)
    if (i < out.size() && out[i].kind != Out::kOp) return ++i, true;
    return false;
  };
  const absl::string_view first = out[0].text;
  std::vector<Out> folded = {out[0]};
  if (first == "BEGIN") {
    if (word("IMMEDIATE") || word("EXCLUSIVE")) folded.push_back(out[i - 1]);
    else word("DEFERRED");
    if (word("TRANSACTION")) name();
  } else if (first == "COMMIT" || first == "END") {
    folded = {{Out::kKeyword, "COMMIT"}};
    word("TRANSACTION");
  } else if (first == "ROLLBACK") {
    word("TRANSACTION");
    if (word("TO")) {
      word("SAVEPOINT");
      if (!name()) return;
      folded.insert(folded.end(), {{Out::kKeyword, "TO"}, {Out::kValue, "?"}});
    }
  } else if (first == "SAVEPOINT" || first == "RELEASE") {
    if (first == "RELEASE") word("SAVEPOINT");
    if (!name()) return;
    folded.push_back({Out::kValue, "?"});
  } else {
    return;
  }
  if (i == out.size()) out.swap(folded);
}

// A name as SQLite resolves it: quotes removed and ASCII letters lower-cased (SQLite compares
// names case-insensitively in ASCII only), so `users`, `Users`, "users", `users` and [users] are
// one name. A quoted name is written bare when it is a plain identifier and not a keyword, else in
// double quotes. Texts that change are kept in `owned`.
absl::string_view FoldName(const Token& tok, std::vector<std::unique_ptr<std::string>>* owned) {
  const bool quoted = tok.kind == TokenKind::kQuotedName;
  if (!quoted && std::none_of(tok.text.begin(), tok.text.end(), absl::ascii_isupper)) {
    return tok.text;  // the common case: a lower-case bare name, no copy
  }
  std::string name = quoted ? UnquoteSql(tok.text) : std::string(tok.text);
  for (char& c : name) c = absl::ascii_tolower(c);
  bool plain = !name.empty() && IsIdStart(name[0]) &&
               std::all_of(name.begin(), name.end(), IsIdChar);
  // A quoted keyword stays quoted even after a dot: `t."order"` is valid SQL, `t.order` is not.
  if (quoted && plain) plain = !IsSqlKeyword(name);
  if (!plain) {
    std::string requoted = "\"";
    for (char c : name) requoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    name = requoted + "\"";
  }
  if (name == tok.text) return tok.text;
  owned->push_back(std::make_unique<std::string>(std::move(name)));
  return *owned->back();
}

// True for an integer that names a result column by position: a whole ORDER BY or GROUP BY term
// (`ORDER BY 2`, `GROUP BY 1, 2`), which must not fold into `?`.
bool IsPositionTerm(const Token& tok, const std::vector<Out>& out, const Token* next) {
  if (!std::all_of(tok.text.begin(), tok.text.end(), IsDigit) || out.empty()) return false;
  if (!IsKeyword(out.back(), "BY") && !IsOp(out.back(), ",")) return false;
  if (next == nullptr || next->kind == TokenKind::kWord) return true;  // end, ASC, LIMIT, ...
  return next->kind == TokenKind::kOperator &&
         (next->text == "," || next->text == ")" || next->text == ";");
}

}  // namespace



namespace {

// Where the ORDER BY or GROUP BY list that is being read lies: its parenthesis depth, or -1.
// Inside it, a bare integer term is a column position (IsPositionTerm).
class ByClause {
 public:
  void OnKeyword(const std::vector<Out>& out, int depth) {
    const Out& k = out.back();
    if (k.text == "BY" && out.size() >= 2 &&
        (IsKeyword(out[out.size() - 2], "ORDER") || IsKeyword(out[out.size() - 2], "GROUP"))) {
      depth_ = depth;
    } else if (depth == depth_ && k.text != "ASC" && k.text != "DESC" && k.text != "COLLATE" &&
               k.text != "NULLS" && k.text != "FIRST" && k.text != "LAST") {
      depth_ = -1;  // LIMIT, HAVING, WINDOW, UNION, ...: the list ended
    }
  }
  void OnClose(int depth) {
    if (depth < depth_) depth_ = -1;
  }
  bool Inside(int depth) const { return depth == depth_; }

 private:
  int depth_ = -1;
};

}  // namespace

namespace {

// One pass over the tokens of `sql`, statement by statement (rules in the header).
class Normalizer {
 public:
  explicit Normalizer(absl::string_view sql) : tokens_(TokenizeSql(sql)) {
    out_.reserve(tokens_.size());
    text_.reserve(sql.size());
  }

  std::string Run() {
    const Token* prev = nullptr;  // the previous significant token
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const Token& tok = tokens_[i];
      if (tok.kind == TokenKind::kSpace || tok.kind == TokenKind::kComment) continue;
      const Token* next = NextSignificant(i);
      switch (tok.kind) {
        case TokenKind::kWord:
          OnWord(tok, NamePosition(prev, next));
          break;
        case TokenKind::kQuotedName:
          out_.push_back({Out::kName, FoldName(tok, &owned_)});
          break;
        case TokenKind::kNumber:
          if (by_.Inside(depth_) && IsPositionTerm(tok, out_, next)) {
            out_.push_back({Out::kName, tok.text});  // a column position, not a value
            break;
          }
          [[fallthrough]];
        case TokenKind::kString:
        case TokenKind::kBlob:
        case TokenKind::kParameter:
          OnValue();
          break;
        case TokenKind::kOperator:
          OnOperator(tok);
          break;
        case TokenKind::kSpace:
        case TokenKind::kComment:
          break;
      }
      prev = &tok;
    }
    FlushStatement();
    return std::move(text_);
  }

 private:
  const Token* NextSignificant(size_t i) const {
    for (size_t k = i + 1; k < tokens_.size(); ++k) {
      if (tokens_[k].kind != TokenKind::kSpace && tokens_[k].kind != TokenKind::kComment) {
        return &tokens_[k];
      }
    }
    return nullptr;
  }

  // Right after or before `.`, or after AS, a word is a name even when it is a keyword.
  static bool NamePosition(const Token* prev, const Token* next) {
    return (prev != nullptr && prev->kind == TokenKind::kOperator && prev->text == ".") ||
           (next != nullptr && next->kind == TokenKind::kOperator && next->text == ".") ||
           (prev != nullptr && prev->kind == TokenKind::kWord &&
            absl::EqualsIgnoreCase(prev->text, "AS"));
  }

  void OnWord(const Token& tok, bool name_position) {
    const char* keyword = name_position ? nullptr : sql_internal::KeywordSpelling(tok.text);
    if (keyword == nullptr) {
      out_.push_back({Out::kName, FoldName(tok, &owned_)});
      return;
    }
    out_.push_back({Out::kKeyword, keyword});
    if (out_.back().text == "VALUES") saw_values_ = true;
    by_.OnKeyword(out_, depth_);
  }

  void OnValue() {
    // A sign right before a literal, where an operand starts, belongs to the literal.
    if (!out_.empty() && (IsOp(out_.back(), "-") || IsOp(out_.back(), "+"))) {
      if (StartsOperand(out_, out_.size() - 1)) out_.pop_back();
    }
    out_.push_back({Out::kValue, "?"});
  }

  void OnOperator(const Token& tok) {
    if (tok.text == ";") return FlushStatement();
    out_.push_back({Out::kOp, tok.text});
    if (tok.text == "(") ++depth_;
    if (tok.text == ")") {
      by_.OnClose(--depth_);
      FoldInList(out_);
    }
  }

  void FlushStatement() {
    depth_ = 0;
    by_ = ByClause();
    if (out_.empty()) return;
    if (saw_values_) FoldValues(out_);
    saw_values_ = false;
    FoldTransactionControl(out_);
    if (!text_.empty()) text_.append("; ");
    AppendJoined(out_, &text_);
    out_.clear();
  }

  const std::vector<Token> tokens_;
  std::vector<Out> out_;           // the current statement
  // Folded names (Out texts point here; each string stays put when the vector grows).
  std::vector<std::unique_ptr<std::string>> owned_;
  std::string text_;
  bool saw_values_ = false;
  int depth_ = 0;  // parentheses open in the current statement
  ByClause by_;
};

}  // namespace

std::string NormalizeSql(absl::string_view sql) { return Normalizer(sql).Run(); }

// NormalizeSql writes a binary `+` with a space before it, so a `+` right after `?` or `)` is
// the mark of a folded list.
std::string RunnableShape(absl::string_view normalized) {
  std::string out;
  out.reserve(normalized.size());
  const Token* previous = nullptr;
  const std::vector<Token> tokens = TokenizeSql(normalized);
  for (const Token& token : tokens) {
    const bool folded_list_mark =
        token.kind == TokenKind::kOperator && token.text == "+" && previous != nullptr &&
        (previous->text == "?" || previous->text == ")");
    if (!folded_list_mark) out.append(token.text.data(), token.text.size());
    previous = &token;
  }
  return out;
}

std::string RunnableQuery(absl::string_view normalized, absl::string_view example) {
  return example.empty() ? RunnableShape(normalized) : std::string(example);
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
