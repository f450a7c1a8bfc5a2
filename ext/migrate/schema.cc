#include "ext/migrate/schema.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrate/sha256.h"
#include "ext/migrate/sql_text.h"

namespace doctor::migrate {
namespace {

constexpr size_t kMaxCached = 20000;

std::string Norm(const Value& v) { return v.is_null() ? "NULL" : NormalizeSql(v.AsText()); }

std::string TypeNorm(const std::string& type) {
  std::string out;
  for (const Token& t : Tokenize(type)) {
    if (!out.empty() && t.kind != Token::kPunct && out.back() != '(') out.push_back(' ');
    out += absl::AsciiStrToUpper(NormalToken(t));
  }
  return out;
}

// CHECK (...) clauses, WITHOUT ROWID, STRICT, AUTOINCREMENT from a CREATE TABLE's tokens.
void TableOptions(const std::string& sql, std::vector<std::string>* facts) {
  std::vector<Token> t = Tokenize(sql);
  for (size_t k = 0; k < t.size(); ++k) {
    std::string w = t[k].kind == Token::kWord ? absl::AsciiStrToLower(t[k].text) : "";
    if (w == "check" && k + 1 < t.size() && t[k + 1].text == "(") {
      int depth = 0;
      std::string clause = "check";
      for (size_t j = k + 1; j < t.size(); ++j) {
        if (t[j].text == "(") ++depth;
        if (t[j].text == ")") --depth;
        clause += " " + NormalToken(t[j]);
        if (depth == 0) break;
      }
      facts->push_back(clause);
    } else if (w == "autoincrement") {
      facts->push_back("autoincrement");
    } else if (w == "without" && k + 1 < t.size() &&
               absl::AsciiStrToLower(t[k + 1].text) == "rowid") {
      facts->push_back("without rowid");
    } else if (w == "strict" && k > 0 && (t[k - 1].text == ")" || t[k - 1].text == ",")) {
      facts->push_back("strict");
    }
  }
}

absl::Status TableFacts(sqlite3* db, const std::string& schema, const std::string& name,
                        const std::string& sql, std::vector<std::string>* facts) {
  ASSIGN_OR_RETURN(Rows cols, Query(db,
                                    "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
                                    "FROM pragma_table_xinfo(?1, ?2) ORDER BY cid",
                                    {Value(name), Value(schema)}));
  for (const Row& c : cols) {
    facts->push_back(absl::StrCat("column ", absl::AsciiStrToLower(c[0].AsText()), ": ",
                                  TypeNorm(c[1].AsText()), " notnull=", c[2].AsInt(),
                                  " default=", Norm(c[3]), " pk=", c[4].AsInt(),
                                  " hidden=", c[5].AsInt()));
  }
  ASSIGN_OR_RETURN(Rows fks, Query(db,
                                   "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete, "
                                   "\"match\" FROM pragma_foreign_key_list(?1, ?2) ORDER BY id, seq",
                                   {Value(name), Value(schema)}));
  std::map<int64_t, std::vector<const Row*>> by_id;
  for (const Row& r : fks) by_id[r[0].AsInt()].push_back(&r);
  for (const auto& [id, rows] : by_id) {
    std::vector<std::string> from, to;
    for (const Row* r : rows) {
      from.push_back(absl::AsciiStrToLower((*r)[2].AsText()));
      to.push_back((*r)[3].is_null() ? "(pk)" : absl::AsciiStrToLower((*r)[3].AsText()));
    }
    const Row& r = *rows.front();
    facts->push_back(absl::StrCat("foreign key (", absl::StrJoin(from, ","), ") references ",
                                  absl::AsciiStrToLower(r[1].AsText()), "(", absl::StrJoin(to, ","),
                                  ") on update ", absl::AsciiStrToLower(r[4].AsText()),
                                  " on delete ", absl::AsciiStrToLower(r[5].AsText())));
  }
  ASSIGN_OR_RETURN(Rows idx, Query(db,
                                   "SELECT l.origin, l.\"unique\", group_concat(lower(i.name), ',') "
                                   "FROM pragma_index_list(?1, ?2) l, "
                                   "pragma_index_info(l.name, ?2) i "
                                   "WHERE l.origin IN ('u', 'pk') GROUP BY l.name ORDER BY 3",
                                   {Value(name), Value(schema)}));
  for (const Row& r : idx) {
    facts->push_back(absl::StrCat(r[0].AsText() == "pk" ? "primary key" : "unique", " (",
                                  r[2].AsText(), ")"));
  }
  TableOptions(sql, facts);
  return absl::OkStatus();
}

absl::Status IndexFacts(sqlite3* db, const std::string& schema, const std::string& name,
                        const std::string& sql, std::vector<std::string>* facts) {
  ASSIGN_OR_RETURN(Rows cols, Query(db,
                                    "SELECT cid, name, \"desc\", coll FROM pragma_index_xinfo(?1, ?2) "
                                    "WHERE key = 1 ORDER BY seqno",
                                    {Value(name), Value(schema)}));
  bool expression = false;
  std::vector<std::string> parts;
  for (const Row& c : cols) {
    if (c[0].AsInt() == -2) expression = true;
    parts.push_back(absl::StrCat(absl::AsciiStrToLower(c[1].AsText()), c[2].AsInt() ? " desc" : "",
                                 " collate ", absl::AsciiStrToLower(c[3].AsText())));
  }
  std::vector<std::string> lead = LeadingWords(sql, 2);
  bool unique = lead.size() == 2 && lead[1] == "unique";
  facts->push_back(absl::StrCat(unique ? "unique " : "", "index (", absl::StrJoin(parts, ", "), ")"));
  std::string norm = NormalizeSql(sql);
  if (expression) {
    facts->push_back("sql " + norm);
  } else {
    // The WHERE of a partial index: everything after the closing parenthesis of the column list.
    size_t where = norm.rfind(") where ");
    if (where != std::string::npos) facts->push_back("where " + norm.substr(where + 8));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsJournalTable(const std::string& n) {
  return n == "doctor_migrations" || n == "__drizzle_migrations";
}

bool FactCache::Get(const std::string& key, std::vector<std::string>* facts) {
  absl::MutexLock lock(&mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return false;
  *facts = it->second;
  return true;
}

void FactCache::Put(const std::string& key, std::vector<std::string> facts) {
  absl::MutexLock lock(&mu_);
  if (map_.size() >= kMaxCached) map_.clear();
  map_[key] = std::move(facts);
}

absl::StatusOr<std::vector<SchemaObject>> ReadSchema(sqlite3* db, const std::string& schema,
                                                     FactCache* cache) {
  ASSIGN_OR_RETURN(Rows known, Query(db, "SELECT 1 FROM pragma_database_list WHERE name = ?1",
                                     {Value(schema)}));
  if (known.empty()) return absl::NotFoundError(absl::StrCat("no schema named '", schema, "'"));
  ASSIGN_OR_RETURN(Rows rows, Query(db, absl::StrCat("SELECT type, name, tbl_name, sql FROM ",
                                                     QuoteIdentifier(schema), ".sqlite_schema")));
  std::vector<SchemaObject> out;
  for (const Row& r : rows) {
    SchemaObject o{r[0].AsText(), absl::AsciiStrToLower(r[1].AsText()),
                   absl::AsciiStrToLower(r[2].AsText()), {}};
    if (o.name.rfind("sqlite_", 0) == 0 || IsJournalTable(o.table)) continue;
    const std::string sql = r[3].AsText();
    const std::string key = absl::StrCat(schema, "\x1f", o.type, "\x1f", r[1].AsText(), "\x1f", sql);
    if (cache == nullptr || !cache->Get(key, &o.facts)) {
      if (o.type == "table") {
        if (LeadingWords(sql, 3).size() == 3 && LeadingWords(sql, 3)[1] == "virtual") {
          o.facts.push_back("sql " + NormalizeSql(sql));
        } else {
          RETURN_IF_ERROR(TableFacts(db, schema, r[1].AsText(), sql, &o.facts));
        }
      } else if (o.type == "index") {
        RETURN_IF_ERROR(IndexFacts(db, schema, r[1].AsText(), sql, &o.facts));
      } else {
        o.facts.push_back("sql " + NormalizeSql(sql));
      }
      if (cache != nullptr) cache->Put(key, o.facts);
    }
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(), [](const SchemaObject& a, const SchemaObject& b) {
    return std::tie(a.type, a.name) < std::tie(b.type, b.name);
  });
  return out;
}

std::string HashSchema(const std::vector<SchemaObject>& objects) {
  Sha256 h;
  for (const SchemaObject& o : objects) {
    h.Update(absl::StrCat(o.type, "\t", o.name, "\t", o.table, "\n"));
    for (const std::string& f : o.facts) h.Update(absl::StrCat(f, "\n"));
    h.Update("\n");
  }
  return h.HexDigest();
}

std::vector<SchemaChange> DiffSchemas(const std::vector<SchemaObject>& a,
                                      const std::vector<SchemaObject>& b) {
  std::map<std::pair<std::string, std::string>, const SchemaObject*> left, right;
  for (const auto& o : a) left[{o.type, o.name}] = &o;
  for (const auto& o : b) right[{o.type, o.name}] = &o;
  std::vector<SchemaChange> out;
  for (const auto& [key, o] : left) {
    if (!right.count(key)) out.push_back({"removed", o->type, o->name, absl::StrJoin(o->facts, "; ")});
  }
  for (const auto& [key, o] : right) {
    auto it = left.find(key);
    if (it == left.end()) {
      out.push_back({"added", o->type, o->name, absl::StrJoin(o->facts, "; ")});
      continue;
    }
    const SchemaObject* old = it->second;
    if (old->facts == o->facts && old->table == o->table) continue;
    // Facts are "<label>: <description>" for columns, whole lines otherwise: compare by label.
    auto keyed = [](const std::vector<std::string>& facts) {
      std::map<std::string, std::string> m;
      for (const std::string& f : facts) {
        size_t colon = f.rfind("column ", 0) == 0 ? f.find(": ") : std::string::npos;
        if (colon == std::string::npos) m[f] = "";
        else m[f.substr(0, colon)] = f.substr(colon + 2);
      }
      return m;
    };
    std::map<std::string, std::string> ka = keyed(old->facts), kb = keyed(o->facts);
    std::vector<std::string> details;
    for (const auto& [k, v] : ka) {
      auto j = kb.find(k);
      if (j == kb.end()) details.push_back(absl::StrCat("removed ", k));
      else if (j->second != v) details.push_back(absl::StrCat("changed ", k, ": ", v, " -> ", j->second));
    }
    for (const auto& [k, v] : kb) {
      if (!ka.count(k)) details.push_back(absl::StrCat("added ", k, v.empty() ? "" : ": ", v));
    }
    if (details.empty()) details.push_back("column order changed");
    out.push_back({"changed", o->type, o->name, absl::StrJoin(details, "; ")});
  }
  return out;
}

}  // namespace doctor::migrate
