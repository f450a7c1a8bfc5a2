// A migration folder's findings: changed or missing migrations, and each pending one dry-run
// through migrate_check (risky, failing, or safe to apply).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/folder.h"
#include "ext/report/area_findings.h"

namespace doctor::report {
namespace {

// Sorts before the other migration findings of one severity: it blocks deploys.
constexpr double kRiskImpact = 10;

// A pending migration whose dry run fails is dry-run again after at most this many pending ones
// before it (CheckPending).
constexpr int kMostEarlierMigrations = 100;

Finding ChangedOrMissing(const std::string& name, const std::string& status, const Value& note) {
  return {"migrations",
          Severity::kWarn,
          name,
          absl::StrCat("migration ", name, " is ", status,
                       status == "changed" ? " (its file differs from what was applied)"
                                           : " (applied, but its file is gone)",
                       note.is_null() ? "" : absl::StrCat(": ", note.AsText())),
          "restore the file as applied; add a new migration for new changes",
          std::nullopt,
          1};
}

// A file of the folder that cannot be used (a FIFO, a dangling link, a NUL byte, too big):
// migrate_dir refuses the whole folder until it is fixed.
Finding Unusable(const std::string& name, const Value& note) {
  return {"migrations",
          Severity::kCritical,
          name,
          absl::StrCat("migration ", name, " cannot be used",
                       note.is_null() ? "" : absl::StrCat(": ", note.AsText()),
                       "; migrate_dir applies nothing from this folder until it is fixed"),
          "replace it with the regular text file of the migration",
          std::nullopt,
          kRiskImpact};
}

// A .sql file of a drizzle-kit folder that meta/_journal.json does not list (migration_status'
// `unlisted`): every migrator skips it without a word, so whoever wrote it believes it ran.
// `applied`: doctor_migrations has it applied (its journal entry was removed after it ran).
Finding Unlisted(const std::string& name, bool applied) {
  return {"migrations",
          Severity::kWarn,
          name,
          absl::StrCat("migration file ", name, ".sql is not in meta/_journal.json: drizzle-kit "
                       "migrate, migrate() of drizzle-orm and migrate_dir skip it without a word",
                       applied ? " (doctor_migrations has it applied: its journal entry was "
                                 "removed after it ran, so a database migrated from now on never "
                                 "gets it)"
                               : ", so its statements are run by none of them"),
          "to run it, move its statements into the migration `drizzle-kit generate --custom` "
          "writes (it adds the journal entry) and delete the file; if it was left behind when its "
          "journal entry was removed, delete it",
          std::nullopt,
          1};
}

// A statement that failed because what it creates is already there (a change made by hand
// before migrations were journaled): the one failure migrate_baseline is the answer to.
bool AlreadyHasIt(const std::string& failure) {
  return absl::StrContains(failure, "already exists") ||
         absl::StrContains(failure, "duplicate column name");
}

// One warning or error of migrate_check(file) for the pending migration `name`.
Finding Risk(const std::string& folder, const std::string& name, const Row& check) {
  const bool fails = check[1].AsText() == "statement_failed";
  Finding f{"migrations",
            check[0].AsText() == "error" ? Severity::kCritical : Severity::kWarn,
            name,
            absl::StrCat(
                "pending migration ", name,
                fails ? " fails on this database: " : absl::StrCat(" (", check[1].AsText(), "): "),
                check[3].AsText()),
            "review it with SELECT * FROM migrate_check(...) before running migrate_dir",
            std::nullopt,
            kRiskImpact};
  if (fails && AlreadyHasIt(check[3].AsText())) {
    f.advice =
        "if the database already has this change (made before migrations were journaled), "
        "mark it applied with migrate_baseline";
    f.fix_sql = absl::StrCat("SELECT migrate_baseline(", QuoteLiteral(folder), ", ",
                             QuoteLiteral(name), ")");
  } else if (fails) {
    // A constraint the data violates, a table that is not there: marking it applied would
    // journal a change the database does not have.
    f.advice =
        "migrate_dir would roll it back whole and stop there: fix the rows or the statement "
        "SQLite names, then run migrate_dir";
  }
  return f;
}

// The child rows one statement of a pending migration deletes under Drizzle's migrator, all
// tables in one finding (migrate_check has a row per table).
Finding DrizzleCascade(const std::string& name, const std::string& where,
                       const std::vector<std::string>& deleted) {
  return {"migrations",
          Severity::kWarn,
          name,
          absl::StrCat("pending migration ", name, ": under Drizzle's migrator (or drizzle-kit "
                       "migrate), ", where, " deletes ", absl::StrJoin(deleted, ", "),
                       " through ON DELETE CASCADE (counted on this database: PRAGMA "
                       "foreign_keys=OFF is ignored inside the transaction it runs migrations "
                       "in); migrate_dir deletes none"),
          "apply it with migrate_dir, or turn foreign keys off on the connection before "
          "Drizzle's migrator runs",
          std::nullopt,
          kRiskImpact};
}

// A pending migration older than the newest applied one (migration_status' note): Drizzle's
// migrator applies only entries newer than the newest it recorded, so it skips this one without
// a word.
Finding OutOfOrder(const std::string& folder, const std::string& name, const std::string& note) {
  return {"migrations",
          Severity::kWarn,
          name,
          absl::StrCat("pending migration ", name, " is ", note,
                       " (drizzle-kit migrate and migrate() of drizzle-orm report success "
                       "without running it); migrate_dir runs it after the newer ones"),
          "apply it with migrate_dir; a database migrated by Drizzle's migrator gets it only "
          "from a migration generated after the newest applied one (drizzle-kit generate "
          "--custom, with this file's statements)",
          absl::StrCat("SELECT migrate_dir(", QuoteLiteral(folder), ")"),
          kRiskImpact};
}

// Whether a dry run (migrate_check's rows) stops at a statement: one fails, is refused, or is
// on an attached schema it cannot check.
bool Stops(const Rows& checks) {
  for (const Row& check : checks) {
    const std::string kind = check[1].AsText();
    if (kind == "statement_failed" || kind == "statement_refused" || kind == "not_checked") {
      return true;
    }
  }
  return false;
}

// A pending migration: its dry run's risks, or one finding that it is safe to apply. A dry run
// that stops is run again after `earlier` (the folder's pending migrations before it, joined), as
// migrate_dir runs it: alone, a migration that indexes a table an earlier pending one creates
// "failed on this database" ("no such table"), a critical finding on every fresh database. Only
// then: each dry run after all the earlier ones made a report on 300 pending migrations take 30 s
// instead of 1.3 s. Sets `fails` when its dry run stops.
absl::Status CheckPending(Connection& c, const std::string& folder, const std::string& name,
                          const Value& note, const migrations::MigrationFile* file,
                          const std::string& earlier, bool& fails, std::vector<Finding>& out) {
  int risks = 0;
  if (!note.is_null() && absl::StartsWith(note.AsText(), "out of order")) {
    ++risks;
    out.push_back(OutOfOrder(folder, name, note.AsText()));
  }
  if (file != nullptr) {
    // A foreign key SQLite cannot use that is there before the migration is no risk of it: the
    // schema area reports it once.
    auto dry_run = [&](const std::string& before) {
      return Query(c,
                   "SELECT severity, kind, object, detail, drizzle FROM migrate_check(?1, ?2) "
                   "WHERE severity IN ('warning', 'error') AND NOT (kind = 'fk_mismatch' AND "
                   "severity = 'warning')",
                   {Value(file->text), before.empty() ? Value::Null() : Value(before)});
    };
    absl::StatusOr<Rows> checked = dry_run("");
    if (checked.ok() && Stops(*checked) && !earlier.empty()) {
      absl::StatusOr<Rows> after_earlier = dry_run(earlier);
      if (after_earlier.ok()) checked = std::move(after_earlier);
    }
    // Another connection's long write transaction: the rest of the report still stands.
    if (!checked.ok() && absl::StrContains(checked.status().message(), "database is locked")) {
      out.push_back({"migrations", Severity::kWarn, name,
                     absl::StrCat("pending migration ", name, " could not be dry-run now: ",
                                  checked.status().message()),
                     "run the report again when no other connection holds a write transaction",
                     std::nullopt, kRiskImpact});
      return absl::OkStatus();
    }
    // A migration migrate_check cannot take (drizzle-kit generate --custom's file left as it
    // wrote it, only a comment: "the migration is empty"): migrate_dir refuses it and Drizzle's
    // migrator fails on it ("contains no statements"). It failed the whole report.
    if (!checked.ok()) {
      fails = true;
      std::string why(absl::StripPrefix(checked.status().message(), "migrate_check: "));
      const bool empty = absl::StrContains(why, "the migration is empty");
      out.push_back({"migrations", Severity::kCritical, name,
                     absl::StrCat("pending migration ", name, " cannot be dry-run: ",
                                  why.substr(0, why.find(" (in: ")),
                                  "; migrate_dir refuses it and stops there",
                                  empty ? ", and Drizzle's migrator fails on it (\"The supplied "
                                          "SQL string contains no statements\")"
                                        : ""),
                     empty ? "write its statements in the file (drizzle-kit generate --custom "
                             "writes only a comment), or delete the file and, in a drizzle-kit "
                             "folder, its entry in meta/_journal.json"
                           : "fix the file, then run migrate_dir",
                     std::nullopt, kRiskImpact});
      return absl::OkStatus();
    }
    Rows checks = *std::move(checked);
    std::map<std::string, std::vector<std::string>> cascades;  // statement -> "N row(s) of t"
    fails = Stops(checks);
    for (const Row& check : checks) {
      ++risks;
      if (check[1].AsText() == "drizzle_cascade") {
        const std::string detail = check[3].AsText();
        std::string rows = check[4].AsText();
        if (absl::StartsWith(rows, "deletes ")) rows = rows.substr(8);
        cascades[detail.substr(0, detail.find(": under Drizzle"))].push_back(rows);
        continue;
      }
      out.push_back(Risk(folder, name, check));
    }
    for (const auto& [where, deleted] : cascades) out.push_back(DrizzleCascade(name, where, deleted));
  }
  if (risks == 0) {
    out.push_back({"migrations", Severity::kInfo, name,
                   absl::StrCat("migration ", name, " is pending; its dry run found no risk"),
                   "apply it with migrate_dir",
                   absl::StrCat("SELECT migrate_dir(", QuoteLiteral(folder), ")"), 0});
  }
  return absl::OkStatus();
}

const migrations::MigrationFile* FileNamed(const migrations::Folder& folder,
                                           const std::string& name) {
  for (const auto& f : folder.files) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

absl::Status AddMigrationFindings(Connection& c, const std::string& folder,
                                  std::vector<Finding>& out) {
  if (!HasTable(c, "migration_status")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT name, status, note, applied_at FROM "
                                    "migration_status(?1) WHERE status <> 'applied'",
                                    {Value(folder)}));
  if (rows.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(migrations::Folder files, migrations::ReadFolder(folder));
  // The pending migrations so far whose dry run passed, as migrate_dir would have run them. One
  // that fails is left out: migrate_dir stops there, and those after it are dry-run without it
  // (a database that has them all already gets the baseline advice for each). Past
  // kMostEarlierMigrations a failing one keeps its dry run alone (each run again after all the
  // earlier ones would be quadratic).
  std::string earlier;
  int earlier_count = 0;
  for (const Row& r : rows) {
    const std::string name = r[0].AsText(), status = r[1].AsText();
    const migrations::MigrationFile* file = FileNamed(files, name);
    // An 'error' whose file reads fine has no statements: its dry run says so, with what to do.
    if (status == "pending" || (status == "error" && file != nullptr && file->error.empty())) {
      bool fails = false;
      const size_t first = out.size();
      RETURN_IF_ERROR(CheckPending(c, folder, name, r[2], file,
                                   earlier_count < kMostEarlierMigrations ? earlier : "", fails,
                                   out));
      if (fails && earlier_count >= kMostEarlierMigrations) {
        // Its failure may be on a table an earlier pending one creates: say it was alone.
        for (size_t i = first; i < out.size(); ++i) {
          if (!absl::StrContains(out[i].finding, " fails on this database: ")) continue;
          absl::StrAppend(&out[i].finding, " (dry-run without the ", kMostEarlierMigrations,
                          "+ pending migrations before it: it may need what they create)");
        }
      }
      if (file != nullptr && !fails && earlier_count < kMostEarlierMigrations) {
        absl::StrAppend(&earlier, earlier.empty() ? "" : "\n--> statement-breakpoint\n",
                        file->text);
        ++earlier_count;
      }
    } else if (status == "error") {
      out.push_back(Unusable(name, r[2]));
    } else if (status == "unlisted") {
      out.push_back(Unlisted(name, !r[3].is_null()));
    } else {
      out.push_back(ChangedOrMissing(name, status, r[2]));
    }
  }
  return absl::OkStatus();
}

}  // namespace doctor::report
