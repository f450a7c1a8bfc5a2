// The advisor's view of SQL tokens (core's tokenizer, with quoted names unquoted and a blob the
// word x and a string), shared by its text scans (sql_text.cc, sql_joins.cc). Internal.
#ifndef DOCTOR_INDEXES_SQL_TOKENS_H_
#define DOCTOR_INDEXES_SQL_TOKENS_H_

#include <cstddef>
#include <string>
#include <vector>

namespace doctor::indexes {

enum class Kind { kWord, kQuoted, kString, kNumber, kParam, kOp, kPunct };

struct Token {
  Kind kind;
  std::string text;   // identifiers unquoted; strings with quotes
  size_t begin, end;  // byte range in the source
};

std::vector<Token> Tokenize(const std::string& s);

bool IsWord(const Token& t, const char* w);
bool IsIdent(const Token& t);
bool IsComparison(const Token& t);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SQL_TOKENS_H_
