#include "ext/migrations/check.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/migrations/apply.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

using Counts = std::map<std::string, int64_t>;  // table (lowercase) -> rows

absl::StatusOr<Counts> CountRows(sqlite3* c, const std::vector<SchemaObject>& schema) {
  Counts out;
  for (const SchemaObject& o : schema) {
    if (o.type != "table" || (!o.facts.empty() && o.facts[0].rfind("sql ", 0) == 0)) continue;
    ASSIGN_OR_RETURN(Rows r, Query(c, absl::StrCat("SELECT count(*) FROM main.", QuoteIdentifier(o.name))));
    out[o.name] = r[0][0].AsInt();
  }
  return out;
}

absl::StatusOr<std::vector<SchemaObject>> Snapshot(sqlite3* c, FactCache* cache) {
  return ReadSchema(c, "main", cache);
}

absl::StatusOr<std::map<std::string, int64_t>> Violations(sqlite3* c) {
  ASSIGN_OR_RETURN(Rows rows, Query(c, "SELECT \"table\" || ' -> ' || parent, count(*) "
                                       "FROM pragma_foreign_key_check GROUP BY 1"));
  std::map<std::string, int64_t> out;
  for (const Row& r : rows) out[r[0].AsText()] = r[1].AsInt();
  return out;
}

bool MentionsName(const std::string& sql, const std::string& name) {
  for (const Token& t : Tokenize(sql)) {
    if ((t.kind == Token::kWord || t.kind == Token::kIdent) && NormalToken(t) == name) return true;
  }
  return false;
}

// The table a DML statement writes directly.
std::string DmlTarget(const std::string& sql) {
  std::vector<std::string> w = LeadingWords(sql, 6);
  size_t i = 0;
  if (i < w.size() && w[i] == "with") return "";
  if (i < w.size() && (w[i] == "delete")) i += 2;  // delete from
  else if (i < w.size() && w[i] == "update") i += 1;
  else if (i < w.size() && (w[i] == "insert" || w[i] == "replace")) {
    while (i < w.size() && w[i] != "into") ++i;
    ++i;
  } else return "";
  if (i < w.size() && (w[i] == "or")) i += 2;  // update or replace
  return i < w.size() ? w[i] : "";
}

const std::set<std::string>& NoEffectPragmas() {
  static const auto* kSet = new std::set<std::string>{
      "journal_mode", "page_size", "auto_vacuum", "encoding", "locking_mode", "mmap_size"};
  return *kSet;
}

// Columns "a,b" of the foreign key facts "foreign key (a,b) references t(...) ...".
std::string FkColumns(const std::string& fact) {
  size_t open = fact.find('('), close = fact.find(')');
  return fact.substr(open + 1, close - open - 1);
}

bool HasIndexOn(const std::vector<SchemaObject>& schema, const std::string& table,
                const std::string& cols) {
  std::vector<std::string> want = absl::StrSplit(cols, ',');
  for (const SchemaObject& o : schema) {
    std::vector<std::string> lead;
    if (o.type == "index" && o.table == table && !o.facts.empty()) {
      // "unique index (a collate binary, b desc collate nocase)"
      const std::string& f = o.facts[0];
      std::string inner = f.substr(f.find('(') + 1);
      for (absl::string_view part : absl::StrSplit(inner, ", ")) {
        lead.push_back(std::string(part.substr(0, part.find(' '))));
      }
    } else if (o.type == "table" && o.name == table) {
      for (const std::string& f : o.facts) {
        if (f.rfind("primary key (", 0) == 0 || f.rfind("unique (", 0) == 0) {
          std::vector<std::string> cs = absl::StrSplit(FkColumns(f), ',');
          if (cs.size() >= want.size() &&
              std::equal(want.begin(), want.end(), cs.begin())) return true;
        }
        // An INTEGER PRIMARY KEY column is the rowid: always indexed.
        if (want.size() == 1 && f.rfind("column " + want[0] + ": INTEGER", 0) == 0 &&
            absl::StrContains(f, " pk=1 ")) return true;
      }
      continue;
    } else {
      continue;
    }
    if (lead.size() >= want.size() && std::equal(want.begin(), want.end(), lead.begin())) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<Rows> CheckMigration(sqlite3* c, FactCache* cache, const std::string& sql,
                                   bool caller_in_transaction) {
  const double start = MonotonicMs();
  if (std::optional<size_t> nul = NulByteOffset(sql)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the migration has a NUL byte at byte offset ", *nul,
        " (SQLite would stop reading there and skip the rest); nothing was run"));
  }
  Migration m;
  m.name = "(check)";
  m.text = sql;
  m.breakpoints = absl::StrContains(sql, kBreakpoint);
  std::vector<std::string> statements = StatementsOf(m);
  if (statements.empty()) return absl::InvalidArgumentError("the migration is empty: it has no statements");
  Rows out;
  auto add = [&](const char* severity, const char* kind, const std::string& object,
                 const std::string& detail) {
    out.push_back(Row{Value(severity), Value(kind), Value(object), Value(detail)});
  };

  // Statements that would end the dry run's savepoint (and could commit it) never run.
  for (size_t i = 0; i < statements.size(); ++i) {
    ChangeKind kind = Classify(statements[i]).kind;
    if (kind == ChangeKind::kTransactionControl || kind == ChangeKind::kVacuum ||
        kind == ChangeKind::kAttach) {
      add("error", "statement_refused", absl::StrCat("statement ", i + 1),
          absl::StrCat("statement ", i + 1, " of ", statements.size(), " (",
                       Excerpt(statements[i], 60), "): migrate() refuses transaction control, "
                       "VACUUM and ATTACH inside a migration; nothing was run"));
      return out;
    }
  }
  ASSIGN_OR_RETURN(Rows fk, Query(c, "PRAGMA foreign_keys"));
  const bool fk_on = !fk.empty() && fk[0][0].AsInt() != 0;
  const bool in_txn = caller_in_transaction || sqlite3_get_autocommit(c) == 0;
  const bool asks_off = AsksForeignKeysOff(sql);
  const bool fk_guard = fk_on && asks_off && !in_txn;
  if (fk_guard) RETURN_IF_ERROR(Exec(c, "PRAGMA foreign_keys = OFF"));
  RETURN_IF_ERROR(Exec(c, "SAVEPOINT doctor_check"));

  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<SchemaObject> before, Snapshot(c, cache));
    ASSIGN_OR_RETURN(Counts counts_before, CountRows(c, before));
    ASSIGN_OR_RETURN(auto violations_before, Violations(c));
    Counts counts = counts_before;
    std::vector<SchemaObject> current = before;
    std::set<std::string> dropped_tables;
    const size_t n = statements.size();
    for (size_t i = 0; i < n; ++i) {
      const std::string& s = statements[i];
      const std::string where = absl::StrCat("statement ", i + 1, " of ", n, " (", Excerpt(s, 60), ")");
      ChangeInfo info = Classify(s);
      switch (info.kind) {
        case ChangeKind::kPragma:
          if (info.object == "foreign_keys") {
            bool off = info.object2 == "off" || info.object2 == "0" || info.object2 == "false" ||
                       info.object2 == "no";
            if (off && fk_guard) {
              add("info", "pragma_no_effect", "foreign_keys",
                  absl::StrCat(where, ": ignored inside a transaction; migrate() turns foreign keys "
                               "off around the transaction instead and checks them before COMMIT"));
            } else if (off && fk_on) {
              add("error", "pragma_no_effect", "foreign_keys",
                  absl::StrCat(where, ": ignored inside the caller's transaction: foreign keys stay "
                               "on and DROP TABLE cascades into child tables"));
            } else {
              add("info", "pragma_no_effect", "foreign_keys",
                  absl::StrCat(where, ": no effect inside a transaction"));
            }
          } else if (NoEffectPragmas().count(info.object)) {
            add("warning", "pragma_no_effect", info.object,
                absl::StrCat(where, ": has no effect inside a transaction"));
          }
          break;
        case ChangeKind::kDropTable: {
          bool rebuild = false;
          for (size_t j = i + 1; j < n; ++j) {
            ChangeInfo later = Classify(statements[j]);
            if (later.kind == ChangeKind::kRenameTable && later.object2 == info.object) rebuild = true;
          }
          int64_t rows = counts.count(info.object) ? counts[info.object] : 0;
          dropped_tables.insert(info.object);
          if (rebuild) {
            add("info", "table_rebuild", info.object,
                absl::StrCat(where, ": table rebuilt (", rows, " rows copied to a new table)"));
          } else {
            add("warning", "destructive", info.object,
                absl::StrCat(where, ": drops the table and its ", rows, " rows"));
          }
          for (const SchemaObject& o : current) {
            if (o.type == "view" && !o.facts.empty() && MentionsName(o.facts[0].substr(4), info.object)) {
              add("error", "view_blocks_rebuild", o.name,
                  absl::StrCat("view ", o.name, " uses ", info.object, ": after the DROP, ",
                               rebuild ? "the rebuild's RENAME fails" : "the view is broken",
                               " unless the migration drops and recreates the view (or runs with "
                               "PRAGMA legacy_alter_table=ON)"));
            }
          }
          break;
        }
        case ChangeKind::kDropColumn: {
          ASSIGN_OR_RETURN(Rows r, Query(c, absl::StrCat("SELECT count(*) FROM main.",
                                                         QuoteIdentifier(info.object), " WHERE ",
                                                         QuoteIdentifier(info.object2), " IS NOT NULL")));
          add("warning", "destructive", absl::StrCat(info.object, ".", info.object2),
              absl::StrCat(where, ": drops the column and its ", r.empty() ? 0 : r[0][0].AsInt(),
                           " non-NULL values"));
          break;
        }
        case ChangeKind::kDropIndex:
          add("info", "destructive", info.object, absl::StrCat(where, ": drops the index"));
          break;
        case ChangeKind::kDropView:
        case ChangeKind::kDropTrigger:
          add("info", "destructive", info.object, absl::StrCat(where, ": drops it"));
          break;
        case ChangeKind::kAddColumn:
          if (info.has_not_null_without_default && counts[info.object] > 0) {
            add("error", "not_null_without_default", absl::StrCat(info.object, ".", info.object2),
                absl::StrCat(where, ": NOT NULL column without a DEFAULT on a table with ",
                             counts[info.object], " rows"));
          }
          break;
        default:
          break;
      }
      const int64_t total_before = sqlite3_total_changes64(c);
      absl::Status run = Exec(c, s);
      if (sqlite3_get_autocommit(c)) {  // defense in depth: the savepoint must still be open
        return absl::InternalError("the dry run's savepoint ended unexpectedly");
      }
      if (!run.ok()) {
        std::string msg(run.message());
        add("error", "statement_failed", absl::StrCat("statement ", i + 1),
            absl::StrCat(where, ": ", msg));
        size_t at = msg.find("error in ");
        if (at != std::string::npos) {
          // "error in view v: no such table: main.users" -> v
          std::string rest = msg.substr(at + 9);
          size_t space = rest.find(' '), colon = rest.find(':');
          std::string object = space < colon ? rest.substr(space + 1, colon - space - 1) : rest;
          bool known = false;
          for (const Row& r : out) {
            known = known || (r[1].AsText() == "view_blocks_rebuild" && r[2].AsText() == object);
          }
          if (!known) {
            add("error", "view_blocks_rebuild", object,
                "the RENAME step fails because this view or trigger uses the dropped table: drop it "
                "before the rebuild and recreate it after (or PRAGMA legacy_alter_table=ON)");
          }
        }
        return absl::OkStatus();  // stop here; findings so far stand
      }
      const int64_t total_changed = sqlite3_total_changes64(c) - total_before;
      ASSIGN_OR_RETURN(current, Snapshot(c, cache));
      ASSIGN_OR_RETURN(Counts now, CountRows(c, current));
      std::string target = info.kind == ChangeKind::kDropTable ? info.object : DmlTarget(s);
      int64_t cascaded = 0;
      for (const auto& [table, rows] : counts) {
        auto it = now.find(table);
        if (it == now.end() || table == target || it->second >= rows) continue;
        if (info.kind == ChangeKind::kRenameTable || info.kind == ChangeKind::kCreateTable) continue;
        cascaded += rows - it->second;
        add("warning", "cascade", table,
            absl::StrCat(where, ": deletes ", rows - it->second, " of ", rows, " rows of ", table,
                         " through ON DELETE CASCADE (a side effect)"));
      }
      if (info.kind == ChangeKind::kOther && !target.empty()) {
        int64_t direct = sqlite3_changes64(c);
        int64_t other = total_changed - direct - cascaded;
        if (other > 0) {
          add("info", "side_effect", target,
              absl::StrCat(where, ": ", other, " more row change(s) by foreign-key actions "
                                               "(SET NULL, SET DEFAULT, CASCADE updates) or triggers"));
        }
      }
      counts = std::move(now);
    }
    // After the whole migration.
    ASSIGN_OR_RETURN(auto violations, Violations(c));
    for (const auto& [what, count] : violations) {
      int64_t was = violations_before.count(what) ? violations_before[what] : 0;
      if (count > was) {
        add("error", "foreign_key_violation", what,
            absl::StrCat(count - was, " row(s) would violate the foreign key (PRAGMA "
                                      "foreign_key_check); migrate() rolls back"));
      }
    }
    std::map<std::string, const SchemaObject*> old_tables;
    for (const SchemaObject& o : before) {
      if (o.type == "table") old_tables[o.name] = &o;
    }
    for (const SchemaObject& o : current) {
      if (o.type != "table") continue;
      auto it = old_tables.find(o.name);
      std::set<std::string> old_fks;
      if (it != old_tables.end()) old_fks.insert(it->second->facts.begin(), it->second->facts.end());
      for (const std::string& f : o.facts) {
        if (f.rfind("foreign key (", 0) != 0 || old_fks.count(f)) continue;
        if (!HasIndexOn(current, o.name, FkColumns(f))) {
          add("warning", "fk_without_index", absl::StrCat(o.name, "(", FkColumns(f), ")"),
              absl::StrCat("new ", f, ": no index on ", o.name, "(", FkColumns(f),
                           "), so every delete or key update in the parent scans ", o.name));
        }
      }
      if (it != old_tables.end() && dropped_tables.count(o.name) && counts_before.count(o.name) &&
          counts.count(o.name) &&
          counts[o.name] < counts_before[o.name]) {
        add("warning", "rows_lost", o.name,
            absl::StrCat(o.name, " has ", counts[o.name], " rows after the migration, ",
                         counts_before[o.name], " before"));
      }
    }
    std::set<std::string> triggers_after;
    for (const SchemaObject& o : current) {
      if (o.type == "trigger") triggers_after.insert(o.name);
    }
    for (const SchemaObject& o : before) {
      if (o.type == "trigger" && dropped_tables.count(o.table) && !triggers_after.count(o.name)) {
        add("warning", "trigger_dropped", o.name,
            absl::StrCat("trigger ", o.name, " on ", o.table, " is dropped with the table and not "
                         "recreated by the migration"));
      }
    }
    return absl::OkStatus();
  }();

  absl::Status rollback = Exec(c, "ROLLBACK TO doctor_check; RELEASE doctor_check");
  if (fk_guard) Exec(c, "PRAGMA foreign_keys = ON").IgnoreError();
  RETURN_IF_ERROR(status);
  RETURN_IF_ERROR(rollback);
  const double ms = MonotonicMs() - start;
  add("info", "dry_run", "", absl::StrCat(statements.size(), " statement(s) ran in ", ms,
                                          " ms and were rolled back"));
  return out;
}

}  // namespace doctor::migrations
