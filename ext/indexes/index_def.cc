#include "ext/indexes/index_def.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ext/core/sql_normalize.h"

namespace doctor::indexes {

std::string Slug(const std::string& text, size_t max_len, bool* cut) {
  std::string out;
  bool gap = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isalnum(c)) {
      if (out.size() >= max_len) {
        if (cut != nullptr) *cut = true;
        break;
      }
      if (gap && !out.empty()) out += '_';
      out += static_cast<char>(std::tolower(c));
      gap = false;
    } else {
      gap = true;
    }
  }
  return out;
}

std::string KeyHash(const IndexDef& d) {
  unsigned h = 2166136261u;
  for (unsigned char c : d.Key()) h = (h ^ c) * 16777619u;
  return absl::StrCat(absl::Hex(h & 0xffffff, absl::kZeroPad6));
}

std::string IndexDef::ColumnsText() const {
  std::vector<std::string> cols;
  for (const KeyPart& p : parts) {
    std::string c = p.expression ? p.column : ReadableIdentifier(p.column);
    if (!p.collation.empty()) absl::StrAppend(&c, " COLLATE ", ReadableIdentifier(p.collation));
    if (p.desc) c += " DESC";
    cols.push_back(std::move(c));
  }
  return absl::StrJoin(cols, ", ");
}

std::string IndexDef::StableName() const {
  bool cut = false;  // a part shortened: two keys may read alike (`$.customer.id`, `$.customer.tier`)
  std::string name = absl::StrCat("idx_", Slug(table, 24, &cut));
  for (const KeyPart& p : parts) {
    absl::StrAppend(&name, "_", Slug(p.column, 24, &cut));
    // `body -> '$.k'` slugs as `body ->> '$.k'` does: the rarer one gets the hash.
    if (p.expression && absl::StrContains(p.column, "->") && !absl::StrContains(p.column, "->>")) {
      cut = true;
    }
    if (!p.collation.empty()) absl::StrAppend(&name, "_", Slug(p.collation, 10, &cut));
    if (p.desc) name += "_desc";
  }
  if (!where.empty()) {
    // The constant words of the predicate ("state = 'queued'" -> "where_state_queued").
    absl::StrAppend(&name, "_where_", Slug(where, 30, &cut));
  }
  if (name.size() > 60) {
    // Long names get a short hash of the full key so they stay unique and stable.
    unsigned h = 2166136261u;
    for (unsigned char c : Key()) h = (h ^ c) * 16777619u;
    name = absl::StrCat(name.substr(0, 50), "_", absl::Hex(h & 0xffffff));  // (kept as it was)
  } else if (cut) {
    name = absl::StrCat(name, "_", KeyHash(*this));
  }
  return name;
}

std::string IndexDef::Ddl(const std::string& schema) const {
  std::string ddl = absl::StrCat("CREATE ", unique ? "UNIQUE " : "", "INDEX ",
                                 schema.empty() ? ReadableIdentifier(Name())
                                                : QualifiedIdentifier(schema, Name()),
                                 " ON ", ReadableIdentifier(table),
                                 "(", ColumnsText(), ")");
  if (!where.empty()) absl::StrAppend(&ddl, " WHERE ", where);
  return ddl;
}

std::string IndexDef::Key() const {
  std::string key = absl::AsciiStrToLower(table);
  for (const KeyPart& p : parts) {
    absl::StrAppend(&key, "|", p.expression ? p.column : absl::AsciiStrToLower(p.column), " ",
                    absl::AsciiStrToLower(p.collation), p.desc ? " d" : "");
  }
  absl::StrAppend(&key, "|w:", where);
  return key;
}

bool IsPrefixOf(const IndexDef& a, const IndexDef& b) {
  if (!absl::EqualsIgnoreCase(a.table, b.table) || a.where != b.where) return false;
  if (a.parts.size() > b.parts.size()) return false;
  for (size_t i = 0; i < a.parts.size(); ++i) {
    const KeyPart& x = a.parts[i];
    const KeyPart& y = b.parts[i];
    const bool same_column = x.expression ? x.column == y.column
                                          : absl::EqualsIgnoreCase(x.column, y.column);
    if (!same_column ||
        !absl::EqualsIgnoreCase(x.collation, y.collation) || x.expression != y.expression) {
      return false;
    }
    // Direction matters only for ORDER BY; a single-part prefix serves both directions.
    if (x.desc != y.desc && a.parts.size() > 1) return false;
  }
  return true;
}

double EstimateIndexBytes(double rows, double key_bytes) {
  // Record header (~1 byte per field + 1), the rowid (~4 bytes as varint), cell pointer and
  // cell size (~4), and b-tree pages kept ~90% full.
  const double per_row = key_bytes + 4.0 + 4.0 + 2.0;
  return std::ceil(rows * per_row / 0.9);
}

std::string ScaleStat(const std::string& stat, double sample_rows, double real_rows) {
  if (sample_rows <= 0 || real_rows <= sample_rows) return stat;
  const double f = real_rows / sample_rows;
  std::vector<std::string> words = absl::StrSplit(stat, ' ', absl::SkipEmpty());
  std::vector<std::string> out;
  for (size_t i = 0; i < words.size(); ++i) {
    char* end = nullptr;
    double v = std::strtod(words[i].c_str(), &end);
    if (end == words[i].c_str() || *end != '\0') {
      out.push_back(words[i]);  // "unordered", "sz=..." and the like
      continue;
    }
    double scaled = i == 0 ? v * f : v * std::pow(f, 1.0 - 1.0 / std::max(1.0, v));
    out.push_back(absl::StrCat(static_cast<long long>(std::llround(std::max(1.0, scaled)))));
  }
  return absl::StrJoin(out, " ");
}

Stat4Counts ScaleStat4(const Stat4Counts& counts, const std::string& sample_stat,
                       double sample_rows, double real_rows) {
  if (sample_rows <= 0 || real_rows <= sample_rows) return counts;
  const double f = real_rows / sample_rows;
  // Rows per key of each key prefix (stat1's words after the row count), as sampled.
  std::vector<double> per_key;
  for (absl::string_view w : absl::StrSplit(sample_stat, ' ', absl::SkipEmpty())) {
    double v = 0;
    if (!absl::SimpleAtod(w, &v)) break;  // "unordered", "sz=..." end the numbers
    per_key.push_back(v);
  }
  if (!per_key.empty()) per_key.erase(per_key.begin());  // the row count
  enum Kind { kEqual, kLess, kDistinctLess };
  auto scale = [&](const std::string& list, Kind kind, std::string* out) {
    std::vector<std::string> scaled;
    size_t i = 0;
    for (absl::string_view w : absl::StrSplit(list, ' ', absl::SkipEmpty())) {
      int64_t n = 0;
      if (!absl::SimpleAtoi(w, &n) || n < 0) return false;
      const double x = static_cast<double>(n);
      // The rowid column (past stat1's words) is unique: its distinct count grows with the rows.
      const double v = i < per_key.size() ? std::max(1.0, per_key[i]) : 1.0;
      const double by = kind == kLess           ? f
                        : kind == kDistinctLess ? std::pow(f, 1.0 / v)
                                                // The sampled key's own rows, as ScaleStat's v.
                                                : std::pow(f, 1.0 - 1.0 / std::max(1.0, x));
      scaled.push_back(absl::StrCat(std::llround(x * by)));
      ++i;
    }
    *out = absl::StrJoin(scaled, " ");
    return true;
  };
  Stat4Counts out;
  if (!scale(counts.neq, kEqual, &out.neq) || !scale(counts.nlt, kLess, &out.nlt) ||
      !scale(counts.ndlt, kDistinctLess, &out.ndlt)) {
    return counts;
  }
  return out;
}

namespace {

// The text of each term of CREATE INDEX's key list, its COLLATE and ASC/DESC left off, and any
// whitespace or comment between two tokens as one space (`lower(b)  /* x */ DESC` -> "lower(b)").
// Empty when there is no key list (an automatic index has no sql).
std::vector<std::string> KeyTermTexts(const std::string& sql) {
  std::vector<std::string> terms;
  std::vector<Token> term;
  int depth = 0;
  auto finish = [&] {
    while (!term.empty() && (term.back().kind == TokenKind::kSpace ||
                             term.back().kind == TokenKind::kComment)) {
      term.pop_back();
    }
    size_t n = term.size();
    auto word = [&](size_t i, const char* w) {
      return i < n && term[i].kind == TokenKind::kWord && absl::EqualsIgnoreCase(term[i].text, w);
    };
    std::vector<size_t> meaningful;
    for (size_t i = 0; i < n; ++i) {
      if (term[i].kind != TokenKind::kSpace && term[i].kind != TokenKind::kComment) {
        meaningful.push_back(i);
      }
    }
    size_t m = meaningful.size();
    if (m > 0 && (word(meaningful[m - 1], "asc") || word(meaningful[m - 1], "desc"))) --m;
    if (m >= 2 && word(meaningful[m - 2], "collate")) m -= 2;
    std::string text;
    bool gap = false;
    for (size_t j = 0; j < m; ++j) {
      const size_t i = meaningful[j];
      if (j > 0 && i > meaningful[j - 1] + 1) gap = true;
      if (gap && !text.empty()) text += ' ';
      gap = false;
      absl::StrAppend(&text, term[i].text);
    }
    terms.push_back(std::move(text));
    term.clear();
  };
  bool in_key = false;
  for (const Token& t : TokenizeSql(sql)) {
    const bool open = t.kind == TokenKind::kOperator && t.text == "(";
    const bool close = t.kind == TokenKind::kOperator && t.text == ")";
    if (!in_key) {
      if (open) in_key = true, depth = 1;
      continue;
    }
    if (open) ++depth;
    if (close && --depth == 0) {
      finish();
      break;
    }
    if (depth == 1 && t.kind == TokenKind::kOperator && t.text == ",") {
      finish();
      continue;
    }
    term.push_back(t);
  }
  return terms;
}

}  // namespace

IndexDef ExistingIndex(const std::string& table, const std::string& name, bool unique,
                       const std::vector<XinfoKeyColumn>& key, const std::string& create_sql) {
  IndexDef d;
  d.table = table;
  d.name = name;
  d.unique = unique;
  // An expression is known by its text: two expression indexes are the same only when they
  // index the same expression (lower(b) and upper(b) are not duplicates).
  const std::vector<std::string> terms = KeyTermTexts(create_sql);
  for (const XinfoKeyColumn& c : key) {
    KeyPart k;
    k.expression = c.cid == -2;
    const size_t n = d.parts.size();
    if (!k.expression) {
      k.column = c.name;
    } else if (n < terms.size() && !terms[n].empty()) {
      k.column = terms[n];
    } else {
      k.column = absl::StrCat("<expression ", n + 1, ">");
    }
    k.desc = c.desc;
    const std::string& declared = c.declared_collation.empty() ? "BINARY" : c.declared_collation;
    if (!absl::EqualsIgnoreCase(c.collation, declared)) k.collation = c.collation;
    d.parts.push_back(std::move(k));
  }
  if (!create_sql.empty()) d.where = PartialIndexWhere(create_sql);
  return d;
}

std::string PartialIndexWhere(const std::string& sql) {
  // The predicate follows the first WHERE at parenthesis depth 0: CREATE INDEX has nothing else
  // at that depth that could spell it (the key list is inside parentheses).
  int depth = 0;
  for (const Token& t : TokenizeSql(sql)) {
    if (t.kind == TokenKind::kOperator && t.text == "(") ++depth;
    if (t.kind == TokenKind::kOperator && t.text == ")") --depth;
    if (depth == 0 && t.kind == TokenKind::kWord && absl::EqualsIgnoreCase(t.text, "where")) {
      const size_t after = static_cast<size_t>(t.text.data() + t.text.size() - sql.data());
      std::string where(absl::StripAsciiWhitespace(sql.substr(after)));
      while (!where.empty() && where.back() == ';') where.pop_back();
      return std::string(absl::StripAsciiWhitespace(where));
    }
  }
  return "";
}

}  // namespace doctor::indexes
