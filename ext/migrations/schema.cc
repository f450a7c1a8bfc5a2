#include "ext/migrations/schema.h"

#include <strings.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/plan.h"
#include "ext/migrations/sha256.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

constexpr size_t kMaxCached = 20000;

std::string Norm(const Value& v) { return v.is_null() ? "NULL" : CanonicalSchemaSql(v.AsText()); }

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
  std::string norm = CanonicalSchemaSql(sql);
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

const FactCache::Entry* FactCache::Get(absl::string_view sql) {
  auto it = map_.find(std::hash<std::string_view>()(std::string_view(sql.data(), sql.size())));
  if (it == map_.end()) return nullptr;
  for (const auto& [text, entry] : it->second) {
    if (text == sql) return &entry;
  }
  return nullptr;
}

const FactCache::Entry* FactCache::Put(absl::string_view sql, Entry entry) {
  if (size_ >= kMaxCached) {
    map_.clear();
    size_ = 0;
  }
  auto& bucket = map_[std::hash<std::string_view>()(std::string_view(sql.data(), sql.size()))];
  bucket.emplace_back(std::string(sql), std::move(entry));
  ++size_;
  return &bucket.back().second;
}

namespace {

void Digest(const std::string& type, const std::string& name, const std::string& table,
            const std::vector<std::string>& facts, uint64_t out[4]) {
  Sha256 h;
  h.Update(absl::StrCat(type, "\t", name, "\t", table, "\n"));
  for (const std::string& f : facts) h.Update(absl::StrCat(f, "\n"));
  std::string hex = h.HexDigest();
  for (int i = 0; i < 4; ++i) out[i] = std::stoull(hex.substr(i * 16, 16), nullptr, 16);
}

// SQLite's own objects and the journals (doctor_migrations, Drizzle's table) are no part of the
// schema a migration changes.
bool Skipped(absl::string_view name, absl::string_view table, absl::string_view drizzle_table) {
  return (name.size() >= 7 && strncasecmp(name.data(), "sqlite_", 7) == 0) ||
         absl::EqualsIgnoreCase(table, "doctor_migrations") ||
         absl::EqualsIgnoreCase(table, drizzle_table);
}

std::string Final(const uint64_t sum[4], uint64_t count) {
  return Sha256Hex(absl::StrCat(absl::Hex(sum[0], absl::kZeroPad16), absl::Hex(sum[1], absl::kZeroPad16),
                                absl::Hex(sum[2], absl::kZeroPad16), absl::Hex(sum[3], absl::kZeroPad16),
                                ":", count));
}

absl::Status ObjectFacts(sqlite3* db, const std::string& schema, const std::string& type,
                         const std::string& name, const std::string& sql,
                         std::vector<std::string>* facts) {
  if (type == "table") {
    std::vector<std::string> lead = LeadingWords(sql, 3);
    if (lead.size() == 3 && lead[1] == "virtual") {
      facts->push_back("sql " + CanonicalSchemaSql(sql));
      return absl::OkStatus();
    }
    return TableFacts(db, schema, name, sql, facts);
  }
  if (type == "index") return IndexFacts(db, schema, name, sql, facts);
  facts->push_back("sql " + CanonicalSchemaSql(sql));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<SchemaObject>> ReadSchema(sqlite3* db, const std::string& schema,
                                                     FactCache* cache) {
  ASSIGN_OR_RETURN(Rows rows, Query(db, absl::StrCat("SELECT type, name, tbl_name, sql FROM ",
                                                     QuoteIdentifier(schema), ".sqlite_schema")));
  std::vector<SchemaObject> out;
  const std::string drizzle_table = DrizzleTable();
  for (const Row& r : rows) {
    SchemaObject o{r[0].AsText(), absl::AsciiStrToLower(r[1].AsText()),
                   absl::AsciiStrToLower(r[2].AsText()), {}};
    if (Skipped(o.name, o.table, drizzle_table)) continue;
    const std::string sql = r[3].AsText();
    bool cached = false;
    if (cache != nullptr) {
      absl::MutexLock lock(&cache->mu_);
      if (const FactCache::Entry* e = cache->Get(sql)) {
        o.facts = e->facts;
        cached = true;
      }
    }
    if (!cached) RETURN_IF_ERROR(ObjectFacts(db, schema, o.type, r[1].AsText(), sql, &o.facts));
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(), [](const SchemaObject& a, const SchemaObject& b) {
    return std::tie(a.type, a.name) < std::tie(b.type, b.name);
  });
  return out;
}

std::string HashSchema(const std::vector<SchemaObject>& objects) {
  uint64_t sum[4] = {0, 0, 0, 0};
  for (const SchemaObject& o : objects) {
    uint64_t d[4];
    Digest(o.type, o.name, o.table, o.facts, d);
    for (int i = 0; i < 4; ++i) sum[i] += d[i];
  }
  return Final(sum, objects.size());
}

// A fast 64-bit hash for change detection (not for security): 8 bytes at a time, mixed.
uint64_t FastHash(absl::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    h = (h ^ v) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 32);
}

namespace {

// One pass over `stmt` (type, name, tbl_name, sql, rowid), adding every object's digest to
// sum/count; rows are appended to `out` (when not null), reusing `prev` rows positionally.
absl::Status ScanRows(sqlite3* db, const std::string& schema, const std::string& drizzle_table,
                      FactCache* cache, sqlite3_stmt* stmt,
                      const std::vector<LastScan::Row>* prev_rows, std::vector<LastScan::Row>* out,
                      uint64_t sum[4], uint64_t* count, int64_t* max_rowid) {
  auto text = [&](int i) {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
    return absl::string_view(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
  };
  int rc;
  absl::MutexLock lock(&cache->mu_);
  for (size_t i = 0; (rc = sqlite3_step(stmt)) == SQLITE_ROW; ++i) {
    absl::string_view create = text(3);
    *max_rowid = std::max<int64_t>(*max_rowid, sqlite3_column_int64(stmt, 4));
    LastScan::Row row{FastHash(create), create.size(), {0, 0, 0, 0}, false};
    const LastScan::Row* prev =
        prev_rows != nullptr && i < prev_rows->size() ? &(*prev_rows)[i] : nullptr;
    if (prev != nullptr && prev->key == row.key && prev->length == row.length) {
      row = *prev;
    } else if (Skipped(text(1), text(2), drizzle_table)) {
      row.skipped = true;
    } else {
      absl::string_view name = text(1), table = text(2);
      const FactCache::Entry* e = cache->Get(create);
      if (e == nullptr) {
        FactCache::Entry entry;
        const std::string type(text(0)), lname = absl::AsciiStrToLower(name);
        RETURN_IF_ERROR(
            ObjectFacts(db, schema, type, std::string(name), std::string(create), &entry.facts));
        Digest(type, lname, absl::AsciiStrToLower(table), entry.facts, entry.digest);
        e = cache->Put(create, std::move(entry));
      }
      std::memcpy(row.digest, e->digest, sizeof row.digest);
    }
    if (!row.skipped) {
      for (int k = 0; k < 4; ++k) sum[k] += row.digest[k];
      ++*count;
    }
    if (out != nullptr) out->push_back(row);
  }
  if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  return absl::OkStatus();
}

absl::StatusOr<sqlite3_stmt*> PrepareScan(sqlite3* db, const std::string& schema, bool appended) {
  const std::string sql = absl::StrCat("SELECT type, name, tbl_name, sql, rowid FROM ",
                                       QuoteIdentifier(schema), ".sqlite_schema",
                                       appended ? " WHERE rowid > ?1 ORDER BY rowid" : "");
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(sqlite3_errmsg(db));
  }
  return stmt;
}

}  // namespace

absl::StatusOr<std::string> HashSchemaOf(sqlite3* db, const std::string& schema, FactCache* cache,
                                         LastScan* last) {
  ASSIGN_OR_RETURN(sqlite3_stmt* stmt, PrepareScan(db, schema, false));
  uint64_t sum[4] = {0, 0, 0, 0};
  uint64_t count = 0;
  int64_t max_rowid = 0;
  std::vector<LastScan::Row> rows;
  const std::string drizzle_table = DrizzleTable();
  const bool reuse =
      last != nullptr && last->schema == schema && last->drizzle_table == drizzle_table;
  absl::Status status =
      ScanRows(db, schema, drizzle_table, cache, stmt, reuse ? &last->rows : nullptr,
               last != nullptr ? &rows : nullptr, sum, &count, &max_rowid);
  sqlite3_finalize(stmt);
  if (last != nullptr) last->valid = false;
  if (!status.ok()) return status;
  if (last != nullptr) {
    last->schema = schema;
    last->drizzle_table = drizzle_table;
    last->rows = std::move(rows);
    last->valid = true;
    last->max_rowid = max_rowid;
    std::memcpy(last->sum, sum, sizeof sum);
    last->count = count;
  }
  return Final(sum, count);
}

absl::StatusOr<std::string> HashSchemaAppended(sqlite3* db, const std::string& schema,
                                               FactCache* cache, LastScan* last) {
  if (!last->valid || last->schema != schema || last->drizzle_table != DrizzleTable()) {
    return HashSchemaOf(db, schema, cache, last);
  }
  ASSIGN_OR_RETURN(sqlite3_stmt* stmt, PrepareScan(db, schema, true));
  sqlite3_bind_int64(stmt, 1, last->max_rowid);
  last->valid = false;
  absl::Status status = ScanRows(db, schema, last->drizzle_table, cache, stmt, nullptr,
                                 &last->rows, last->sum, &last->count, &last->max_rowid);
  sqlite3_finalize(stmt);
  if (!status.ok()) return status;
  last->valid = true;
  return Final(last->sum, last->count);
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

}  // namespace doctor::migrations
