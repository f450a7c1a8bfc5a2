#include "ext/migrations/drift.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/indexes/drizzle_schema.h"
#include "ext/indexes/index_def.h"
#include "ext/migrations/apply.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

// Replays the applied migrations on `scratch`; an unreplayable one becomes a Drift row.
absl::StatusOr<std::optional<Drift>> Replay(sqlite3* scratch, const std::vector<JournalRow>& journal) {
  for (const JournalRow& j : journal) {
    if (j.kind == "revert") continue;
    Migration m;
    m.name = j.name;
    m.text = j.sql;
    m.breakpoints = j.source == "drizzle" || j.sql.find(kBreakpointText) != std::string::npos;
    for (const std::string& s : StatementsOf(m)) {
      absl::Status run = ExecUserSql(scratch, s);
      if (!run.ok()) {
        const bool full = sqlite3_errcode(scratch) == SQLITE_FULL ||
                          absl::StrContains(run.message(), "database or disk is full");
        return std::optional<Drift>(Drift{
            "unreplayable", "", j.name,
            absl::StrCat("migration '", j.name, "' does not replay on an empty database (",
                         Excerpt(s, 60), "): ", run.message(),
                         full ? absl::StrCat(" (the replay holds at most ", kReplayScratchBytes,
                                             " bytes)")
                              : "",
                         "; the comparison stops here"),
            "", ""});
      }
    }
  }
  return std::optional<Drift>();
}

// The live index as a Drizzle schema line (indexes::DrizzleIndexLine, the one home for them).
absl::StatusOr<std::string> DrizzleIndexLine(sqlite3* db, const std::string& index) {
  ASSIGN_OR_RETURN(Rows cols, Query(db, "SELECT cid, name, desc, coll FROM "
                                        "pragma_index_xinfo(?1, 'main') WHERE key ORDER BY seqno",
                                    {Value(index)}));
  ASSIGN_OR_RETURN(Rows info, Query(db, "SELECT il.\"unique\", s.sql, s.tbl_name FROM "
                                        "main.sqlite_schema s, pragma_index_list(s.tbl_name, 'main') il "
                                        "WHERE s.type = 'index' AND s.name = ?1 AND il.name = s.name",
                                    {Value(index)}));
  const std::string table = info.empty() ? "" : info[0][2].AsText();
  std::vector<indexes::XinfoKeyColumn> key;
  for (const Row& c : cols) {
    indexes::XinfoKeyColumn k{static_cast<int>(c[0].AsInt()), c[1].AsText(), c[2].AsInt() != 0,
                              c[3].AsText(), ""};
    const char* declared = nullptr;  // the column's own collation
    if (k.cid != -2 &&
        sqlite3_table_column_metadata(db, "main", table.c_str(), k.name.c_str(), nullptr,
                                      &declared, nullptr, nullptr, nullptr) == SQLITE_OK &&
        declared != nullptr) {
      k.declared_collation = declared;
    }
    key.push_back(std::move(k));
  }
  const bool unique = !info.empty() && info[0][0].AsInt() != 0;
  const std::string create_sql = info.empty() || info[0][1].is_null() ? "" : info[0][1].AsText();
  const indexes::IndexDef d = indexes::ExistingIndex(table, index, unique, key, create_sql);
  return indexes::DrizzleIndexLine(d);
}

absl::StatusOr<std::string> LiveSql(sqlite3* db, const std::string& type, const std::string& name) {
  ASSIGN_OR_RETURN(Rows r, Query(db, "SELECT sql FROM main.sqlite_schema WHERE type = ?1 AND "
                                     "lower(name) = ?2",
                                 {Value(type), Value(name)}));
  return r.empty() || r[0][0].is_null() ? std::string() : absl::StrCat(r[0][0].AsText(), ";");
}

// `CREATE [UNIQUE] INDEX x ...` -> `CREATE [UNIQUE] INDEX IF NOT EXISTS x ...` (also TABLE, VIEW,
// TRIGGER), so the migration that records an extra object runs on this database (a no-op) as on
// a fresh one.
std::string IfNotExists(const std::string& create) {
  std::vector<Token> t = Tokenize(create);
  for (size_t i = 0; i < t.size() && i < 4; ++i) {
    const std::string w = NormalToken(t[i]);
    if (w != "table" && w != "index" && w != "view" && w != "trigger") continue;
    if (i + 1 < t.size() && NormalToken(t[i + 1]) == "if") return create;
    const size_t at = t[i].offset + t[i].text.size();
    return absl::StrCat(create.substr(0, at), " IF NOT EXISTS", create.substr(at));
  }
  return create;
}

// Where a drift's fix_sql goes in the migration that records them all: drops of what depends on
// tables (triggers, views, indexes) first, then tables, then what depends on them, created.
int ScriptRank(const Drift& d) {
  static constexpr const char* kDependents[] = {"trigger", "view", "index"};
  for (int i = 0; i < 3; ++i) {
    if (d.type != kDependents[i]) continue;
    return d.drift == "missing" ? i : 7 - i;  // dropped: 0..2; created: 5..7 (index, view, trigger)
  }
  return d.drift == "missing" ? 3 : 4;  // tables
}

// The migration that records the live state of one changed object.
absl::StatusOr<Drift> DriftOf(sqlite3* live, const SchemaChange& ch) {
  Drift d{ch.change == "added" ? "extra" : ch.change == "removed" ? "missing" : "changed",
          ch.type, ch.name, ch.detail, "", ""};
  const std::string drop = absl::StrCat("DROP ", ch.type == "table" ? "TABLE" : ch.type == "index" ? "INDEX"
                                                  : ch.type == "view" ? "VIEW" : "TRIGGER",
                                        " IF EXISTS ", QuoteIdentifier(ch.name), ";");
  ASSIGN_OR_RETURN(std::string create, LiveSql(live, ch.type, ch.name));
  if (d.drift == "extra") {
    d.fix_sql = IfNotExists(create);
  } else if (d.drift == "missing") {
    d.fix_sql = drop;
  } else if (ch.type == "table") {
    d.fix_sql = absl::StrCat("-- rebuild ", ch.name, " to match the live table (", ch.detail,
                             "): CREATE TABLE as live, copy the rows, DROP, RENAME\n", create);
  } else {
    d.fix_sql = absl::StrCat(drop, "\n", create);
  }
  if (ch.type == "index" && d.drift != "missing") {
    ASSIGN_OR_RETURN(d.drizzle, DrizzleIndexLine(live, ch.name));
  }
  return d;
}

}  // namespace

std::string NewMigrationPath(const Folder& folder, int64_t now_ms) {
  if (folder.layout == Layout::kDrizzleFolders) {
    const std::string iso = IsoTime(now_ms);  // 2026-12-06T05:35:31.123Z
    std::string stamp;
    for (char ch : iso.substr(0, 19)) {
      if (std::isdigit(static_cast<unsigned char>(ch))) stamp.push_back(ch);
    }
    return absl::StrCat(folder.path, "/", stamp, "_record_drift/migration.sql");
  }
  int64_t last = -1;
  for (const MigrationFile& f : folder.files) {
    int64_t n = 0;
    size_t i = 0;
    for (; i < f.name.size() && i < 9 && std::isdigit(static_cast<unsigned char>(f.name[i])); ++i) {
      n = n * 10 + (f.name[i] - '0');
    }
    if (i > 0) last = std::max(last, n);
  }
  std::string number = std::to_string(last + 1);
  if (number.size() < 4) number.insert(0, 4 - number.size(), '0');
  return absl::StrCat(folder.path, "/", number, "_record_drift.sql");
}

std::vector<JournalRow> ReplayList(const std::vector<JournalRow>& journal,
                                   const std::vector<PlanItem>& plan, std::string* edited) {
  std::vector<JournalRow> out = journal;
  for (const PlanItem& p : plan) {
    if (p.file == nullptr) continue;
    if (p.drizzle_edited) {
      if (edited != nullptr && edited->empty()) *edited = p.name;
      break;
    }
    if (!p.adopt) continue;
    JournalRow j;
    j.name = p.name;
    j.checksum = p.file->checksum;
    j.kind = "adopted";
    j.sql = p.file->text;
    j.source = "drizzle";
    j.origin = p.file->path;
    out.push_back(std::move(j));
  }
  return out;
}

namespace {

// The replayed SQL may not lift the bound: PRAGMA max_page_count = N is refused.
int RefuseMaxPageCount(void*, int code, const char* pragma, const char* value, const char*,
                       const char*) {
  const bool sets = code == SQLITE_PRAGMA && pragma != nullptr && value != nullptr &&
                    absl::EqualsIgnoreCase(pragma, "max_page_count");
  return sets ? SQLITE_DENY : SQLITE_OK;
}

}  // namespace

void BoundReplayScratch(sqlite3* scratch) {
  sqlite3_limit(scratch, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(scratch, SQLITE_LIMIT_LENGTH, 64 << 20);
  int page_size = 4096;
  if (absl::StatusOr<Rows> r = Query(scratch, "PRAGMA page_size"); r.ok() && !r->empty()) {
    page_size = static_cast<int>(std::max<int64_t>(512, (*r)[0][0].AsInt()));
  }
  Exec(scratch, absl::StrCat("PRAGMA max_page_count = ", kReplayScratchBytes / page_size))
      .IgnoreError();
  if (sqlite3_api->set_authorizer != nullptr) {
    sqlite3_set_authorizer(scratch, RefuseMaxPageCount, nullptr);
  }
}

absl::StatusOr<std::vector<Drift>> SchemaDrift(sqlite3* live, sqlite3* scratch, FactCache* cache,
                                               const std::vector<JournalRow>& journal,
                                               const std::vector<HashLink>& chain,
                                               std::string* replaying) {
  BoundReplayScratch(scratch);
  // The cheap check first: the journal's hashes may prove there is nothing to replay.
  ASSIGN_OR_RETURN(const std::string empty_hash, HashSchemaOf(scratch, "main", cache));
  ASSIGN_OR_RETURN(const std::string live_hash, HashSchemaOf(live, "main", cache));
  const HashChainVerdict verdict = CheckHashChain(chain, empty_hash, live_hash);
  std::vector<Drift> out;
  if (verdict.unchanged) return out;
  std::optional<Drift> failed;
  auto replayed = [&]() -> absl::StatusOr<std::vector<SchemaObject>> {
    ASSIGN_OR_RETURN(failed, Replay(scratch, journal));
    if (failed) return absl::AbortedError(failed->detail);
    return ReadSchema(scratch, "main", nullptr);
  }();
  if (!replayed.ok() && replayed.status().code() == absl::StatusCode::kAborted) {
    if (replaying != nullptr) *replaying = failed->name;
    out.push_back(Drift{"unreplayable", "", "", std::string(replayed.status().message()), "", "",
                        verdict.since});
    return out;
  }
  if (!replayed.ok()) return replayed.status();
  ASSIGN_OR_RETURN(std::vector<SchemaObject> now, ReadSchema(live, "main", cache));
  for (const SchemaChange& ch : DiffSchemas(*replayed, now)) {
    ASSIGN_OR_RETURN(Drift d, DriftOf(live, ch));
    d.since = verdict.since;
    out.push_back(std::move(d));
  }
  // The rows' fix_sql, in row order, are one migration: what depends on a table is dropped
  // before it and created after it.
  std::stable_sort(out.begin(), out.end(), [](const Drift& a, const Drift& b) {
    return ScriptRank(a) < ScriptRank(b);
  });
  return out;
}

}  // namespace doctor::migrations
