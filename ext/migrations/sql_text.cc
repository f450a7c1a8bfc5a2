#include "ext/migrations/sql_text.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/statement_kind.h"
#include "ext/core/text.h"

namespace doctor::migrations {
namespace {

bool IsWordStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsWordChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

// The identifier or word a token names, unquoted and lowercased ("" for other tokens).
std::string NameOf(const Token& t) {
  if (t.kind == Token::kWord) return Lower(t.text);
  if (t.kind == Token::kIdent || t.kind == Token::kString) return Lower(UnquoteSql(t.text));
  return "";
}

bool IsName(const Token& t) { return t.kind == Token::kWord || t.kind == Token::kIdent; }

}  // namespace

std::vector<Token> Tokenize(absl::string_view s) {
  // SQLite's token rules live in core's tokenizer; this keeps the migration tokens' coarser
  // kinds, in which a blob is the word x and a string, and a parameter is punctuation and a name.
  std::vector<Token> out;
  for (const doctor::Token& t : TokenizeSql(s)) {
    const size_t offset = static_cast<size_t>(t.text.data() - s.data());
    switch (t.kind) {
      case TokenKind::kSpace:
      case TokenKind::kComment:
        break;
      case TokenKind::kWord:
        out.push_back(Token{Token::kWord, t.text, offset});
        break;
      case TokenKind::kQuotedName:
        out.push_back(Token{Token::kIdent, t.text, offset});
        break;
      case TokenKind::kString:
        out.push_back(Token{Token::kString, t.text, offset});
        break;
      case TokenKind::kNumber:
        out.push_back(Token{Token::kNumber, t.text, offset});
        break;
      case TokenKind::kOperator:
        out.push_back(Token{Token::kPunct, t.text, offset});
        break;
      case TokenKind::kBlob:
        out.push_back(Token{Token::kWord, t.text.substr(0, 1), offset});
        out.push_back(Token{Token::kString, t.text.substr(1), offset + 1});
        break;
      case TokenKind::kParameter: {
        out.push_back(Token{Token::kPunct, t.text.substr(0, 1), offset});
        if (t.text.size() > 1) {
          const bool digits = std::isdigit(static_cast<unsigned char>(t.text[1])) != 0;
          out.push_back(Token{digits ? Token::kNumber : Token::kWord, t.text.substr(1), offset + 1});
        }
        break;
      }
    }
  }
  return out;
}

std::string NormalToken(const Token& t) {
  if (t.kind == Token::kWord) return Lower(t.text);
  if (t.kind == Token::kIdent) {
    std::string name = NameOf(t);
    bool plain = !name.empty() && IsWordStart(name[0]);
    for (unsigned char c : name) plain = plain && IsWordChar(c);
    if (plain) return name;
    std::string quoted = "\"";
    for (char c : name) {
      quoted.push_back(c);
      if (c == '"') quoted.push_back('"');
    }
    return quoted + "\"";
  }
  return std::string(t.text);
}

std::string CanonicalSchemaSql(absl::string_view sql) {
  std::string out;
  for (const Token& t : Tokenize(sql)) {
    if (!out.empty()) out.push_back(' ');
    out += NormalToken(t);
  }
  return out;
}

std::vector<std::string> SplitBreakpoints(absl::string_view text) {
  std::vector<std::string> pieces;
  size_t start = 0;
  while (true) {
    size_t at = text.find(kBreakpoint, start);
    if (at == absl::string_view::npos) {
      pieces.emplace_back(text.substr(start));
      return pieces;
    }
    pieces.emplace_back(text.substr(start, at - start));
    start = at + kBreakpoint.size();
  }
}

bool IsBlankSql(absl::string_view sql) {
  for (const Token& t : Tokenize(sql)) {
    if (!(t.kind == Token::kPunct && t.text == ";")) return false;
  }
  return true;
}

std::vector<absl::string_view> SplitStatements(absl::string_view sql) {
  std::vector<absl::string_view> out;
  std::vector<Token> tokens = Tokenize(sql);
  size_t first = 0;  // index of the statement's first token
  bool trigger = false, in_body = false;
  // In a trigger's body, the statement ends only at `; END ;` (sqlite3_complete's rule), not at
  // the END of a CASE expression that closes a body statement: `... ELSE 0 END;`.
  bool after_semi = false, end_after_semi = false;
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    bool semi = t.kind == Token::kPunct && t.text == ";";
    if (k == first && semi) {  // empty statement
      first = k + 1;
      continue;
    }
    if (!semi) {
      std::string w = t.kind == Token::kWord ? Lower(t.text) : "";
      if (k - first <= 2 && w == "trigger" && Lower(tokens[first].text) == "create") trigger = true;
      if (trigger && w == "begin") in_body = true;
      end_after_semi = after_semi && w == "end";
      after_semi = false;
      continue;
    }
    if (trigger && in_body && !end_after_semi) {
      after_semi = true;
      end_after_semi = false;
      continue;
    }
    size_t begin = tokens[first].offset;
    out.push_back(sql.substr(begin, t.offset + 1 - begin));
    first = k + 1;
    trigger = in_body = after_semi = end_after_semi = false;
  }
  if (first < tokens.size()) out.push_back(sql.substr(tokens[first].offset));
  return out;
}

std::vector<std::string> LeadingWords(absl::string_view sql, size_t n) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(sql)) {
    if (out.size() >= n) break;
    if (IsName(t)) out.push_back(NameOf(t));
    else if (t.kind == Token::kPunct && t.text == "(") out.push_back("(");
    else if (t.kind != Token::kPunct || t.text != ".") break;
  }
  return out;
}

bool AsksForeignKeysOff(absl::string_view sql) {
  std::vector<Token> tokens = Tokenize(sql);
  for (size_t k = 0; k < tokens.size(); ++k) {
    if (NameOf(tokens[k]) != "pragma" || tokens[k].kind != Token::kWord) continue;
    size_t j = k + 1;
    if (j + 1 < tokens.size() && tokens[j + 1].text == ".") j += 2;  // schema.
    if (j >= tokens.size() || NameOf(tokens[j]) != "foreign_keys") continue;
    ++j;
    if (j < tokens.size() && (tokens[j].text == "=" || tokens[j].text == "(")) ++j;
    else continue;
    if (j >= tokens.size()) continue;
    std::string v = tokens[j].kind == Token::kNumber ? std::string(tokens[j].text) : NameOf(tokens[j]);
    if (v == "off" || v == "0" || v == "false" || v == "no") return true;
  }
  return false;
}

namespace {

// The tokens of one statement, read by position.
class Words {
 public:
  explicit Words(absl::string_view statement) : t_(Tokenize(statement)) {}
  size_t size() const { return t_.size(); }
  const Token& operator[](size_t i) const { return t_[i]; }
  // The keyword at i, lowercased ("" past the end or for a non-word).
  std::string word(size_t i) const {
    return i < t_.size() && t_[i].kind == Token::kWord ? Lower(t_[i].text) : std::string();
  }
  // The name at i ("" past the end).
  std::string name(size_t i) const { return i < t_.size() ? NameOf(t_[i]) : std::string(); }
  // A possibly schema-qualified name at i: returns the name and moves i past it.
  std::string Qualified(size_t& i) const {
    std::string out = name(i);
    if (i + 2 < t_.size() && t_[i + 1].text == ".") {
      i += 2;
      out = NameOf(t_[i]);
    }
    ++i;
    return out;
  }

 private:
  std::vector<Token> t_;
};

// PRAGMA [schema.]name [= | (] value
void ClassifyPragma(const Words& w, ChangeInfo& info) {
  info.kind = ChangeKind::kPragma;
  size_t i = 1;
  info.object = w.Qualified(i);
  if (i < w.size() && (w[i].text == "=" || w[i].text == "(")) ++i;
  if (i < w.size()) info.object2 = NormalToken(w[i]);
}

// DROP TABLE | INDEX | VIEW | TRIGGER [IF EXISTS] [schema.]name
void ClassifyDrop(const Words& w, ChangeInfo& info) {
  const std::string what = w.word(1);
  size_t i = 2;
  if (w.word(i) == "if" && w.word(i + 1) == "exists") i += 2;
  info.object = w.Qualified(i);
  if (what == "table") info.kind = ChangeKind::kDropTable;
  else if (what == "index") info.kind = ChangeKind::kDropIndex;
  else if (what == "view") info.kind = ChangeKind::kDropView;
  else if (what == "trigger") info.kind = ChangeKind::kDropTrigger;
}

// ALTER TABLE [schema.]t DROP [COLUMN] c | RENAME TO u | ADD [COLUMN] c ...
void ClassifyAlterTable(const Words& w, ChangeInfo& info) {
  size_t i = 2;
  info.object = w.Qualified(i);
  const std::string op = w.word(i);
  if (op == "drop") {
    ++i;
    if (w.word(i) == "column") ++i;
    info.kind = ChangeKind::kDropColumn;
    info.object2 = w.name(i);
  } else if (op == "rename" && w.word(i + 1) == "to") {
    info.kind = ChangeKind::kRenameTable;
    info.object2 = w.name(i + 2);
  } else if (op == "add") {
    info.kind = ChangeKind::kAddColumn;
    ++i;
    if (w.word(i) == "column") ++i;
    info.object2 = w.name(i);
    bool not_null = false, has_default = false;
    for (size_t k = i; k < w.size(); ++k) {
      if (w.word(k) == "not" && w.word(k + 1) == "null") not_null = true;
      if (w.word(k) == "default") has_default = true;
    }
    info.has_not_null_without_default = not_null && !has_default;
  }
}

// CREATE [TEMP] TABLE [IF NOT EXISTS] [schema.]t, CREATE [UNIQUE] INDEX ... i ON t
// CREATE [TEMP | TEMPORARY] [UNIQUE | VIRTUAL] what [IF NOT EXISTS]: returns what ("table",
// "index", "view", "trigger", ...) with `i` at the name that follows; `is_virtual` says VIRTUAL.
std::string CreateWhat(const Words& w, size_t& i, bool* is_virtual) {
  i = 1;
  if (w.word(i) == "temp" || w.word(i) == "temporary") ++i;
  *is_virtual = w.word(i) == "virtual";
  if (w.word(i) == "unique" || *is_virtual) ++i;
  const std::string what = w.word(i);
  ++i;
  if (w.word(i) == "if" && w.word(i + 1) == "not" && w.word(i + 2) == "exists") i += 3;
  return what;
}

void ClassifyCreate(const Words& w, ChangeInfo& info) {
  size_t i = 1;
  bool is_virtual = false;
  const std::string what = CreateWhat(w, i, &is_virtual);
  if (is_virtual) return;  // a virtual table's module owns its storage: no change kind of ours
  if (what == "table") {
    info.kind = ChangeKind::kCreateTable;
    info.object = w.Qualified(i);
  } else if (what == "index") {
    info.kind = ChangeKind::kCreateIndex;
    info.object = w.Qualified(i);
    if (w.word(i) == "on") info.object2 = w.name(i + 1);
  }
}

}  // namespace

std::string CreatedName(absl::string_view statement) {
  if (KindOfStatement(statement) != StatementKind::kCreate) return "";
  const Words w(statement);
  size_t i = 1;
  bool is_virtual = false;
  const std::string what = CreateWhat(w, i, &is_virtual);
  if (what != "table" && what != "index" && what != "view" && what != "trigger") return "";
  return w.Qualified(i);
}

ChangeInfo Classify(absl::string_view statement) {
  ChangeInfo info;
  const Words w(statement);
  // The statement's kind from core (comments skipped, one home); the finer migration kinds above.
  const StatementKind kind = KindOfStatement(statement);
  if (IsTransactionControl(kind)) {
    info.kind = ChangeKind::kTransactionControl;
    info.object = w.word(0);
  } else if (kind == StatementKind::kVacuum) {
    info.kind = ChangeKind::kVacuum;
  } else if (kind == StatementKind::kAttach || kind == StatementKind::kDetach) {
    info.kind = ChangeKind::kAttach;
  } else if (kind == StatementKind::kPragma) {
    ClassifyPragma(w, info);
  } else if (kind == StatementKind::kDrop) {
    ClassifyDrop(w, info);
  } else if (kind == StatementKind::kAlter && w.word(1) == "table") {
    ClassifyAlterTable(w, info);
  } else if (kind == StatementKind::kCreate) {
    ClassifyCreate(w, info);
  }
  return info;
}

bool IsAdditiveStatement(absl::string_view statement) {
  std::vector<Token> tokens = Tokenize(statement);
  if (tokens.empty() || tokens[0].kind != Token::kWord) return false;
  const std::string first = Lower(tokens[0].text);
  static const char* const kAdditive[] = {"create", "insert", "update", "delete", "replace",
                                          "select", "values", "with"};
  bool known = false;
  for (const char* w : kAdditive) known = known || first == w;
  if (!known) return false;
  for (const Token& t : tokens) {
    if (t.kind != Token::kWord && t.kind != Token::kIdent) continue;
    std::string n = NameOf(t);
    if (n == "sqlite_schema" || n == "sqlite_master" || n == "sqlite_temp_schema" ||
        n == "sqlite_temp_master") {
      return false;
    }
  }
  return true;
}

std::string NormalizeLineEndings(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out.push_back(text[i]);
  }
  return out;
}

std::string Excerpt(absl::string_view sql, size_t max) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (out.size() > max) break;  // enough to know it is cut, and where
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  if (out.size() <= max) return out;
  return std::string(Utf8Prefix(out, max)) + "...";
}

std::vector<std::string> MigrationStatements(absl::string_view text, bool breakpoints) {
  std::vector<std::string> out;
  const std::vector<std::string> pieces =
      breakpoints ? SplitBreakpoints(text) : std::vector<std::string>{std::string(text)};
  for (const std::string& piece : pieces) {
    for (absl::string_view s : SplitStatements(piece)) {
      if (!IsBlankSql(s)) out.emplace_back(s);
    }
  }
  return out;
}

}  // namespace doctor::migrations
