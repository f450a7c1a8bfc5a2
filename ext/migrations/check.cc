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
#include "ext/migrations/cascade_indexes.h"
#include "ext/migrations/replay.h"
#include "ext/migrations/risk_by_tool.h"
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

// One dry run: the findings as the statements run one by one in the savepoint.
class DryRun {
 public:
  DryRun(sqlite3* c, FactCache* cache, const std::vector<std::string>& statements, bool fk_on,
         bool fk_guard)
      : c_(c), cache_(cache), statements_(statements), fk_on_(fk_on), fk_guard_(fk_guard) {}

  // Replays `hot` before and after the migration (replay.h).
  void Replay(const std::vector<HotQuery>* hot, PrivateDb* private_db) {
    hot_ = hot;
    private_db_ = private_db;
  }

  std::vector<Finding>& findings() { return out_; }

  void Add(const char* severity, const char* kind, const std::string& object,
           const std::string& detail, int64_t rows = 0) {
    out_.push_back(Finding{severity, kind, object, detail, at_, rows});
  }

  // Statements that would end the dry run's savepoint (and could commit it) never run: true
  // when one is there (the finding is added).
  bool Refused() {
    for (size_t i = 0; i < statements_.size(); ++i) {
      ChangeKind kind = Classify(statements_[i]).kind;
      if (kind == ChangeKind::kTransactionControl || kind == ChangeKind::kVacuum ||
          kind == ChangeKind::kAttach) {
        at_ = i + 1;
        Add("error", "statement_refused", absl::StrCat("statement ", i + 1),
            absl::StrCat("statement ", i + 1, " of ", statements_.size(), " (",
                         Excerpt(statements_[i], 60), "): migrate() refuses transaction control, "
                         "VACUUM and ATTACH inside a migration; nothing was run"));
        return true;
      }
    }
    return false;
  }

  // Runs the migration in the open savepoint; a failing statement ends it with a finding.
  absl::Status Run() {
    ASSIGN_OR_RETURN(before_, Snapshot(c_, cache_));
    ASSIGN_OR_RETURN(counts_before_, CountRows(c_, before_));
    ASSIGN_OR_RETURN(violations_before_, Violations(c_));
    counts_ = counts_before_;
    current_ = before_;
    std::vector<QueryCost> costs_before;
    if (hot_ != nullptr) {
      ASSIGN_OR_RETURN(costs_before, MeasureQueries(c_, private_db_, *hot_));
    }
    for (size_t i = 0; i < statements_.size(); ++i) {
      at_ = i + 1;
      ASSIGN_OR_RETURN(bool ran, RunStatement(i));
      if (!ran) return absl::OkStatus();  // stop here; findings so far stand
    }
    at_ = 0;
    if (hot_ != nullptr) RETURN_IF_ERROR(NotePlanChanges(costs_before));
    RETURN_IF_ERROR(NoteViolations());
    NoteNewForeignKeys();
    NoteLostRowsAndTriggers();
    return absl::OkStatus();
  }

 private:
  std::string Where(size_t i) const {
    return absl::StrCat("statement ", i + 1, " of ", statements_.size(), " (",
                        Excerpt(statements_[i], 60), ")");
  }

  absl::StatusOr<bool> RunStatement(size_t i) {
    const std::string& s = statements_[i];
    const ChangeInfo info = Classify(s);
    RETURN_IF_ERROR(NoteBefore(i, info));
    const int64_t total_before = sqlite3_total_changes64(c_);
    absl::Status run = Exec(c_, s);
    if (sqlite3_get_autocommit(c_)) {  // defense in depth: the savepoint must still be open
      return absl::InternalError("the dry run's savepoint ended unexpectedly");
    }
    if (!run.ok()) {
      NoteFailure(i, std::string(run.message()));
      return false;
    }
    const int64_t total_changed = sqlite3_total_changes64(c_) - total_before;
    ASSIGN_OR_RETURN(current_, Snapshot(c_, cache_));
    ASSIGN_OR_RETURN(Counts now, CountRows(c_, current_));
    NoteCascades(i, info, now, total_changed);
    counts_ = std::move(now);
    return true;
  }

  // Findings known before the statement runs, from what it is.
  absl::Status NoteBefore(size_t i, const ChangeInfo& info) {
    switch (info.kind) {
      case ChangeKind::kPragma:
        NotePragma(i, info);
        break;
      case ChangeKind::kDropTable:
        NoteDropTable(i, info);
        break;
      case ChangeKind::kDropColumn: {
        ASSIGN_OR_RETURN(Rows r, Query(c_, absl::StrCat("SELECT count(*) FROM main.",
                                                        QuoteIdentifier(info.object), " WHERE ",
                                                        QuoteIdentifier(info.object2), " IS NOT NULL")));
        Add("warning", "destructive", absl::StrCat(info.object, ".", info.object2),
            absl::StrCat(Where(i), ": drops the column and its ", r.empty() ? 0 : r[0][0].AsInt(),
                         " non-NULL values"));
        break;
      }
      case ChangeKind::kDropIndex:
        Add("info", "destructive", info.object, absl::StrCat(Where(i), ": drops the index"));
        break;
      case ChangeKind::kDropView:
      case ChangeKind::kDropTrigger:
        Add("info", "destructive", info.object, absl::StrCat(Where(i), ": drops it"));
        break;
      case ChangeKind::kAddColumn:
        if (info.has_not_null_without_default && counts_[info.object] > 0) {
          Add("error", "not_null_without_default", absl::StrCat(info.object, ".", info.object2),
              absl::StrCat(Where(i), ": NOT NULL column without a DEFAULT on a table with ",
                           counts_[info.object], " rows"));
        }
        break;
      default:
        break;
    }
    return absl::OkStatus();
  }

  void NotePragma(size_t i, const ChangeInfo& info) {
    const std::string where = Where(i);
    if (info.object == "foreign_keys") {
      bool off = info.object2 == "off" || info.object2 == "0" || info.object2 == "false" ||
                 info.object2 == "no";
      if (off && fk_guard_) {
        Add("info", "pragma_no_effect", "foreign_keys",
            absl::StrCat(where, ": ignored inside a transaction; migrate() turns foreign keys "
                         "off around the transaction instead and checks them before COMMIT"));
      } else if (off && fk_on_) {
        Add("error", "pragma_no_effect", "foreign_keys",
            absl::StrCat(where, ": ignored inside the caller's transaction: foreign keys stay "
                         "on and DROP TABLE cascades into child tables"));
      } else {
        Add("info", "pragma_no_effect", "foreign_keys",
            absl::StrCat(where, ": no effect inside a transaction"));
      }
    } else if (NoEffectPragmas().count(info.object)) {
      Add("warning", "pragma_no_effect", info.object,
          absl::StrCat(where, ": has no effect inside a transaction"));
    }
  }

  void NoteDropTable(size_t i, const ChangeInfo& info) {
    bool rebuild = false;
    for (size_t j = i + 1; j < statements_.size(); ++j) {
      ChangeInfo later = Classify(statements_[j]);
      if (later.kind == ChangeKind::kRenameTable && later.object2 == info.object) rebuild = true;
    }
    int64_t rows = counts_.count(info.object) ? counts_[info.object] : 0;
    dropped_tables_.insert(info.object);
    if (rebuild) {
      Add("info", "table_rebuild", info.object,
          absl::StrCat(Where(i), ": table rebuilt (", rows, " rows copied to a new table)"));
    } else {
      Add("warning", "destructive", info.object,
          absl::StrCat(Where(i), ": drops the table and its ", rows, " rows"));
    }
    for (const SchemaObject& o : current_) {
      if (o.type == "view" && !o.facts.empty() && MentionsName(o.facts[0].substr(4), info.object)) {
        Add("error", "view_blocks_rebuild", o.name,
            absl::StrCat("view ", o.name, " uses ", info.object, ": after the DROP, ",
                         rebuild ? "the rebuild's RENAME fails" : "the view is broken",
                         " unless the migration drops and recreates the view (or runs with "
                         "PRAGMA legacy_alter_table=ON)"));
      }
    }
  }

  void NoteFailure(size_t i, const std::string& msg) {
    Add("error", "statement_failed", absl::StrCat("statement ", i + 1),
        absl::StrCat(Where(i), ": ", msg));
    size_t at = msg.find("error in ");
    if (at == std::string::npos) return;
    // "error in view v: no such table: main.users" -> v
    std::string rest = msg.substr(at + 9);
    size_t space = rest.find(' '), colon = rest.find(':');
    std::string object = space < colon ? rest.substr(space + 1, colon - space - 1) : rest;
    for (const Finding& f : out_) {
      if (f.kind == "view_blocks_rebuild" && f.object == object) return;
    }
    Add("error", "view_blocks_rebuild", object,
        "the RENAME step fails because this view or trigger uses the dropped table: drop it "
        "before the rebuild and recreate it after (or PRAGMA legacy_alter_table=ON)");
  }

  // Rows that other tables lost (ON DELETE CASCADE) or that changed beyond the statement's own.
  void NoteCascades(size_t i, const ChangeInfo& info, const Counts& now, int64_t total_changed) {
    const std::string& s = statements_[i];
    std::string target = info.kind == ChangeKind::kDropTable ? info.object : DmlTarget(s);
    int64_t cascaded = 0;
    for (const auto& [table, rows] : counts_) {
      auto it = now.find(table);
      if (it == now.end() || table == target || it->second >= rows) continue;
      if (info.kind == ChangeKind::kRenameTable || info.kind == ChangeKind::kCreateTable) continue;
      cascaded += rows - it->second;
      Add("warning", "cascade", table,
          absl::StrCat(Where(i), ": deletes ", rows - it->second, " of ", rows, " rows of ", table,
                       " through ON DELETE CASCADE (a side effect)"),
          rows - it->second);
    }
    if (info.kind == ChangeKind::kOther && !target.empty()) {
      int64_t direct = sqlite3_changes64(c_);
      int64_t other = total_changed - direct - cascaded;
      if (other > 0) {
        Add("info", "side_effect", target,
            absl::StrCat(Where(i), ": ", other, " more row change(s) by foreign-key actions "
                                                "(SET NULL, SET DEFAULT, CASCADE updates) or triggers"));
      }
    }
  }

  absl::Status NotePlanChanges(const std::vector<QueryCost>& costs_before) {
    ASSIGN_OR_RETURN(std::vector<QueryCost> costs_after, MeasureQueries(c_, private_db_, *hot_));
    std::set<std::string> dropped;
    for (const SchemaObject& o : before_) {
      if (o.type == "index") dropped.insert(o.name);
    }
    for (const SchemaObject& o : current_) dropped.erase(o.name);
    for (Finding& f : PlanChanges(*hot_, costs_before, costs_after, dropped)) {
      out_.push_back(std::move(f));
    }
    return absl::OkStatus();
  }

  absl::Status NoteViolations() {
    ASSIGN_OR_RETURN(auto violations, Violations(c_));
    for (const auto& [what, count] : violations) {
      int64_t was = violations_before_.count(what) ? violations_before_[what] : 0;
      if (count > was) {
        Add("error", "foreign_key_violation", what,
            absl::StrCat(count - was, " row(s) would violate the foreign key (PRAGMA "
                                      "foreign_key_check); migrate() rolls back"));
      }
    }
    return absl::OkStatus();
  }

  void NoteNewForeignKeys() {
    std::map<std::string, const SchemaObject*> old_tables;
    for (const SchemaObject& o : before_) {
      if (o.type == "table") old_tables[o.name] = &o;
    }
    for (const SchemaObject& o : current_) {
      if (o.type != "table") continue;
      auto it = old_tables.find(o.name);
      std::set<std::string> old_fks;
      if (it != old_tables.end()) old_fks.insert(it->second->facts.begin(), it->second->facts.end());
      for (const std::string& f : o.facts) {
        if (f.rfind("foreign key (", 0) != 0 || old_fks.count(f)) continue;
        if (!HasIndexOn(current_, o.name, FkColumns(f))) {
          Add("warning", "fk_without_index", absl::StrCat(o.name, "(", FkColumns(f), ")"),
              absl::StrCat("new ", f, ": no index on ", o.name, "(", FkColumns(f),
                           "), so every delete or key update in the parent scans ", o.name));
        }
      }
    }
  }

  void NoteLostRowsAndTriggers() {
    for (const SchemaObject& o : current_) {
      if (o.type != "table" || !dropped_tables_.count(o.name)) continue;
      bool existed = false;
      for (const SchemaObject& b : before_) existed = existed || (b.type == "table" && b.name == o.name);
      if (existed && counts_before_.count(o.name) && counts_.count(o.name) &&
          counts_[o.name] < counts_before_[o.name]) {
        Add("warning", "rows_lost", o.name,
            absl::StrCat(o.name, " has ", counts_[o.name], " rows after the migration, ",
                         counts_before_[o.name], " before"));
      }
    }
    std::set<std::string> triggers_after;
    for (const SchemaObject& o : current_) {
      if (o.type == "trigger") triggers_after.insert(o.name);
    }
    for (const SchemaObject& o : before_) {
      if (o.type == "trigger" && dropped_tables_.count(o.table) && !triggers_after.count(o.name)) {
        Add("warning", "trigger_dropped", o.name,
            absl::StrCat("trigger ", o.name, " on ", o.table, " is dropped with the table and not "
                         "recreated by the migration"));
      }
    }
  }

  sqlite3* c_;
  FactCache* cache_;
  const std::vector<std::string>& statements_;
  const bool fk_on_;
  const bool fk_guard_;
  std::vector<Finding> out_;
  size_t at_ = 0;  // the statement running (1-based), 0 before and after
  std::vector<SchemaObject> before_, current_;
  Counts counts_before_, counts_;
  std::map<std::string, int64_t> violations_before_;
  std::set<std::string> dropped_tables_;
  const std::vector<HotQuery>* hot_ = nullptr;
  PrivateDb* private_db_ = nullptr;
};

}  // namespace

namespace {

// One dry run in a savepoint that is always rolled back, with foreign keys as `fk_on` and, when
// `fk_guard`, off around it as migrate() turns them.
absl::StatusOr<std::vector<Finding>> DryRunOnce(sqlite3* c, FactCache* cache,
                                                const std::vector<std::string>& statements,
                                                bool fk_on, bool fk_guard,
                                                const std::vector<HotQuery>* hot = nullptr,
                                                PrivateDb* private_db = nullptr) {
  DryRun run(c, cache, statements, fk_on, fk_guard);
  run.Replay(hot, private_db);
  if (run.Refused()) return std::move(run.findings());
  ASSIGN_OR_RETURN(Rows fk, Query(c, "PRAGMA foreign_keys"));
  const bool was_on = !fk.empty() && fk[0][0].AsInt() != 0;
  const bool want_on = fk_on && !fk_guard;
  if (want_on != was_on) {
    RETURN_IF_ERROR(Exec(c, want_on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF"));
  }
  RETURN_IF_ERROR(Exec(c, "SAVEPOINT doctor_check"));
  absl::Status status;
  // Drizzle's run (the one without a replay: extra indexes would change the hot queries' plans;
  // only its cascades and failures are read) finds the cascades' child rows by index.
  if (want_on && hot == nullptr) status = IndexForeignKeysForDryRun(c).status();
  if (status.ok()) status = run.Run();
  absl::Status rollback = Exec(c, "ROLLBACK TO doctor_check; RELEASE doctor_check");
  if (want_on != was_on) {
    Exec(c, was_on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF").IgnoreError();
  }
  RETURN_IF_ERROR(status);
  RETURN_IF_ERROR(rollback);
  return std::move(run.findings());
}

}  // namespace

absl::StatusOr<std::vector<Finding>> CheckMigration(sqlite3* c, FactCache* cache,
                                                    const std::string& sql,
                                                    bool caller_in_transaction,
                                                    const std::vector<HotQuery>& hot,
                                                    PrivateDb* private_db) {
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
  ASSIGN_OR_RETURN(Rows fk, Query(c, "PRAGMA foreign_keys"));
  const bool fk_on = !fk.empty() && fk[0][0].AsInt() != 0;
  const bool in_txn = caller_in_transaction || sqlite3_get_autocommit(c) == 0;
  const bool fk_guard = fk_on && AsksForeignKeysOff(sql) && !in_txn;
  ASSIGN_OR_RETURN(std::vector<Finding> findings, DryRunOnce(c, cache, statements, fk_on, fk_guard,
                                                                       &hot, private_db));
  if (!findings.empty() && findings.back().kind == "statement_refused") {  // nothing ran
    DescribePerTool(statements, fk_guard, nullptr, &findings);
    return findings;
  }
  // Drizzle's migrator runs every migration inside one transaction with foreign keys on
  // (better-sqlite3's default), where PRAGMA foreign_keys=OFF is ignored: when that differs from
  // how migrate_dir would run it here, a second dry run shows what it would do.
  std::optional<std::vector<Finding>> drizzle;
  if (!fk_on || fk_guard) {
    ASSIGN_OR_RETURN(drizzle, DryRunOnce(c, cache, statements, /*fk_on=*/true, /*fk_guard=*/false));
  }
  DescribePerTool(statements, fk_guard, drizzle ? &*drizzle : nullptr, &findings);
  Finding done{"info", "dry_run", "", absl::StrCat(statements.size(), " statement(s) ran in ",
                                                    MonotonicMs() - start,
                                                    " ms and were rolled back")};
  done.migrate_dir = "rolled back";
  done.drizzle = drizzle ? "rolled back (run a second time as Drizzle's migrator would)" : "rolled back";
  findings.push_back(std::move(done));
  return findings;
}

}  // namespace doctor::migrations
