#include "ext/migrations/dry_run.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/cascade_indexes.h"
#include "ext/migrations/dry_run_facts.h"
#include "ext/migrations/failure_hint.h"
#include "ext/migrations/journal_mode_change.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {

void DryRun::Add(const char* severity, const char* kind, const std::string& object,
                 const std::string& detail, int64_t rows) {
  out_.push_back(Finding{severity, kind, object, detail, at_, rows});
}

// Statements that would end the dry run's savepoint (and could commit it) never run: true
// when one is there (the finding is added).
bool DryRun::Refused() {
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
    // The database's mode (the dry run's copy is in memory).
    const std::string why =
        journal_mode_.empty() ? "" : JournalModeChangeRefusal(statements_[i], journal_mode_);
    if (!why.empty()) {
      at_ = i + 1;
      Add("error", "statement_refused", absl::StrCat("statement ", i + 1),
          absl::StrCat("statement ", i + 1, " of ", statements_.size(), " (",
                       Excerpt(statements_[i], 60), "): ", why, "; nothing was run"));
      return true;
    }
  }
  return false;
}

// Runs the migration in the open savepoint; a failing statement ends it with a finding.
absl::Status DryRun::Run() {
  ASSIGN_OR_RETURN(before_, Snapshot(c_, cache_));
  ASSIGN_OR_RETURN(counts_before_, CountRows(c_, before_));
  ASSIGN_OR_RETURN(module_tables_, ModuleTables(c_));
  ASSIGN_OR_RETURN(mismatched_before_, MismatchedForeignKeys(c_, "main"));
  counts_ = counts_before_;
  current_ = before_;
  std::vector<QueryCost> costs_before;
  if (hot_ != nullptr) {
    ASSIGN_OR_RETURN(costs_before, MeasureQueries(c_, private_db_, *hot_));
  }
  if (index_foreign_keys_) {
    ASSIGN_OR_RETURN(temporary_indexes_, IndexForeignKeysForDryRun(c_));
  }
  for (size_t i = 0; i < statements_.size(); ++i) {
    at_ = i + 1;
    ASSIGN_OR_RETURN(bool ran, RunStatement(i));
    if (!ran) {  // stop here; findings so far stand
      at_ = 0;
      return NoteMismatchedForeignKeys();
    }
  }
  at_ = 0;
  RETURN_IF_ERROR(DropTemporaryIndexes());
  if (hot_ != nullptr) RETURN_IF_ERROR(NotePlanChanges(costs_before));
  RETURN_IF_ERROR(NoteViolations());
  RETURN_IF_ERROR(NoteMismatchedForeignKeys());
  RETURN_IF_ERROR(NoteNewForeignKeys());
  NoteLostRowsAndTriggers();
  return absl::OkStatus();
}

absl::Status DryRun::DropTemporaryIndexes() {
  if (temporary_indexes_.empty()) return absl::OkStatus();
  for (const std::string& name : temporary_indexes_) {
    RETURN_IF_ERROR(Exec(c_, absl::StrCat("DROP INDEX IF EXISTS main.", QuoteIdentifier(name))));
  }
  temporary_indexes_.clear();
  ASSIGN_OR_RETURN(current_, Snapshot(c_, cache_));
  return absl::OkStatus();
}

std::string DryRun::Where(size_t i) const {
  return absl::StrCat("statement ", i + 1, " of ", statements_.size(), " (",
                      Excerpt(statements_[i], 60), ")");
}

namespace {

// REPLACE, or ON CONFLICT / upsert: rows may be deleted or changed without being added.
bool NamesReplaceOrConflict(absl::string_view sql) {
  for (const Token& t : Tokenize(sql)) {
    const std::string w = t.kind == Token::kWord ? absl::AsciiStrToLower(t.text) : "";
    if (w == "replace" || w == "conflict") return true;
  }
  return false;
}

}  // namespace

// A plain INSERT (no REPLACE, no upsert, no ON CONFLICT in its table) whose changes were all its
// own (no trigger or virtual table wrote anything) added exactly sqlite3_changes() rows to its
// main table and changed nothing else, schema included: counts_ is updated without counting every
// table again. Counting after each statement made migrate_check O(statements x rows) on a data
// migration: 40,000 INSERTs took 8 s where migrate_dir takes 0.7 s.
bool DryRun::OnlyAddedRows(const std::string& s, const ChangeInfo& info, int64_t total_changed) {
  const int64_t direct = sqlite3_changes64(c_);
  if (info.kind != ChangeKind::kOther || total_changed != direct) return false;
  std::vector<std::string> first = LeadingWords(s, 1);
  if (first.empty() || first[0] != "insert" || NamesReplaceOrConflict(s)) return false;
  auto it = counts_.find(DmlTarget(s));
  if (it == counts_.end()) return false;
  // A temporary table of the same name is the one an unqualified INSERT writes; a table whose
  // constraint says ON CONFLICT REPLACE deletes rows that sqlite3_changes() does not count.
  absl::StatusOr<Rows> table = Query(
      c_,
      "SELECT (SELECT count(*) FROM temp.sqlite_schema WHERE name = ?1 COLLATE NOCASE), "
      "(SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE)",
      {Value(it->first)});
  if (!table.ok() || table->empty() || (*table)[0][0].AsInt() != 0 ||
      NamesReplaceOrConflict((*table)[0][1].AsText())) {
    return false;
  }
  it->second += direct;
  return true;
}

absl::StatusOr<bool> DryRun::RunStatement(size_t i) {
  const std::string& s = statements_[i];
  const ChangeInfo info = Classify(s);
  RETURN_IF_ERROR(NoteBefore(i, info));
  const int64_t total_before = sqlite3_total_changes64(c_);
  absl::Status run = ExecUserSql(c_, s);
  if (sqlite3_get_autocommit(c_)) {  // defense in depth: the savepoint must still be open
    return absl::InternalError("the dry run's savepoint ended unexpectedly");
  }
  if (!run.ok()) {
    NoteFailure(i, std::string(run.message()));
    return false;
  }
  const int64_t total_changed = sqlite3_total_changes64(c_) - total_before;
  if (OnlyAddedRows(s, info, total_changed)) return true;
  ASSIGN_OR_RETURN(current_, Snapshot(c_, cache_));
  ASSIGN_OR_RETURN(Counts now, CountRows(c_, current_));
  NoteCascades(i, info, now, total_changed);
  counts_ = std::move(now);
  return true;
}

// Findings known before the statement runs, from what it is.
absl::Status DryRun::NoteBefore(size_t i, const ChangeInfo& info) {
  switch (info.kind) {
    case ChangeKind::kPragma:
      NotePragma(i, info);
      break;
    case ChangeKind::kDropTable:
      NoteDropTable(i, info);
      break;
    case ChangeKind::kDropColumn: {
      // A generated column holds no data of its own: its values are computed from the others
      // (drizzle-kit drops and re-adds one whenever a column it reads is renamed). Counted as
      // data, a rename read as "drops the column and its 6000 non-NULL values".
      ASSIGN_OR_RETURN(Rows generated,
                       Query(c_, "SELECT 1 FROM pragma_table_xinfo(?1, 'main') WHERE name = ?2 "
                                 "COLLATE NOCASE AND hidden IN (2, 3)",
                             {Value(info.object), Value(info.object2)}));
      if (!generated.empty()) {
        Add("info", "destructive", absl::StrCat(info.object, ".", info.object2),
            absl::StrCat(Where(i), ": drops the generated column (its values are computed from "
                                   "the other columns: no data is lost)"));
        break;
      }
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

void DryRun::NotePragma(size_t i, const ChangeInfo& info) {
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

void DryRun::NoteDropTable(size_t i, const ChangeInfo& info) {
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

void DryRun::NoteFailure(size_t i, const std::string& msg) {
  Add("error", "statement_failed", absl::StrCat("statement ", i + 1),
      absl::StrCat(Where(i), ": ", WithFailureHint(msg)));
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
void DryRun::NoteCascades(size_t i, const ChangeInfo& info, const Counts& now,
                          int64_t total_changed) {
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
  // A virtual table's module writes its shadow tables itself: not foreign keys nor triggers.
  if (info.kind == ChangeKind::kOther && !target.empty() &&
      module_tables_.count(absl::AsciiStrToLower(target)) == 0) {
    int64_t direct = sqlite3_changes64(c_);
    int64_t other = total_changed - direct - cascaded;
    if (other > 0) {
      Add("info", "side_effect", target,
          absl::StrCat(Where(i), ": ", other, " more row change(s) by foreign-key actions "
                                              "(SET NULL, SET DEFAULT, CASCADE updates) or triggers"));
    }
  }
}

absl::Status DryRun::NotePlanChanges(const std::vector<QueryCost>& costs_before) {
  ASSIGN_OR_RETURN(std::vector<QueryCost> costs_after, MeasureQueries(c_, private_db_, *hot_));
  SchemaMoves moves;
  std::map<std::string, const SchemaObject*> indexes_after;
  for (const SchemaObject& o : current_) {
    if (o.type == "index") indexes_after[o.name] = &o;
    if (o.type == "table" && dropped_tables_.count(o.name) > 0) moves.rebuilt_tables.insert(o.name);
  }
  for (const SchemaObject& o : before_) {
    if (o.type != "index") continue;
    auto it = indexes_after.find(o.name);
    if (it == indexes_after.end()) {
      moves.dropped_indexes.insert(o.name);
    } else if (it->second->facts != o.facts) {
      moves.changed_indexes.insert(o.name);
    }
  }
  for (Finding& f : PlanChanges(*hot_, costs_before, costs_after, moves)) {
    out_.push_back(std::move(f));
  }
  return absl::OkStatus();
}

absl::Status DryRun::NoteViolations() {
  violations_at_ = out_.size();
  violations_after_.clear();
  if (fk_on_ && !fk_guard_) {
    // Foreign keys were on: a statement that broke an immediate constraint failed, and deferred
    // ones are counted by SQLite until the commit.
    int deferred = 0, high = 0;
    if (sqlite3_db_status(c_, SQLITE_DBSTATUS_DEFERRED_FKS, &deferred, &high, 0) == SQLITE_OK &&
        deferred == 0) {
      return absl::OkStatus();
    }
  }
  ASSIGN_OR_RETURN(ForeignKeyCheck after, CheckForeignKeys(c_));
  violations_after_ = std::move(after.counts);  // unchecked keys: NoteMismatchedForeignKeys
  return absl::OkStatus();
}

absl::Status DryRun::NoteViolationsAgainstBefore() {
  if (violations_after_.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(ForeignKeyCheck check, CheckForeignKeys(c_));
  ViolationCounts& before = check.counts;
  std::vector<Finding> found;
  for (const auto& [what, count] : violations_after_) {
    const int64_t was = before.count(what) ? before[what] : 0;
    if (count > was) {
      found.push_back(Finding{"error", "foreign_key_violation", ViolationName(what),
                              absl::StrCat(count - was, " row(s) would violate the foreign key "
                                                        "(PRAGMA foreign_key_check); migrate() "
                                                        "rolls back"),
                              0, 0});
    }
  }
  out_.insert(out_.begin() + std::min(violations_at_, out_.size()), found.begin(), found.end());
  return absl::OkStatus();
}

// The foreign keys the migration adds (facts not there before) that no index serves (core
// ForeignKeysWithoutIndex, the same test as index_lint's; it leaves out the keys SQLite cannot
// use: an index does not make them usable, their fk_mismatch says what does).
absl::Status DryRun::NoteNewForeignKeys() {
  ASSIGN_OR_RETURN(std::vector<UnindexedForeignKey> unindexed, ForeignKeysWithoutIndex(c_, "main"));
  std::map<std::string, std::set<std::string>> old_facts, new_facts;  // table -> facts
  for (const SchemaObject& o : before_) {
    if (o.type == "table") old_facts[o.name].insert(o.facts.begin(), o.facts.end());
  }
  for (const SchemaObject& o : current_) {
    if (o.type == "table") new_facts[o.name].insert(o.facts.begin(), o.facts.end());
  }
  std::set<std::string> reported;
  for (const UnindexedForeignKey& k : unindexed) {
    const std::string table = absl::AsciiStrToLower(k.table);
    const std::string columns = absl::AsciiStrToLower(absl::StrJoin(k.columns, ","));
    for (const std::string& f : new_facts[table]) {
      if (f.rfind("foreign key (", 0) != 0 || FkColumns(f) != columns ||
          old_facts[table].count(f) > 0 || !reported.insert(table + "(" + columns + ")").second) {
        continue;
      }
      Add("warning", "fk_without_index", absl::StrCat(table, "(", columns, ")"),
          absl::StrCat("new ", f, ": no index on ", table, "(", columns,
                       "), so every delete or key update in the parent scans ", table));
    }
  }
  return absl::OkStatus();
}

absl::Status DryRun::NoteMismatchedForeignKeys() {
  ASSIGN_OR_RETURN(std::vector<MismatchedForeignKey> now, MismatchedForeignKeys(c_, "main"));
  std::set<std::string> before;
  for (const MismatchedForeignKey& m : mismatched_before_) {
    before.insert(absl::AsciiStrToLower(ForeignKeyName(m.key)));
  }
  for (const MismatchedForeignKey& m : now) {
    const std::string name = ForeignKeyName(m.key);
    if (before.count(absl::AsciiStrToLower(name)) > 0) {
      Add("warning", "fk_mismatch", name,
          absl::StrCat("foreign key ", name, ", already in the schema ", MismatchConsequences(m)));
    } else {
      Add("error", "fk_mismatch", name,
          absl::StrCat("foreign key ", name, ", after this migration ", MismatchConsequences(m)));
    }
  }
  return absl::OkStatus();
}

void DryRun::NoteLostRowsAndTriggers() {
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

}  // namespace doctor::migrations
