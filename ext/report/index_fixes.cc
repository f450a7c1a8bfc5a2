#include "ext/report/index_fixes.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql_normalize.h"
#include "ext/indexes/index_def.h"

namespace doctor::report {
namespace {

// The statement's tokens without whitespace and comments.
std::vector<Token> Significant(absl::string_view sql) {
  std::vector<Token> out;
  for (const Token& t : TokenizeSql(sql)) {
    if (t.kind != TokenKind::kSpace && t.kind != TokenKind::kComment) out.push_back(t);
  }
  return out;
}

bool IsWord(const Token& t, absl::string_view word) {
  return t.kind == TokenKind::kWord && absl::EqualsIgnoreCase(t.text, word);
}

bool IsName(const Token& t) {
  return t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedName;
}

std::string NameOf(const Token& t) {
  return absl::AsciiStrToLower(t.kind == TokenKind::kQuotedName ? UnquoteSql(t.text)
                                                                : std::string(t.text));
}

// A name, or schema.name (the schema is dropped); advances `i` past it.
std::optional<std::string> QualifiedName(const std::vector<Token>& t, size_t& i) {
  if (i >= t.size() || !IsName(t[i])) return std::nullopt;
  std::string name = NameOf(t[i++]);
  if (i + 1 < t.size() && t[i].text == "." && IsName(t[i + 1])) {
    name = NameOf(t[i + 1]);
    i += 2;
  }
  return name;
}

// One indexed column from `begin` to `end`: its name, or its expression's text.
std::string ColumnOf(const std::vector<Token>& t, size_t begin, size_t end) {
  if (end > begin && IsName(t[begin]) &&
      (end == begin + 1 || IsWord(t[begin + 1], "ASC") || IsWord(t[begin + 1], "DESC") ||
       IsWord(t[begin + 1], "COLLATE"))) {
    return NameOf(t[begin]);
  }
  std::string text;
  for (size_t k = begin; k < end; ++k) absl::StrAppend(&text, t[k].text);
  return absl::AsciiStrToLower(text);
}

// The COLLATE name (lower-cased) and direction of the plain column from `begin` to `end`.
void OrderOf(const std::vector<Token>& t, size_t begin, size_t end, IndexShape& shape) {
  std::string collation;
  bool desc = false;
  for (size_t k = begin + 1; k < end; ++k) {
    if (IsWord(t[k], "COLLATE") && k + 1 < end) collation = NameOf(t[k + 1]);
    if (IsWord(t[k], "DESC")) desc = true;
  }
  shape.collations.push_back(collation);
  shape.desc.push_back(desc);
}

// The column list after `(` at `i`; advances `i` past its `)`.
std::optional<std::vector<std::string>> Columns(const std::vector<Token>& t, size_t& i,
                                                IndexShape& shape) {
  if (i >= t.size() || t[i].text != "(") return std::nullopt;
  std::vector<std::string> columns;
  int depth = 0;
  size_t begin = i + 1;
  for (++i; i < t.size(); ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")" && depth-- == 0) {
      columns.push_back(ColumnOf(t, begin, i));
      OrderOf(t, begin, i++, shape);
      return columns;
    }
    if (t[i].text == "," && depth == 0) {
      columns.push_back(ColumnOf(t, begin, i));
      OrderOf(t, begin, i, shape);
      begin = i + 1;
    }
  }
  return std::nullopt;  // unterminated
}

bool Leads(const std::vector<std::string>& prefix, const std::vector<std::string>& of) {
  if (prefix.size() > of.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != of[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<IndexShape> ParseCreateIndex(absl::string_view sql) {
  const std::vector<Token> t = Significant(sql);
  size_t i = 0;
  if (i >= t.size() || !IsWord(t[i++], "CREATE")) return std::nullopt;
  IndexShape shape;
  if (i < t.size() && IsWord(t[i], "UNIQUE")) {
    shape.unique = true;
    ++i;
  }
  if (i >= t.size() || !IsWord(t[i++], "INDEX")) return std::nullopt;
  if (i + 2 < t.size() && IsWord(t[i], "IF") && IsWord(t[i + 1], "NOT") &&
      IsWord(t[i + 2], "EXISTS")) {
    i += 3;
  }
  std::optional<std::string> name = QualifiedName(t, i);
  if (!name || i >= t.size() || !IsWord(t[i++], "ON")) return std::nullopt;
  std::optional<std::string> table = QualifiedName(t, i);
  if (!table) return std::nullopt;
  std::optional<std::vector<std::string>> columns = Columns(t, i, shape);
  if (!columns) return std::nullopt;
  shape.name = std::move(*name);
  shape.table = std::move(*table);
  shape.columns = std::move(*columns);
  shape.partial = i < t.size() && IsWord(t[i], "WHERE");
  return shape;
}

bool SameIndexColumns(const IndexShape& a, const IndexShape& b) {
  return !a.partial && !b.partial && a.table == b.table && a.columns == b.columns;
}

void MergeIndexFixes(std::vector<Finding>& findings) {
  // The same index twice (the advisor names an index after its definition, so one name is one
  // definition), partial ones too: the first keeps it. Before, two queries that each needed
  // jobs(locked_at) WHERE state = 'running' both carried its CREATE, and the second failed
  // ("index ... already exists") when every fix was run.
  std::set<std::string> names;
  std::vector<std::optional<IndexShape>> shapes;  // each fix's, read once; partial ones left alone
  for (Finding& f : findings) {
    std::optional<IndexShape> shape = f.fix_sql ? ParseCreateIndex(*f.fix_sql) : std::nullopt;
    if (shape && !names.insert(shape->name).second) {
      f.advice = absl::StrCat(f.advice, "; the fix of another finding above creates the index ",
                              shape->name, " already");
      f.fix_sql.reset();
      shape.reset();
    }
    shapes.push_back(shape && !shape->partial ? std::move(shape) : std::nullopt);
  }
  for (size_t a = 0; a < findings.size(); ++a) {
    for (size_t b = 0; shapes[a] && b < findings.size(); ++b) {
      if (a == b || !shapes[b] || shapes[b]->table != shapes[a]->table) continue;
      const bool longer = shapes[b]->columns.size() > shapes[a]->columns.size();
      if (!Leads(shapes[a]->columns, shapes[b]->columns) || (!longer && b > a)) continue;
      findings[a].advice =
          absl::StrCat(findings[a].advice, "; the index ", shapes[b]->name, " (the fix of the ",
                       findings[b].area, " finding on ", findings[b].object,
                       ") serves this too, so build only that one");
      findings[a].fix_sql.reset();
      shapes[a].reset();
    }
  }
}

namespace {

// The shape as ext/indexes models an index, for its rules. A column that is not a plain name is
// an expression, compared as its (lower-cased) text.
indexes::IndexDef AsIndexDef(const IndexShape& shape) {
  indexes::IndexDef def;
  def.table = shape.table;
  def.unique = shape.unique;
  for (size_t i = 0; i < shape.columns.size(); ++i) {
    const std::string& c = shape.columns[i];
    const bool plain = !c.empty() && std::all_of(c.begin(), c.end(), [](unsigned char ch) {
      return absl::ascii_isalnum(ch) || ch == '_';
    });
    def.parts.push_back({c, shape.collations[i], shape.desc[i], !plain});
  }
  return def;
}

// True when index_lint would call `a` a prefix of `b` (indexes::IsPrefixOf, the one rule): a
// shorter key whose columns and collations lead b's, and whose directions do too unless it has a
// single column (scanned either way). Partial indexes are left alone.
bool PrefixOf(const IndexShape& a, const IndexShape& b) {
  return !a.partial && !b.partial && a.columns.size() < b.columns.size() &&
         indexes::IsPrefixOf(AsIndexDef(a), AsIndexDef(b));
}

// The index a `DROP INDEX [IF EXISTS] [schema.]name` fix drops (lower-cased), else nullopt.
std::optional<std::string> DroppedIndex(absl::string_view sql) {
  const std::vector<Token> t = Significant(sql);
  size_t i = 0;
  if (i + 1 >= t.size() || !IsWord(t[i], "DROP") || !IsWord(t[i + 1], "INDEX")) {
    return std::nullopt;
  }
  i += 2;
  if (i + 1 < t.size() && IsWord(t[i], "IF") && IsWord(t[i + 1], "EXISTS")) i += 2;
  return QualifiedName(t, i);
}

}  // namespace

std::vector<std::pair<size_t, std::string>> PrefixesOfIndexFixes(
    const std::vector<ExistingIndex>& existing, const std::vector<Finding>& findings) {
  std::set<std::string> dropped;
  for (const Finding& f : findings) {
    if (!f.fix_sql) continue;
    if (std::optional<std::string> name = DroppedIndex(*f.fix_sql)) dropped.insert(*name);
  }
  std::vector<std::pair<size_t, std::string>> out;
  for (size_t k = 0; k < findings.size(); ++k) {
    if (!findings[k].fix_sql) continue;
    const std::optional<IndexShape> shape = ParseCreateIndex(*findings[k].fix_sql);
    if (!shape) continue;
    for (const ExistingIndex& e : existing) {
      if (e.shape.unique || dropped.count(e.shape.name) > 0 || !PrefixOf(e.shape, *shape)) {
        continue;
      }
      dropped.insert(e.shape.name);
      out.emplace_back(k, e.name);
    }
  }
  return out;
}

}  // namespace doctor::report
