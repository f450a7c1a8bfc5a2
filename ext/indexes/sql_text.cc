#include "ext/indexes/sql_text.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "ext/indexes/sql_tokens.h"

namespace doctor::indexes {
namespace {

// The literal at t[i] (a number may have a sign before it): its text, or "".
std::string LiteralAt(const std::vector<Token>& t, size_t i) {
  if (i < t.size() && (t[i].kind == Kind::kString || t[i].kind == Kind::kNumber)) {
    return t[i].text;
  }
  if (i + 1 < t.size() && t[i].text == "-" && t[i + 1].kind == Kind::kNumber) {
    return "-" + t[i + 1].text;
  }
  return "";
}

// Function names that are aggregates or syntax, never worth an expression index.
bool NotIndexable(const std::string& f) {
  static const char* const kSkip[] = {"count", "sum", "avg", "min", "max", "total",
                                      "group_concat", "in", "exists", "values", "coalesce",
                                      "ifnull", "cast", "not", "and", "or", "random", "json_each",
                                      "using", "on", "over", "filter", "as"};
  for (const char* k : kSkip) {
    if (absl::EqualsIgnoreCase(f, k)) return true;
  }
  return false;
}

// A column as an index expression writes it: a quoted name stays quoted (its constant arguments
// kept: `json_extract("b o", '$.k')`, not `json_extract("b o")`, which does not build).
std::string ColumnInExpression(const Token& column) {
  if (column.kind == Kind::kWord) return column.text;
  return absl::StrCat("\"", absl::StrReplaceAll(column.text, {{"\"", "\"\""}}), "\"");
}

// The expression f(col[, constants]) whose ")" is t[close] ("" when it is not one): the text
// ExpressionPredicates gives it, and its column.
std::string ExpressionEndingAt(const std::vector<Token>& t, size_t close, std::string* column) {
  if (close >= t.size() || t[close].text != ")") return "";
  size_t open = close;
  while (open > 0 && t[open].text != "(") --open;
  if (open == 0 || t[open].text != "(" || t[open - 1].kind != Kind::kWord ||
      NotIndexable(t[open - 1].text)) {
    return "";
  }
  size_t k = open + 1;
  if (k + 2 < close && IsIdent(t[k]) && t[k + 1].text == "." && IsIdent(t[k + 2])) k += 2;
  if (k >= close || !IsIdent(t[k])) return "";
  std::string expr = absl::StrCat(t[open - 1].text, "(", ColumnInExpression(t[k]));
  for (size_t a = k + 1; a < close; ++a) {
    if (t[a].text != "," && t[a].kind != Kind::kString && t[a].kind != Kind::kNumber) return "";
    absl::StrAppend(&expr, t[a].text == "," ? ", " : t[a].text);
  }
  *column = t[k].text;
  return expr + ")";
}

}  // namespace

std::vector<ParameterUse> ParameterUses(const std::string& sql) {
  std::vector<Token> t = Tokenize(sql);
  std::vector<ParameterUse> out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != Kind::kParam) continue;
    std::string guess, op, expression, qualifier;
    // The qualifier of the column at t[c] ("u" of `u.id`), when one is written.
    auto qualifier_of = [&](size_t c) {
      return c >= 2 && t[c - 1].text == "." && IsIdent(t[c - 2]) ? t[c - 2].text : std::string();
    };
    // Look back over "(" and "," (IN lists), then a comparison, then the column.
    size_t j = i;
    while (j > 0 && (t[j - 1].text == "(" || t[j - 1].text == "," ||
                     t[j - 1].kind == Kind::kParam || t[j - 1].kind == Kind::kString ||
                     t[j - 1].kind == Kind::kNumber)) {
      --j;
    }
    if (j > 0 && (IsWord(t[j - 1], "LIMIT") || IsWord(t[j - 1], "OFFSET"))) {
      guess = "#limit";
      op = "limit";
    } else if (j > 0 && IsWord(t[j - 1], "AND") && j > 2) {
      // "x BETWEEN ? AND ?": the column sits before BETWEEN.
      for (size_t k = j - 1; k > 0 && k + 6 > j; --k) {
        if (IsWord(t[k - 1], "BETWEEN") && k >= 2 && IsIdent(t[k - 2])) {
          guess = t[k - 2].text;
          qualifier = qualifier_of(k - 2);
          op = "]";
          break;
        }
      }
    } else if (j > 0 && IsComparison(t[j - 1])) {
      size_t k = j - 1;
      const std::string& c = t[k].text;
      op = IsWord(t[k], "BETWEEN") ? "[" : c == ">" || c == ">=" ? ">"
           : c == "<" || c == "<=" ? "<" : "=";
      // The whole pattern of a LIKE or GLOB (not `? || '%'`, not NOT LIKE: no index range).
      const bool whole = i + 1 == t.size() || t[i + 1].text == ")" || t[i + 1].text == "," ||
                         t[i + 1].text == ";" ||
                         (t[i + 1].kind == Kind::kWord && !IsWord(t[i + 1], "COLLATE"));
      const bool pattern = (IsWord(t[k], "LIKE") || IsWord(t[k], "GLOB")) && j == i && whole &&
                           !(k > 0 && IsWord(t[k - 1], "NOT"));
      if (pattern) op = IsWord(t[k], "LIKE") ? "like" : "glob";
      while (k > 0 && (IsWord(t[k - 1], "NOT") || IsWord(t[k - 1], "IS"))) --k;
      if (k > 0 && IsIdent(t[k - 1])) {
        guess = t[k - 1].text;
        qualifier = qualifier_of(k - 1);
      }
      if (k > 0 && t[k - 1].text == ")") expression = ExpressionEndingAt(t, k - 1, &guess);
      if (!expression.empty() && pattern) op = "=";  // a range only ever for a column
    } else if (i + 2 < t.size() && IsComparison(t[i + 1]) && IsIdent(t[i + 2])) {
      guess = t[i + 2].text;  // "? = col", or "? = u.col"
      if (i + 4 < t.size() && t[i + 3].text == "." && IsIdent(t[i + 4])) {
        qualifier = guess;
        guess = t[i + 4].text;
      }
      const std::string& c = t[i + 1].text;
      op = c == ">" || c == ">=" ? "<" : c == "<" || c == "<=" ? ">" : "=";
    }
    if (guess.empty() && t[i].text.size() > 1 && t[i].text[0] != '?') {
      guess = t[i].text.substr(1);
      op = "=";
    }
    if (guess.empty()) op.clear();
    if (!expression.empty()) qualifier.clear();
    out.push_back({t[i].text, guess, op, expression, qualifier, t[i].begin, t[i].end});
  }
  return out;
}

std::vector<std::string> ParameterColumns(const std::string& sql) {
  std::vector<std::string> out;
  for (const ParameterUse& u : ParameterUses(sql)) out.push_back(u.column);
  return out;
}

std::vector<std::string> TriggerBodyStatements(const std::string& create_trigger) {
  std::vector<Token> t = Tokenize(create_trigger);
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < t.size() && !IsWord(t[begin], "BEGIN")) ++begin;
  if (begin == t.size()) return out;
  size_t end = t.size();
  while (end > begin && !IsWord(t[end - 1], "END")) --end;
  if (end <= begin + 1) return out;
  std::string current;
  size_t last = t[begin].end;
  for (size_t i = begin + 1; i < end - 1; ++i) {
    if (t[i].text == ";" && t[i].kind == Kind::kPunct) {
      current += create_trigger.substr(last, t[i].begin - last);
      if (!absl::StripAsciiWhitespace(current).empty()) {
        out.push_back(std::string(absl::StripAsciiWhitespace(current)));
      }
      current.clear();
      last = t[i].end;
      continue;
    }
    if ((IsWord(t[i], "NEW") || IsWord(t[i], "OLD")) && i + 2 < end && t[i + 1].text == "." &&
        IsIdent(t[i + 2])) {
      current += create_trigger.substr(last, t[i].begin - last);
      current += "?";
      last = t[i + 2].end;
      i += 2;
    }
  }
  if (end - 1 > begin) {
    current += create_trigger.substr(last, t[end - 1].begin - last);
    if (!absl::StripAsciiWhitespace(current).empty()) {
      out.push_back(std::string(absl::StripAsciiWhitespace(current)));
    }
  }
  return out;
}

namespace {

// `col ->> '$.path' = ...` (and `->`, SQLite 3.38+): the expression `col ->> '$.path'`, which an
// index can hold as json_extract's is held (json101.test's shapes, and what ORMs write).
void AppendJsonArrowPredicates(const std::vector<Token>& t, std::vector<ExpressionUse>* out) {
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (!IsIdent(t[i]) || (t[i + 1].text != "->>" && t[i + 1].text != "->")) continue;
    if (i > 0 && (t[i - 1].text == "->" || t[i - 1].text == "->>")) continue;  // a chain
    const Token& path = t[i + 2];
    if ((path.kind != Kind::kString && path.kind != Kind::kNumber) || !IsComparison(t[i + 3])) {
      continue;
    }
    ExpressionUse use{absl::StrCat(ColumnInExpression(t[i]), " ", t[i + 1].text, " ", path.text),
                      t[i].text};
    const Token& op = t[i + 3];
    use.equality = op.text == "=" || op.text == "==" ||
                   (IsWord(op, "IS") && !(i + 4 < t.size() && IsWord(t[i + 4], "NOT")));
    if (use.equality) use.literal = LiteralAt(t, i + 4);
    out->push_back(std::move(use));
  }
}

}  // namespace

std::vector<ExpressionUse> ExpressionPredicates(const std::string& sql) {
  std::vector<Token> t = Tokenize(sql);
  std::vector<ExpressionUse> out;
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (t[i].kind != Kind::kWord || t[i + 1].text != "(" || NotIndexable(t[i].text)) continue;
    // f(col) or f(alias.col), optionally with constant extra arguments: f(col, 'x').
    size_t k = i + 2;
    if (k + 2 < t.size() && IsIdent(t[k]) && t[k + 1].text == "." && IsIdent(t[k + 2])) k += 2;
    if (!IsIdent(t[k])) continue;
    const std::string column = t[k].text;
    size_t close = k + 1;
    bool constant_args = true;
    while (close < t.size() && t[close].text != ")") {
      if (t[close].text != "," && t[close].kind != Kind::kString &&
          t[close].kind != Kind::kNumber) {
        constant_args = false;
      }
      ++close;
    }
    if (!constant_args || close + 1 >= t.size() || !IsComparison(t[close + 1])) continue;
    // The column appears unqualified in the index expression, quoted as it must be.
    std::string expr = absl::StrCat(t[i].text, "(", ColumnInExpression(t[k]));
    for (size_t a = k + 1; a < close; ++a) {
      absl::StrAppend(&expr, t[a].text == "," ? ", " : t[a].text);
    }
    expr += ")";
    ExpressionUse use{expr, column};
    const Token& op = t[close + 1];
    use.equality = op.text == "=" || op.text == "==" ||
                   (IsWord(op, "IS") && !(close + 2 < t.size() && IsWord(t[close + 2], "NOT")));
    if (use.equality) use.literal = LiteralAt(t, close + 2);
    out.push_back(std::move(use));
  }
  AppendJsonArrowPredicates(t, &out);
  return out;
}

std::vector<ExpressionUse> OrderByExpressions(const std::string& sql) {
  std::vector<Token> t = Tokenize(sql);
  auto ends_term = [&](const Token& x) {
    return x.text == "," || x.text == ")" || x.text == ";" || IsWord(x, "ASC") ||
           IsWord(x, "DESC") || IsWord(x, "COLLATE") || IsWord(x, "NULLS") || IsWord(x, "LIMIT");
  };
  std::vector<ExpressionUse> out;
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    if (!IsWord(t[i], "ORDER") || !IsWord(t[i + 1], "BY")) continue;
    size_t k = i + 2;
    while (k < t.size()) {
      const size_t start = k;
      int depth = 0;
      for (; k < t.size() && !(depth == 0 && ends_term(t[k])); ++k) {
        if (t[k].text == "(") ++depth;
        if (t[k].text == ")") --depth;
      }
      // The term is exactly one call f(col[, constants]): its "(" is the term's second token.
      if (k > start + 2 && t[start + 1].text == "(" && t[k - 1].text == ")") {
        size_t open = k - 1;
        while (open > start && t[open].text != "(") --open;
        std::string column;
        std::string expr = ExpressionEndingAt(t, k - 1, &column);
        if (!expr.empty() && open == start + 1) out.push_back({expr, column});
      }
      // ASC, DESC, COLLATE x, NULLS FIRST: up to the next term or the clause's end.
      while (k < t.size() && t[k].text != "," && t[k].text != ")" && t[k].text != ";" &&
             !IsWord(t[k], "LIMIT")) {
        ++k;
      }
      if (k >= t.size() || t[k].text != ",") break;
      ++k;
    }
  }
  return out;
}

std::vector<ColumnLiteral> PartialIndexEqualities(const std::string& create_index) {
  std::vector<Token> t = Tokenize(create_index);
  // A literal at t[i] (a number may have a sign before it); its text, or "".
  auto literal = [&](size_t i) { return LiteralAt(t, i); };
  std::vector<ColumnLiteral> out;
  int depth = 0;
  bool in_where = false;  // after a top-level WHERE, until the statement's ';'
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")") --depth;
    if (t[i].text == ";") in_where = false, depth = 0;
    if (depth == 0 && IsWord(t[i], "WHERE")) in_where = true;
    if (!in_where || i == 0 || i + 2 >= t.size()) continue;
    const bool term_start = IsWord(t[i - 1], "WHERE") || IsWord(t[i - 1], "AND") ||
                            t[i - 1].text == "(";
    if (!term_start) continue;
    const std::string left = literal(i);
    const size_t op = i + (left.size() > 1 && left[0] == '-' ? 2 : 1);  // after the left side
    if (op + 1 >= t.size() || (t[op].text != "=" && t[op].text != "==")) continue;
    if (IsIdent(t[i]) && !literal(op + 1).empty()) {
      out.push_back({t[i].text, literal(op + 1)});
    } else if (!left.empty() && IsIdent(t[op + 1])) {
      out.push_back({t[op + 1].text, left});
    }
  }
  return out;
}

std::string WithoutUpsert(const std::string& sql) {
  std::vector<Token> t = Tokenize(sql);
  int depth = 0;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")") --depth;
    if (depth == 0 && IsWord(t[i], "ON") && IsWord(t[i + 1], "CONFLICT")) {
      // Keep a RETURNING clause out too: the probe only needs the INSERT's source.
      return sql.substr(0, t[i].begin);
    }
  }
  return sql;
}

std::string WithoutReturning(const std::string& sql) {
  std::vector<Token> t = Tokenize(sql);
  int depth = 0;
  for (size_t i = 1; i < t.size(); ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")") --depth;
    if (depth == 0 && IsWord(t[i], "RETURNING")) return sql.substr(0, t[i].begin);
  }
  return sql;
}

}  // namespace doctor::indexes
