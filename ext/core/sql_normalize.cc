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
using sql_internal::TokenContext;

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

// `IN ( ? , ? , ... )` of two or more values at the end of `out` (the `)` just pushed): replace
// the list by `(?+)`. A single value stays `IN (?)`: SQLite runs `x IN (?)` as `x = ?`, and
// pg_stat_statements does not squash a one-element list either.
void FoldInList(std::vector<Out>& out) {
  // Walk back from the closing parenthesis over "? , ? , ?".
  size_t i = out.size() - 1;  // ")"
  if (i < 3) return;
  size_t j = i - 1;
  int values = 0;
  while (true) {
    if (out[j].kind != Out::kValue) return;
    ++values;
    if (j == 0) return;
    --j;
    if (IsOp(out[j], "(")) break;
    if (!IsOp(out[j], ",") || j == 0) return;
    --j;
  }
  if (values < 2) return;
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
// A quoted keyword is written bare only when `bare_keyword` (it stands where SQLite takes the bare
// word for the same name: `"key"` and `key` in `SELECT key FROM t` are one name).
absl::string_view FoldName(const Token& tok, bool bare_keyword,
                           std::vector<std::unique_ptr<std::string>>* owned) {
  const bool quoted = tok.kind == TokenKind::kQuotedName;
  if (!quoted && std::none_of(tok.text.begin(), tok.text.end(), absl::ascii_isupper)) {
    return tok.text;  // the common case: a lower-case bare name, no copy
  }
  std::string name = quoted ? UnquoteSql(tok.text) : std::string(tok.text);
  for (char& c : name) c = absl::ascii_tolower(c);
  bool plain = !name.empty() && IsIdStart(name[0]) &&
               std::all_of(name.begin(), name.end(), IsIdChar);
  // A quoted keyword stays quoted even after a dot: `t."order"` is valid SQL, `t.order` is not.
  if (quoted && plain && !bare_keyword) plain = !IsSqlKeyword(name);
  if (!plain) {
    std::string requoted = "\"";
    for (char c : name) requoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    name = requoted + "\"";
  }
  if (name == tok.text) return tok.text;
  owned->push_back(std::make_unique<std::string>(std::move(name)));
  return *owned->back();
}

// An integer literal as SQLite's sqlite3ExprIsInteger takes one: decimal or hex digits (with the
// `_` separators of SQLite 3.46). `1.0` and `1e3` are reals.
bool IsIntegerLiteral(absl::string_view text) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  if (text.empty() || text[0] == '_') return false;
  for (size_t i = hex ? 2 : 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '_' && !(hex ? absl::ascii_isxdigit(c) : IsDigit(c))) return false;
  }
  return true;
}

// True when `next` ends a term of a list (`ORDER BY 2 DESC`, `LIMIT 10 OFFSET`, `(1)`): the
// statement's end, a word, or `,`, `)`, `;`.
bool EndsTerm(const Token* next) {
  if (next == nullptr || next->kind == TokenKind::kWord) return true;
  return next->kind == TokenKind::kOperator &&
         (next->text == "," || next->text == ")" || next->text == ";");
}

// The functions whose literal arguments select what they compute rather than give a value: JSON
// paths (an index on `json_extract(data, '$.email')` serves that path only) and strftime's format.
enum class Selector { kNone, kFirst, kSecond, kFromSecond, kEvenFromSecond };

Selector SelectorArguments(absl::string_view function) {
  struct Entry {
    const char* name;
    Selector selector;
  };
  static constexpr Entry kFunctions[] = {
      {"strftime", Selector::kFirst},
      {"json_type", Selector::kSecond},           {"json_array_length", Selector::kSecond},
      {"json_each", Selector::kSecond},           {"json_tree", Selector::kSecond},
      {"jsonb_each", Selector::kSecond},          {"jsonb_tree", Selector::kSecond},
      {"json_extract", Selector::kFromSecond},    {"jsonb_extract", Selector::kFromSecond},
      {"json_remove", Selector::kFromSecond},     {"jsonb_remove", Selector::kFromSecond},
      {"json_set", Selector::kEvenFromSecond},    {"jsonb_set", Selector::kEvenFromSecond},
      {"json_insert", Selector::kEvenFromSecond}, {"jsonb_insert", Selector::kEvenFromSecond},
      {"json_replace", Selector::kEvenFromSecond}, {"jsonb_replace", Selector::kEvenFromSecond},
  };
  for (const Entry& entry : kFunctions) {
    if (function == entry.name) return entry.selector;
  }
  return Selector::kNone;
}

bool IsSelectorArgument(Selector selector, int argument) {
  switch (selector) {
    case Selector::kNone: return false;
    case Selector::kFirst: return argument == 1;
    case Selector::kSecond: return argument == 2;
    case Selector::kFromSecond: return argument >= 2;
    case Selector::kEvenFromSecond: return argument >= 2 && argument % 2 == 0;
  }
  return false;
}

// CREATE, ALTER and DROP define the schema, PRAGMA a setting: their literals are part of the
// definition (as pg_stat_statements keeps `SET work_mem = '1MB'` apart from '2MB'), and SQLite
// takes no parameter there.
bool IsDefinition(absl::string_view keyword) {
  return keyword == "CREATE" || keyword == "ALTER" || keyword == "DROP" || keyword == "PRAGMA";
}

// `CREATE [TEMP] <what>` so far (`out` starts with CREATE).
bool IsCreate(const std::vector<Out>& out, absl::string_view what) {
  size_t i = 1;
  if (i < out.size() && (IsKeyword(out[i], "TEMP") || IsKeyword(out[i], "TEMPORARY"))) ++i;
  return i < out.size() && IsKeyword(out[i], what);
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
  bool Inside(int depth) const { return depth >= 0 && depth == depth_; }

 private:
  int depth_ = -1;
};

// Where the lists of a FROM clause (tables) or of an UPDATE's SET (assignments) being read lie:
// the parenthesis depths of the open ones, innermost last (`FROM t, (SELECT a FROM u) s, v`).
class ListClause {
 public:
  void Start(int depth) {
    if (!Inside(depth)) depths_.push_back(depth);
  }
  void End(int depth) {
    if (Inside(depth)) depths_.pop_back();
  }
  void OnClose(int depth) {
    while (!depths_.empty() && depths_.back() > depth) depths_.pop_back();
  }
  bool Inside(int depth) const { return !depths_.empty() && depths_.back() == depth; }

 private:
  std::vector<int> depths_;
};

// A call to a function with selector arguments (SelectorArguments) being read.
struct SelectorCall {
  Selector selector;
  int depth;     // the depth inside its parentheses
  int argument;  // 1-based
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
          OnWord(tok, prev, next);
          break;
        case TokenKind::kQuotedName:
          OnQuotedName(tok, prev, next);
          break;
        case TokenKind::kNumber:
        case TokenKind::kString:
        case TokenKind::kBlob:
        case TokenKind::kParameter:
          OnLiteral(tok, prev, next);
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

  // How a token of the output reads as the context of a word (sql_internal::WordContext).
  absl::string_view OutContext(size_t back) const {
    if (out_.size() < back) return "";
    const Out& t = out_[out_.size() - back];
    return t.kind == Out::kKeyword || t.kind == Out::kOp ? t.text : "";
  }

  // Whether the keyword `upper` (a word's spelling) is a name where it stands.
  bool KeywordIsName(absl::string_view upper, const Token* prev, const Token* next) const {
    if (sql_internal::IsNamePosition(prev, next)) {
      return !sql_internal::StartsQueryAfterAs(upper, prev, next);
    }
    return sql_internal::KeywordIsName(upper, {OutContext(2), OutContext(1), TokenContext(next)});
  }

  void OnWord(const Token& tok, const Token* prev, const Token* next) {
    const char* keyword = sql_internal::KeywordSpelling(tok.text);
    if (keyword == nullptr || KeywordIsName(keyword, prev, next)) {
      out_.push_back({Out::kName, FoldName(tok, false, &owned_)});
      return;
    }
    if (IsLiteralKeyword(keyword)) return OnValue(tok);
    out_.push_back({Out::kKeyword, keyword});
    if (out_.back().text == "VALUES") saw_values_ = true;
    if (out_.size() == 1) ddl_ = IsDefinition(keyword);
    // CREATE TABLE x AS: what follows is a query, normalized as one.
    if (ddl_ && out_.back().text == "AS" && depth_ == 0 && IsCreate(out_, "TABLE")) ddl_ = false;
    // A trigger's body is part of its statement: its `;` do not end it, its last END does.
    if (ddl_ && out_.back().text == "BEGIN" && IsCreate(out_, "TRIGGER")) in_trigger_body_ = true;
    if (in_trigger_body_ && out_.back().text == "END" && IsOp(out_[out_.size() - 2], ";")) {
      in_trigger_body_ = false;
    }
    by_.OnKeyword(out_, depth_);
    OnClauseKeyword(out_.back().text);
  }

  // FROM opens a list of tables, SET a list of assignments; the next clause closes them.
  void OnClauseKeyword(absl::string_view keyword) {
    if (keyword == "FROM" && OutContext(2) != "DISTINCT") {  // not IS [NOT] DISTINCT FROM
      set_.End(depth_);
      from_.Start(depth_);
    } else if (keyword == "SET") {
      from_.End(depth_);
      set_.Start(depth_);
    } else if (keyword == "WHERE" || keyword == "GROUP" || keyword == "HAVING" ||
               keyword == "WINDOW" || keyword == "ORDER" || keyword == "LIMIT" ||
               keyword == "UNION" || keyword == "INTERSECT" || keyword == "EXCEPT" ||
               keyword == "RETURNING") {
      from_.End(depth_);
      set_.End(depth_);
    }
  }

  // NULL, TRUE and FALSE are values (`SET b = NULL` and `SET b = ?` are one statement), except
  // after IS and NOT, where they are part of an operator: `x IS TRUE` tests truth, `x IS 1`
  // equality; `IS NULL`, `NOT NULL` stay as written.
  bool IsLiteralKeyword(absl::string_view keyword) const {
    if (keyword != "NULL" && keyword != "TRUE" && keyword != "FALSE") return false;
    const absl::string_view before = OutContext(1);
    return before != "IS" && before != "NOT";
  }

  void OnQuotedName(const Token& tok, const Token* prev, const Token* next) {
    std::string name = UnquoteSql(tok.text);
    const char* keyword = sql_internal::KeywordSpelling(name);
    const bool bare = keyword != nullptr && sql_internal::IsFallbackKeyword(keyword) &&
                      KeywordIsName(keyword, prev, next);
    out_.push_back({Out::kName, FoldName(tok, bare, &owned_)});
  }

  // A literal or parameter: a value (`?`) unless it is one of the literals that are not values.
  void OnLiteral(const Token& tok, const Token* prev, const Token* next) {
    if (ddl_) return OnDefinitionLiteral(tok);
    if (tok.kind == TokenKind::kNumber && (OnPositionTerm(tok, next) || OnLimitCount(tok, next))) {
      return;
    }
    if (tok.kind == TokenKind::kString && StringIsName(next)) {
      return OnQuotedName({TokenKind::kQuotedName, tok.text}, prev, next);
    }
    if (tok.kind != TokenKind::kParameter && IsSelector(tok, next)) {
      out_.push_back({Out::kName, tok.text});
      return;
    }
    OnValue(tok);
  }

  // A whole ORDER BY or GROUP BY term that SQLite reads as a column position: an integer, also
  // after a unary `+` or inside parentheses (sqlite3ExprIsInteger), so `ORDER BY 2` and
  // `ORDER BY 1` stay apart. Written without the `+`.
  bool OnPositionTerm(const Token& tok, const Token* next) {
    if (!IsIntegerLiteral(tok.text)) return false;
    const size_t n = out_.size();
    const bool plus = n > 0 && IsOp(out_[n - 1], "+");
    const bool paren = n > 0 && IsOp(out_[n - 1], "(");
    const size_t at = plus || paren ? n - 1 : n;  // where the term starts
    if (at == 0 || !(IsKeyword(out_[at - 1], "BY") || IsOp(out_[at - 1], ","))) return false;
    if (!by_.Inside(paren ? depth_ - 1 : depth_)) return false;
    if (paren ? TokenContext(next) != ")" : !EndsTerm(next)) return false;
    if (plus) out_.pop_back();
    out_.push_back({Out::kName, tok.text});
    return true;
  }

  // A LIMIT count that SQLite plans with: a non-negative integer that is the whole count
  // (`LIMIT 10`, `LIMIT +10`, `LIMIT ?, 10`), which sqlite3's computeLimitRegisters turns into the
  // row estimate the planner costs a sort with (SF_FixedLimit): `ORDER BY b LIMIT 1` may SEARCH
  // another index and sort where `LIMIT 100000` scans b's index. Kept as written. A parameter, a
  // negative or real count and OFFSET (the first value of `LIMIT a, b`) plan alike and fold.
  bool OnLimitCount(const Token& tok, const Token* next) {
    if (!IsIntegerLiteral(tok.text) || !EndsTerm(next)) return false;
    const size_t n = out_.size();
    const bool plus = n > 0 && IsOp(out_[n - 1], "+");
    const size_t at = plus ? n - 1 : n;
    const bool count =
        (at >= 1 && IsKeyword(out_[at - 1], "LIMIT") && TokenContext(next) != ",") ||
        (at >= 3 && IsOp(out_[at - 1], ",") && out_[at - 2].kind == Out::kValue &&
         IsKeyword(out_[at - 3], "LIMIT"));
    if (!count) return false;
    if (plus) out_.pop_back();
    out_.push_back({Out::kName, tok.text});
    return true;
  }

  // A string where SQLite's grammar reads a name (parse.y: `nm ::= id | STRING`, `ids ::= ID |
  // STRING`): `FROM 'users'`, `INSERT INTO 'users'('name')`, `UPDATE t SET 'name' = ?`,
  // `'t'.'c'`, `COLLATE 'nocase'`, `CAST(a AS 'integer')` and aliases (`AS 'n'`, `count(*) 'n'`).
  // Folded as the name, so `FROM 'users'` and `FROM 'orders'` stay apart.
  bool StringIsName(const Token* next) const {
    if (TokenContext(next) == ".") return true;
    if (out_.empty()) return false;
    const Out& before = out_.back();
    if (IsOp(before, ".")) return true;
    if (before.kind == Out::kKeyword) {
      const absl::string_view k = before.text;
      if (k == "AS" || k == "COLLATE" || k == "JOIN" || k == "UPDATE") return true;
      if (k == "FROM") return OutContext(2) != "DISTINCT";
      if (k == "INTO") return !IsKeyword(out_[0], "VACUUM");  // VACUUM INTO takes a file name
      if (k == "BY") return OutContext(2) == "INDEXED";
      if (k == "SET") return set_.Inside(depth_) && TokenContext(next) == "=";
      if (k == "IGNORE" || k == "REPLACE" || k == "ABORT" || k == "FAIL" || k == "ROLLBACK") {
        return OutContext(2) == "OR" && OutContext(3) == "UPDATE";  // UPDATE OR IGNORE 't'
      }
    }
    if (IsOp(before, ",")) {
      return from_.Inside(depth_) || (set_.Inside(depth_) && TokenContext(next) == "=") ||
             (columns_depth_ > 0 && columns_depth_ == depth_);
    }
    if (IsOp(before, "(")) return columns_depth_ > 0 && columns_depth_ == depth_;
    return !StartsOperand(out_, out_.size());  // after an expression: its alias
  }

  // A literal that selects what is computed: a whole selector argument of a JSON function or
  // strftime (SelectorArguments), or the right side of `->` / `->>`.
  bool IsSelector(const Token& tok, const Token* next) const {
    if (out_.empty()) return false;
    if (IsOp(out_.back(), "->") || IsOp(out_.back(), "->>")) return true;
    if (tok.kind != TokenKind::kString || calls_.empty()) return false;
    const SelectorCall& call = calls_.back();
    return call.depth == depth_ && IsSelectorArgument(call.selector, call.argument) &&
           (IsOp(out_.back(), "(") || IsOp(out_.back(), ",")) &&
           (TokenContext(next) == "," || TokenContext(next) == ")");
  }

  void OnValue(const Token& tok) {
    if (ddl_) return OnDefinitionLiteral(tok);
    // A sign right before a literal, where an operand starts, belongs to the literal.
    if (!out_.empty() && (IsOp(out_.back(), "-") || IsOp(out_.back(), "+"))) {
      if (StartsOperand(out_, out_.size() - 1)) out_.pop_back();
    }
    out_.push_back({Out::kValue, "?"});
  }

  // A definition's literals are part of it (DEFAULT -1, CHECK (a > 0)): kept as written, with
  // the sign of a negative number.
  void OnDefinitionLiteral(const Token& tok) {
    if (const char* keyword = sql_internal::KeywordSpelling(tok.text)) {
      out_.push_back({Out::kKeyword, keyword});  // NULL, TRUE, FALSE
      return;
    }
    if (!out_.empty() && (IsOp(out_.back(), "-") || IsOp(out_.back(), "+")) &&
        StartsOperand(out_, out_.size() - 1)) {
      owned_.push_back(std::make_unique<std::string>(std::string(out_.back().text)));
      owned_.back()->append(tok.text.data(), tok.text.size());
      out_.back() = {Out::kName, *owned_.back()};
      return;
    }
    out_.push_back({Out::kName, tok.text});
  }

  void OnOperator(const Token& tok) {
    if (tok.text == ";" && !in_trigger_body_) return FlushStatement();
    out_.push_back({Out::kOp, tok.text});
    if (tok.text == "(") {
      ++depth_;
      OnOpen();
    } else if (tok.text == "," && !calls_.empty() && calls_.back().depth == depth_) {
      ++calls_.back().argument;
    } else if (tok.text == ")") {
      while (!calls_.empty() && calls_.back().depth >= depth_) calls_.pop_back();
      if (columns_depth_ > 0 && columns_depth_ == depth_) columns_depth_ = -1;
      by_.OnClose(--depth_);
      from_.OnClose(depth_);
      set_.OnClose(depth_);
      FoldInList(out_);
    }
  }

  // After a `(`: a call of a function with selector arguments, or the column list of an INSERT
  // (`INTO [schema.]table [AS alias] (`).
  void OnOpen() {
    const size_t n = out_.size();  // out_[n - 1] is the "("
    if (n < 2 || out_[n - 2].kind != Out::kName) return;
    const Selector selector = SelectorArguments(out_[n - 2].text);
    if (selector != Selector::kNone) {
      calls_.push_back({selector, depth_, 1});
      return;
    }
    if (depth_ != 1 || IsKeyword(out_[0], "VACUUM")) return;
    size_t i = n - 1;
    while (i > 0 && (out_[i - 1].kind == Out::kName || IsOp(out_[i - 1], ".") ||
                     IsKeyword(out_[i - 1], "AS"))) {
      --i;
    }
    if (i > 0 && IsKeyword(out_[i - 1], "INTO")) columns_depth_ = depth_;
  }

  void FlushStatement() {
    depth_ = 0;
    by_ = ByClause();
    from_ = ListClause();
    set_ = ListClause();
    calls_.clear();
    columns_depth_ = -1;
    ddl_ = false;
    in_trigger_body_ = false;
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
  bool ddl_ = false;  // CREATE, ALTER, DROP or PRAGMA: literals kept (but CREATE TABLE AS)
  bool in_trigger_body_ = false;  // between a CREATE TRIGGER's BEGIN and END
  int depth_ = 0;  // parentheses open in the current statement
  ByClause by_;
  ListClause from_;  // FROM lists: a string after their `,` is a table
  ListClause set_;   // SET lists: a string before their `=` is a column
  std::vector<SelectorCall> calls_;  // open calls with selector arguments, innermost last
  int columns_depth_ = -1;  // the depth inside an INSERT's column list, or -1
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
