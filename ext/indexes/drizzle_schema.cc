#include "ext/indexes/drizzle_schema.h"

#include <cctype>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql_normalize.h"

namespace doctor::indexes {
namespace {

// Text inside a JavaScript template literal: backslash, backtick and "${" escaped.
std::string TemplateText(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' || c == '`' || (c == '$' && i + 1 < s.size() && s[i + 1] == '{')) out += '\\';
    out += c;
  }
  return out;
}

// A JavaScript string literal in single quotes. A line break may not stand in one: "\r" as much
// as "\n" (a column named with a carriage return made the line a SyntaxError).
std::string JsString(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    if (c == '\n' || c == '\r') {
      out += c == '\n' ? "\\n" : "\\r";
      continue;
    }
    out += c;
  }
  return out + "'";
}

bool JsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '_' || c == '$')) return false;
  }
  return true;
}

// The property name drizzle-kit gives a column in the schema files it writes (`drizzle-kit pull`):
// snake_case becomes camelCase ("run_at" -> runAt), other names are kept.
std::string PropertyName(const std::string& column) {
  std::string out;
  bool upper = false;
  for (char ch : column) {
    if (ch == '_' && !out.empty()) {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch);
    upper = false;
  }
  return out;
}

std::string Part(const KeyPart& p) {
  // Expressions, collations and DESC have no column builder: they go in as SQL. (A column of
  // drizzle-orm's sqlite-core, 0.45 and 1.0, has no .desc(): `t.runAt.desc()` was a TypeError
  // when the schema file loaded; `sql\`run_at DESC\`` makes drizzle-kit generate the same key.)
  if (p.expression || !p.collation.empty() || p.desc) {
    std::string sql = p.expression ? p.column : ReadableIdentifier(p.column);
    if (!p.collation.empty()) absl::StrAppend(&sql, " COLLATE ", ReadableIdentifier(p.collation));
    if (p.desc) sql += " DESC";
    return absl::StrCat("sql`", TemplateText(sql), "`");
  }
  const std::string property = PropertyName(p.column);
  return JsIdentifier(property) ? absl::StrCat("t.", property)
                                : absl::StrCat("t[", JsString(p.column), "]");
}

}  // namespace

std::string DrizzleIndexLine(const IndexDef& d) {
  std::vector<std::string> parts;
  // drizzle-kit (0.31) keeps an index between snapshot and SQL as one string, its key parts
  // joined with ',' and its fields with ';', and splits it again: a key part holding either
  // comes out cut in pieces. json_extract(attributes, '$.color') was written as
  // (`json_extract(attributes`,` '$.color')`), "no such column" when the migration ran.
  bool cut = d.where.find(';') != std::string::npos;
  for (const KeyPart& p : d.parts) {
    parts.push_back(Part(p));
    cut = cut || p.column.find_first_of(",;") != std::string::npos;
  }
  std::string line = absl::StrCat(d.unique ? "uniqueIndex(" : "index(",
                                   JsString(d.Name()), ").on(",
                                   absl::StrJoin(parts, ", "), ")");
  if (!d.where.empty()) absl::StrAppend(&line, ".where(sql`", TemplateText(d.where), "`)");
  // A comment, so the line still pastes into the schema as it is.
  if (cut) {
    absl::StrAppend(&line, " /* drizzle-kit generate (0.31) cuts this key at its commas: write "
                           "its CREATE INDEX in the migration by hand */");
  }
  return line;
}

}  // namespace doctor::indexes
