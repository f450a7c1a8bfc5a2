#include "ext/indexes/sql_tokens.h"

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "ext/core/sql_normalize.h"

namespace doctor::indexes {

// SQLite's token rules live in core's tokenizer; this keeps the advisor's kinds, in which quoted
// names are unquoted and a blob is the word x and a string.
std::vector<Token> Tokenize(const std::string& s) {
  std::vector<Token> out;
  for (const doctor::Token& t : TokenizeSql(s)) {
    const size_t begin = static_cast<size_t>(t.text.data() - s.data());
    const size_t end = begin + t.text.size();
    const std::string text(t.text);
    switch (t.kind) {
      case TokenKind::kSpace:
      case TokenKind::kComment:
        break;
      case TokenKind::kWord:
        out.push_back({Kind::kWord, text, begin, end});
        break;
      case TokenKind::kQuotedName:
        out.push_back({Kind::kQuoted, UnquoteSql(t.text), begin, end});
        break;
      case TokenKind::kString:
        out.push_back({Kind::kString, text, begin, end});
        break;
      case TokenKind::kBlob:
        out.push_back({Kind::kWord, text.substr(0, 1), begin, begin + 1});
        out.push_back({Kind::kString, text.substr(1), begin + 1, end});
        break;
      case TokenKind::kNumber:
        out.push_back({Kind::kNumber, text, begin, end});
        break;
      case TokenKind::kParameter:
        out.push_back({Kind::kParam, text, begin, end});
        break;
      case TokenKind::kOperator:
        out.push_back({absl::string_view("=<>!|").find(text[0]) != absl::string_view::npos
                           ? Kind::kOp
                           : Kind::kPunct,
                       text, begin, end});
        break;
    }
  }
  return out;
}

bool IsWord(const Token& t, const char* w) {
  return t.kind == Kind::kWord && absl::EqualsIgnoreCase(t.text, w);
}
bool IsIdent(const Token& t) { return t.kind == Kind::kWord || t.kind == Kind::kQuoted; }
bool IsComparison(const Token& t) {
  return t.kind == Kind::kOp || IsWord(t, "LIKE") || IsWord(t, "GLOB") || IsWord(t, "IS") ||
         IsWord(t, "BETWEEN") || IsWord(t, "IN");
}

}  // namespace doctor::indexes
