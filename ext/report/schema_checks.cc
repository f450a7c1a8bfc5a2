#include "ext/report/schema_checks.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/text.h"
#include "ext/report/index_fixes.h"

namespace doctor::report {
namespace {

// Counting rows stops here: a report must stay cheap on a large database.
constexpr int64_t kCountCap = 1000000;

struct Table {
  std::string name;
  bool without_rowid = false;
  int64_t rows = 0;  // capped at kCountCap
};

std::string Lower(std::string s) { return absl::AsciiStrToLower(s); }

std::string RowsText(int64_t rows) {
  return rows >= kCountCap ? absl::StrCat("at least ", kCountCap, " rows")
                           : absl::StrCat(rows, " rows");
}

absl::StatusOr<int64_t> CountRows(Connection& c, const std::string& schema, const std::string& table) {
  ASSIGN_OR_RETURN(Rows rows, Query(c, absl::StrCat("SELECT count(*) FROM (SELECT 1 FROM ",
                                                    QuoteIdentifier(schema), ".",
                                                    QuoteIdentifier(table), " LIMIT ", kCountCap,
                                                    ")")));
  return rows.empty() ? 0 : rows[0][0].AsInt();
}

Finding UnindexedForeignKeyFinding(const std::string& schema, const Table& table,
                                   const UnindexedForeignKey& fk) {
  const bool actions = fk.on_delete != "NO ACTION" || fk.on_update != "NO ACTION";
  const std::string columns = absl::StrJoin(fk.columns, ", ");
  std::vector<std::string> quoted;
  for (const auto& col : fk.columns) quoted.push_back(QuoteIdentifier(col));
  // The advisor's and index_lint's scheme (for main, AddAreaFindings adopts lint's statement).
  const std::string index_name =
      Lower(absl::StrCat("idx_", table.name, "_", absl::StrJoin(fk.columns, "_")));
  Finding f;
  f.area = "schema";
  f.severity = table.rows > 1000 ? Severity::kWarn : Severity::kInfo;
  f.object = absl::StrCat(table.name, "(", columns, ")");
  f.finding = absl::StrCat(
      "foreign key ", table.name, "(", columns, ") -> ", fk.parent,
      " has no index on the child columns: every delete or key update in ", fk.parent,
      actions ? absl::StrCat(" (ON DELETE ", fk.on_delete, ", ON UPDATE ", fk.on_update, ")") : "",
      " scans ", table.name, " (", RowsText(table.rows), ")");
  f.advice = "index the child columns of the foreign key";
  f.fix_sql = absl::StrCat("CREATE INDEX ", QuoteIdentifier(schema), ".",
                           QuoteIdentifier(index_name), " ON ", QuoteIdentifier(table.name), "(",
                           absl::StrJoin(quoted, ", "), ")");
  f.impact = static_cast<double>(table.rows);
  return f;
}

// A key SQLite cannot use (core MismatchedForeignKeys): an index on its child columns would not
// help, and with foreign keys on it fails writes of both tables.
Finding MismatchedForeignKeyFinding(const MismatchedForeignKey& m) {
  const std::string name = doctor::ForeignKeyName(m.key);
  Finding f;
  f.area = "schema";
  f.severity = Severity::kWarn;
  f.object = name;
  f.finding = absl::StrCat(
      "foreign key ", name, " cannot be used by SQLite (", m.why,
      "): PRAGMA foreign_key_check fails on ", m.key.table, " (\"foreign key mismatch\"), so its "
      "rows are never checked, and with foreign keys on every INSERT into ", m.key.table,
      " and every DELETE or key UPDATE of ", m.key.parent, " fails");
  f.advice = m.fix;
  f.impact = 1e12;
  return f;
}

// PRAGMA foreign_keys is a setting of each connection, and all we can read is our own: the
// connection reading the report (often the sqlite3 shell or a script), not the application's.
// So this is information, not a warning, and it says whose setting it is.
// `unusable`: how many of the keys SQLite cannot use (MismatchedForeignKeys): with foreign keys
// on, every write they touch fails, so they come first.
Finding ForeignKeysOff(const std::string& schema, int declared, size_t unusable) {
  const std::string first =
      unusable == 0 ? ""
                    : absl::StrCat("first fix the ", unusable,
                                   unusable == 1 ? " foreign key" : " foreign keys",
                                   " SQLite cannot use (the findings naming them): with foreign "
                                   "keys on, every INSERT into their child tables and every DELETE "
                                   "or key UPDATE of their parents fails. Then ");
  return {"schema", Severity::kInfo, schema,
          absl::StrCat(declared, declared == 1 ? " foreign key is" : " foreign keys are",
                       " declared but PRAGMA foreign_keys is off on the "
                       "connection reading this report. It is a per-connection setting and this "
                       "connection may not be the application's (the sqlite3 shell's is not): if "
                       "the application's connections leave it off too, none is enforced and no "
                       "ON DELETE action runs"),
          absl::StrCat(first,
                       "check that every connection the application opens has foreign keys on "
                       "(better-sqlite3 builds SQLite with them on by default; the sqlite3 shell, "
                       "Python's sqlite3 and most other drivers need PRAGMA foreign_keys = ON); "
                       "run the fix here to read on with them on"),
          std::string("PRAGMA foreign_keys = ON"), 1e12};
}

absl::Status CheckForeignKeys(Connection& c, const std::string& schema,
                              const std::vector<Table>& tables, std::vector<Finding>& out) {
  ASSIGN_OR_RETURN(Rows enforced, Query(c, "PRAGMA foreign_keys"));
  const bool on = !enforced.empty() && enforced[0][0].AsInt() != 0;
  int declared = 0;
  for (const Table& table : tables) {
    ASSIGN_OR_RETURN(std::vector<ForeignKey> fks, ForeignKeysOf(c, schema, table.name));
    declared += static_cast<int>(fks.size());
  }
  // Keys SQLite cannot use: a finding of their own, and no index advice (core's one answer,
  // migrate_check's fk_mismatch asks it too).
  ASSIGN_OR_RETURN(std::vector<MismatchedForeignKey> mismatched, MismatchedForeignKeys(c, schema));
  for (const MismatchedForeignKey& m : mismatched) out.push_back(MismatchedForeignKeyFinding(m));
  // Which of them no index serves: core's one answer (index_lint and migrate_check ask it too),
  // which leaves out the keys SQLite cannot use.
  ASSIGN_OR_RETURN(std::vector<UnindexedForeignKey> unindexed, ForeignKeysWithoutIndex(c, schema));
  for (const Table& table : tables) {
    for (const UnindexedForeignKey& k : unindexed) {
      if (k.table != table.name) continue;
      out.push_back(UnindexedForeignKeyFinding(schema, table, k));
    }
  }
  if (declared > 0 && !on) out.push_back(ForeignKeysOff(schema, declared, mismatched.size()));
  return absl::OkStatus();
}

absl::Status CheckKeys(Connection& c, const std::string& schema, const std::vector<Table>& tables,
                       std::vector<Finding>& out) {
  for (const Table& table : tables) {
    if (table.without_rowid) continue;
    ASSIGN_OR_RETURN(Rows pk, Query(c, "SELECT name, type FROM pragma_table_info(?1, ?2) WHERE pk > 0",
                                    {Value(table.name), Value(schema)}));
    if (pk.empty()) {
      out.push_back({"schema", Severity::kInfo, table.name,
                     absl::StrCat("table ", table.name, " (", RowsText(table.rows),
                                  ") has no PRIMARY KEY: rows are addressed by an implicit rowid "
                                  "that VACUUM may renumber"),
                     "declare an INTEGER PRIMARY KEY (a table rebuild)", std::nullopt,
                     static_cast<double>(table.rows)});
    } else if (pk.size() == 1 && absl::StrContains(absl::AsciiStrToUpper(pk[0][1].AsText()), "TEXT") &&
               table.rows >= 10000) {
      out.push_back({"schema", Severity::kInfo, table.name,
                     absl::StrCat("table ", table.name, " (", RowsText(table.rows),
                                  ") has a TEXT primary key on a rowid table: the key is stored "
                                  "twice (table and index) and every lookup searches two b-trees"),
                     "consider WITHOUT ROWID for this table (a table rebuild)", std::nullopt,
                     static_cast<double>(table.rows)});
    }
  }
  return absl::OkStatus();
}

// "no statistics (sqlite_stat1) for <before><count> index(es)<after>: ...".
Finding NoStatisticsFinding(const std::string& schema, absl::string_view before, int64_t count,
                            absl::string_view after) {
  return {"schema",
          Severity::kInfo,
          schema,
          absl::StrCat("no statistics (sqlite_stat1) for ", before, count,
                       count == 1 ? " index" : " indexes", after,
                       ": the query planner guesses how selective ",
                       count == 1 ? "it is" : "they are"),
          "run ANALYZE once, then PRAGMA optimize before closing long-lived connections",
          absl::StrCat("ANALYZE ", QuoteIdentifier(schema)),
          0};
}

absl::Status CheckStatistics(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  ASSIGN_OR_RETURN(const bool has_stat, HasStatistics(c, schema));
  // The application's indexes: the migration journals' (doctor_migrations, Drizzle's table,
  // a few rows each) are looked up by name and need no statistics.
  ASSIGN_OR_RETURN(Rows indexes,
                   Query(c, absl::StrCat("SELECT count(*) FROM ", QuoteIdentifier(schema),
                                         ".sqlite_schema WHERE type = 'index' AND "
                                         "lower(tbl_name) <> 'doctor_migrations' AND "
                                         "lower(tbl_name) IS NOT (SELECT lower(value) FROM "
                                         "doctor_config WHERE name = 'drizzle_table')")));
  const int64_t count = indexes.empty() ? 0 : indexes[0][0].AsInt();
  if (count == 0) return absl::OkStatus();
  if (!has_stat) {
    out.push_back(NoStatisticsFinding(schema, "", count, ""));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(Rows stats,
                   Query(c, absl::StrCat("SELECT tbl, max(CAST(stat AS INTEGER)) FROM ",
                                         QuoteIdentifier(schema), ".sqlite_stat1 GROUP BY tbl")));
  for (const Row& r : stats) {
    const std::string table = r[0].AsText();
    const int64_t estimate = r[1].AsInt();
    absl::StatusOr<int64_t> actual = CountRows(c, schema, table);
    if (!actual.ok()) continue;  // a table dropped since ANALYZE
    const int64_t diff = std::abs(*actual - estimate);
    // A count that reached the cap is only a lower bound: it can show that a table grew, never
    // that it shrank.
    const bool shrank = *actual < kCountCap && estimate > 2 * *actual;
    if (diff > 1000 && (*actual > 2 * estimate || shrank)) {
      out.push_back({"schema", Severity::kInfo, table,
                     absl::StrCat("statistics for ", table, " are stale: sqlite_stat1 says ",
                                  estimate, " rows, the table has ", RowsText(*actual)),
                     "re-run ANALYZE (PRAGMA optimize does it when needed)",
                     absl::StrCat("ANALYZE ", QuoteIdentifier(schema), ".", QuoteIdentifier(table)),
                     static_cast<double>(diff)});
    }
  }
  return absl::OkStatus();
}

// "16%", "0.4%", "under 0.1%": a share that is not 0 never reads "0%".
std::string Percent(int64_t part, int64_t whole) {
  if (part <= 0 || whole <= 0) return "0%";
  const double share = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  if (share >= 9.95) return absl::StrFormat("%.0f%%", share);
  if (share >= 0.05) return absl::StrFormat("%.1f%%", share);
  return "under 0.1%";
}

absl::Status CheckSpace(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  const std::string q = QuoteIdentifier(schema);
  ASSIGN_OR_RETURN(Rows pages, Query(c, absl::StrCat("PRAGMA ", q, ".page_count")));
  ASSIGN_OR_RETURN(Rows size, Query(c, absl::StrCat("PRAGMA ", q, ".page_size")));
  ASSIGN_OR_RETURN(Rows free, Query(c, absl::StrCat("PRAGMA ", q, ".freelist_count")));
  if (pages.empty() || size.empty() || free.empty()) return absl::OkStatus();
  const int64_t page_size = size[0][0].AsInt();
  const int64_t total = pages[0][0].AsInt() * page_size;
  const int64_t freed = free[0][0].AsInt() * page_size;
  const bool worth = freed >= (1 << 20) && freed * 4 >= total;
  out.push_back({"schema", worth ? Severity::kWarn : Severity::kInfo, schema,
                 // HumanBytes, not "%.1f MB": 8 free pages (32 KiB) read "0.0 MB".
                 absl::StrFormat("database %s is %s; %d free pages (%s, %s of the file)", schema,
                                 HumanBytes(static_cast<uint64_t>(total)), free[0][0].AsInt(),
                                 HumanBytes(static_cast<uint64_t>(freed)),
                                 Percent(freed, total)),
                 // What running it takes, measured (3.40, WAL, a reader open): a 45.6 MB file
                 // half free left a 23.0 MB WAL and the file unchanged until a checkpoint.
                 worth ? absl::StrCat("VACUUM would give the free pages back to the file system. It "
                                      "rewrites the whole database: while it runs it needs free "
                                      "disk space for a copy of the ", HumanBytes(static_cast<uint64_t>(total - freed)),
                                      " in use (a temporary file; in WAL mode the WAL grows by as "
                                      "much until a checkpoint), and other writers wait until it "
                                      "ends: run it when the application can pause writing")
                       : "nothing to do: little free space",
                 worth ? std::optional<std::string>(absl::StrCat("VACUUM ", q)) : std::nullopt,
                 static_cast<double>(freed)});
  return absl::OkStatus();
}

absl::Status CheckIntegrity(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  absl::StatusOr<Rows> checked =
      Query(c, absl::StrCat("PRAGMA ", QuoteIdentifier(schema), ".integrity_check(20)"));
  if (!checked.ok()) {
    // integrity_check evaluates index expressions, CHECK constraints and generated columns on
    // every row: one that fails on a row ("integer overflow" for abs() of the smallest integer)
    // stops it with an error. That is a finding about the database, not a failed report; an
    // interrupt, a lock or a refusal is still the call's error.
    const std::string message(checked.status().message());
    if (checked.status().code() != absl::StatusCode::kInternal ||
        absl::StrContains(message, "interrupted") || absl::StrContains(message, "locked")) {
      return checked.status();
    }
    out.push_back({"schema", Severity::kCritical, schema,
                   absl::StrCat("PRAGMA integrity_check could not finish: ",
                                message.substr(0, message.find(" (in: ")),
                                " (an index expression, CHECK constraint or generated column "
                                "fails on a stored row: an index may not match its table)"),
                   "find the index, CHECK constraint or generated column whose expression fails "
                   "on a stored row and drop or correct it, or recover with the sqlite3 shell's "
                   ".recover",
                   std::nullopt, 1e15});
    return absl::OkStatus();
  }
  const Rows& rows = *checked;
  if (rows.size() == 1 && rows[0][0].AsText() == "ok") {
    out.push_back({"schema", Severity::kInfo, schema, "PRAGMA integrity_check: ok", "nothing to do",
                   std::nullopt, 0});
    return absl::OkStatus();
  }
  // SQLite returns a b-tree's problems as one row of lines under a "*** in database main ***"
  // heading: each line is one problem, the heading none.
  std::vector<std::string> problems;
  for (const Row& r : rows) {
    for (absl::string_view line : absl::StrSplit(r[0].AsText(), '\n', absl::SkipEmpty())) {
      if (!absl::StartsWith(line, "*** in database ")) problems.emplace_back(line);
    }
  }
  out.push_back({"schema", Severity::kCritical, schema,
                 absl::StrCat("PRAGMA integrity_check found ", problems.size(),
                              problems.size() >= 20 ? " or more" : "", " problems: ",
                              absl::StrJoin(problems, "; ")),
                 "restore from a backup, or recover with the sqlite3 shell's .recover", std::nullopt,
                 1e15});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> HasStatistics(Connection& c, const std::string& schema) {
  ASSIGN_OR_RETURN(Rows has_stat,
                   Query(c, "SELECT count(*) FROM pragma_table_list WHERE schema = ?1 AND name = "
                            "'sqlite_stat1'",
                         {Value(schema)}));
  return !has_stat.empty() && has_stat[0][0].AsInt() > 0;
}

absl::StatusOr<bool> IndexServesForeignKey(Connection& c, const std::string& schema,
                                           const std::string& table, const std::string& index) {
  ASSIGN_OR_RETURN(Rows rows, Query(c, "SELECT name FROM pragma_index_info(?1, ?2) ORDER BY seqno",
                                    {Value(index), Value(schema)}));
  std::vector<std::string> lead;
  for (const Row& r : rows) lead.push_back(Lower(r[0].AsText()));  // NULL (expression) stays ""
  ASSIGN_OR_RETURN(std::vector<ForeignKey> fks, ForeignKeysOf(c, schema, table));
  for (const ForeignKey& fk : fks) {
    std::vector<std::string> lower;
    for (const auto& col : fk.columns) lower.push_back(Lower(col));
    if (LeadsWithColumns(lead, lower)) return true;
  }
  return false;
}

absl::StatusOr<std::vector<Finding>> CheckSchema(Connection& c, const std::string& schema,
                                                 bool deep) {
  std::vector<Table> tables;
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT name, wr FROM pragma_table_list WHERE schema = ?1 AND "
                                    "type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                    "ORDER BY name",
                                    {Value(schema)}));
  for (const Row& r : rows) {
    Table t{r[0].AsText(), r[1].AsInt() != 0, 0};
    ASSIGN_OR_RETURN(t.rows, CountRows(c, schema, t.name));
    tables.push_back(std::move(t));
  }
  std::vector<Finding> out;
  RETURN_IF_ERROR(CheckForeignKeys(c, schema, tables, out));
  RETURN_IF_ERROR(CheckKeys(c, schema, tables, out));
  RETURN_IF_ERROR(CheckStatistics(c, schema, out));
  RETURN_IF_ERROR(CheckSpace(c, schema, out));
  if (deep) RETURN_IF_ERROR(CheckIntegrity(c, schema, out));
  return out;
}

absl::Status AnalyzeAfterIndexFixes(Connection& c, const std::string& schema,
                                    std::vector<Finding>& findings) {
  int64_t created = 0;
  size_t last_create = 0;
  bool analyzes = false;
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (f.fix_sql && ParseCreateIndex(*f.fix_sql)) ++created, last_create = i;
    if (f.fix_sql && absl::StartsWith(*f.fix_sql, "ANALYZE ")) analyzes = true;
  }
  if (created == 0) return absl::OkStatus();
  if (analyzes) {
    // The fixes are a script: an ANALYZE already among them (no statistics, stale ones) runs
    // after every index they create, or the indexes after it have none. Before, an index fix of
    // impact 0 sorted after the schema's "no statistics" finding (info, impact 0, area 'schema'
    // before 'timing'): on a WordPress port it was the one index without statistics, and the
    // planner's guess for it made five queries dearer (1,865,679 -> 2,581,362 VM steps). Both are
    // `info` when the ANALYZE comes first, so moving it keeps the severity order.
    std::stable_partition(findings.begin(), findings.begin() + last_create + 1,
                          [](const Finding& f) {
                            return !(f.fix_sql && absl::StartsWith(*f.fix_sql, "ANALYZE "));
                          });
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const bool has_stat, HasStatistics(c, schema));
  if (!has_stat) {
    findings.push_back(NoStatisticsFinding(schema, "the ", created, " the fixes above create"));
    return absl::OkStatus();
  }
  // The database has statistics, and the advisor measured each index with statistics of its
  // own (its copy analyzes every index it builds). Built without them, the planner guesses how
  // selective the new index is, next to the measured ones, and trusted it where it should not:
  // on a WordPress database with sqlite_stat1, running the fix wp_posts(post_status, post_type,
  // post_date) made a comment query 88 -> 672,031 VM steps, the featured-posts query 23,633 ->
  // 668,937 and the search 2,047 -> 193,712; with its ANALYZE they kept their plans. ANALYZE of
  // one index reads that index only.
  for (Finding& f : findings) {
    if (!f.fix_sql) continue;
    const std::optional<IndexShape> shape = ParseCreateIndex(*f.fix_sql);
    if (!shape) continue;
    f.fix_sql = absl::StrCat(AsScriptStatement(*f.fix_sql), "\nANALYZE ", QuoteIdentifier(schema),
                             ".", QuoteIdentifier(shape->name), ";");
    f.advice = absl::StrCat(f.advice, "; the ANALYZE after it gives the new index the "
                            "statistics it was measured with");
  }
  return absl::OkStatus();
}

absl::Status DropPrefixesOfIndexFixes(Connection& c, const std::string& schema, bool migrations,
                                      std::vector<Finding>& findings) {
  bool creates = false;
  for (const Finding& f : findings) creates = creates || (f.fix_sql && ParseCreateIndex(*f.fix_sql));
  if (!creates) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(c, absl::StrCat("SELECT name, sql FROM ",
                                                    QuoteIdentifier(schema), ".sqlite_schema "
                                                    "WHERE type = 'index' AND sql IS NOT NULL")));
  std::vector<ExistingIndex> existing;
  for (const Row& r : rows) {
    std::optional<IndexShape> shape = ParseCreateIndex(r[1].AsText());
    if (shape) existing.push_back({r[0].AsText(), std::move(*shape)});
  }
  for (const auto& [k, name] : PrefixesOfIndexFixes(existing, findings)) {
    Finding& f = findings[k];
    f.fix_sql = absl::StrCat(AsScriptStatement(*f.fix_sql), "\nDROP INDEX ",
                             QuoteIdentifier(schema), ".", QuoteIdentifier(name), ";");
    f.advice = absl::StrCat(f.advice, "; its key extends that of ", name,
                            ", which then serves no lookup this one does not, so the fix drops it "
                            "(index_lint would call it a prefix)",
                            migrations ? absl::StrCat("; if the migrations create ", name,
                                                      ", drop it in a new migration too")
                                       : "");
  }
  return absl::OkStatus();
}

}  // namespace doctor::report
