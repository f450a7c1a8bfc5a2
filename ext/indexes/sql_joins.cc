#include "ext/indexes/sql_joins.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "ext/indexes/sql_tokens.h"

namespace doctor::indexes {
namespace {

// Binds tighter than "=" next to a column reference: then the reference is part of a larger
// expression ("a + b = c"), not one side of an equality.
bool BindsTighter(const Token& t) {
  static const char* const kOps[] = {"+", "-", "*", "/", "%", "||", "&", "|", "<<", ">>", "~",
                                     "(", ".", "->", "->>"};
  for (const char* op : kOps) {
    if (t.text == op) return true;
  }
  return false;
}

// Where an equality of a join may start: after these words or "(".
bool StartsCondition(const Token& t) {
  return t.text == "(" || IsWord(t, "WHERE") || IsWord(t, "ON") || IsWord(t, "AND") ||
         IsWord(t, "OR") || IsWord(t, "WHEN") || IsWord(t, "HAVING");
}

// Words that follow a table name without being its alias.
bool NeverAlias(const Token& t) {
  static const char* const kWords[] = {
      "WHERE", "ON", "JOIN", "LEFT", "RIGHT", "FULL", "INNER", "CROSS", "NATURAL", "OUTER",
      "GROUP", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "USING", "SET", "VALUES",
      "WINDOW", "HAVING", "INDEXED", "NOT", "AS", "RETURNING", "DEFAULT", "SELECT", "AND", "OR",
      "FROM", "IS", "IN", "LIKE", "BETWEEN", "THEN", "ELSE", "END", "WHEN", "ASC", "DESC"};
  if (t.kind != Kind::kWord) return t.kind != Kind::kQuoted;
  for (const char* w : kWords) {
    if (IsWord(t, w)) return true;
  }
  return false;
}

// The column reference `name` or `qualifier.name` at t[i]; one past its end in *end.
bool ColumnRefAt(const std::vector<Token>& t, size_t i, ColumnRef* ref, size_t* end) {
  if (i >= t.size() || !IsIdent(t[i])) return false;
  if (i + 2 < t.size() && t[i + 1].text == "." && IsIdent(t[i + 2])) {
    *ref = {t[i].text, t[i + 2].text};
    *end = i + 3;
  } else {
    *ref = {"", t[i].text};
    *end = i + 1;
  }
  return true;
}

// Words that end a FROM clause at its depth.
bool EndsFrom(const Token& t) {
  static const char* const kWords[] = {"WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "WINDOW",
                                       "UNION", "EXCEPT", "INTERSECT", "RETURNING", "SELECT",
                                       "VALUES", "SET"};
  for (const char* w : kWords) {
    if (IsWord(t, w)) return true;
  }
  return false;
}

// The USING and NATURAL joins of the FROM clauses of the statement t[begin, end): one frame per
// open parenthesis, so a subquery's FROM clause is its own; a subquery or table function as a
// table is known by its alias only.
class FromClauses {
 public:
  FromClauses(const std::vector<Token>& t, size_t begin, size_t end)
      : t_(t), end_(end), frames_(1) {
    for (size_t i = begin; i < end; ++i) i = Read(i);
  }
  std::vector<UsingJoin> joins() && { return std::move(joins_); }

 private:
  struct Frame {
    bool in_from = false, expect_table = false, natural = false, table_call = false;
    std::vector<std::string> tables;  // alias or name, in order
  };

  // Reads t[i] (a table's alias and a USING list too); returns the last index read.
  size_t Read(size_t i) {
    const Token& x = t_[i];
    Frame& f = frames_.back();
    if (x.text == "(") {
      f.table_call = f.in_from && f.expect_table;  // a subquery or a parenthesised join
      frames_.emplace_back();
      return i;
    }
    if (x.text == ")") {
      if (frames_.size() > 1) frames_.pop_back();
      Frame& outer = frames_.back();
      if (!outer.table_call) return i;
      outer.table_call = false;
      return AddTable("", i + 1);
    }
    if (IsWord(x, "FROM")) {
      f = Frame();
      f.in_from = f.expect_table = true;
      return i;
    }
    if (!f.in_from) return i;
    if (x.text == "," || IsWord(x, "JOIN")) {
      f.expect_table = true;
    } else if (IsWord(x, "NATURAL")) {
      f.natural = true;
    } else if (IsWord(x, "USING") && i + 1 < end_ && t_[i + 1].text == "(") {
      return ReadUsing(i + 2);
    } else if (EndsFrom(x)) {
      f.in_from = f.expect_table = false;
    } else if (f.expect_table && IsIdent(x)) {
      // schema.table: the table's name is the second word.
      if (i + 2 < end_ && t_[i + 1].text == "." && IsIdent(t_[i + 2])) i += 2;
      return AddTable(t_[i].text, i + 1);
    }
    return i;
  }

  // The table `name` ("" for a subquery) whose alias, if any, starts at t[k].
  size_t AddTable(const std::string& name, size_t k) {
    Frame& f = frames_.back();
    std::string known = name;
    size_t last = k - 1;
    if (k + 1 < end_ && IsWord(t_[k], "AS") && IsIdent(t_[k + 1])) {
      known = t_[k + 1].text;
      last = k + 1;
    } else if (k < end_ && IsIdent(t_[k]) && !NeverAlias(t_[k])) {
      known = t_[k].text;
      last = k;
    }
    if (f.natural && !f.tables.empty()) joins_.push_back({f.tables, known, {}, true});
    f.natural = f.expect_table = false;
    f.tables.push_back(known);
    return last;
  }

  // The column list of USING, from t[k] to its ")": the last table's join with those before it.
  size_t ReadUsing(size_t k) {
    Frame& f = frames_.back();
    UsingJoin join;
    for (; k < end_ && t_[k].text != ")"; ++k) {
      if (IsIdent(t_[k])) join.columns.push_back(t_[k].text);
    }
    if (f.tables.size() >= 2) {
      join.right = f.tables.back();
      join.left.assign(f.tables.begin(), f.tables.end() - 1);
      joins_.push_back(std::move(join));
    }
    return std::min(k, end_ - 1);
  }

  const std::vector<Token>& t_;
  const size_t end_;
  std::vector<Frame> frames_;
  std::vector<UsingJoin> joins_;
};

}  // namespace

std::vector<StatementJoins> JoinEqualities(const std::string& sql) {
  const std::vector<Token> t = Tokenize(sql);
  std::vector<StatementJoins> out(1);
  size_t statement_begin = 0;
  for (size_t i = 0; i <= t.size(); ++i) {
    if (i == t.size() || t[i].text == ";") {
      out.back().using_joins = FromClauses(t, statement_begin, i).joins();
      if (i < t.size()) out.emplace_back();
      statement_begin = i + 1;
      continue;
    }
    StatementJoins& st = out.back();
    if (IsIdent(t[i])) st.words.push_back(t[i].text);
    if (IsIdent(t[i]) && i + 1 < t.size() && !NeverAlias(t[i + 1])) {
      st.aliases.push_back({t[i].text, t[i + 1].text});
    } else if (IsIdent(t[i]) && i + 2 < t.size() && IsWord(t[i + 1], "AS") && IsIdent(t[i + 2])) {
      st.aliases.push_back({t[i].text, t[i + 2].text});
    }
    if (i == 0 || !StartsCondition(t[i - 1])) continue;
    ColumnRef left, right;
    size_t eq = 0, end = 0;
    if (!ColumnRefAt(t, i, &left, &eq) || eq >= t.size() ||
        (t[eq].text != "=" && t[eq].text != "==") || !ColumnRefAt(t, eq + 1, &right, &end) ||
        (end < t.size() && BindsTighter(t[end]))) {
      continue;
    }
    st.equalities.push_back({left, right});
  }
  return out;
}

}  // namespace doctor::indexes
