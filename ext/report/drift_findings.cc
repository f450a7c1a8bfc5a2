// Drift between the live schema and a migration folder (schema_drift): an object that exists
// only in the database (an index built by hand, as index advice asks), only in the migrations,
// or differently. Unrecorded, a database built from the migrations differs, and `drizzle-kit push`
// proposes to undo it.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/folder.h"
#include "ext/migrations/sql_text.h"
#include "ext/report/area_findings.h"

namespace doctor::report {
namespace {

// More rows than this fold into one finding: past it the list is schema_drift's job.
constexpr size_t kMostDriftFindings = 20;

struct Drift {
  std::string drift, type, name, detail, fix_sql, drizzle, migration_file, since;
};

std::string WhatItIs(const Drift& d) {
  if (d.drift == "extra") {
    return absl::StrCat(d.type, " ", d.name, " is in the database but in no migration (",
                        d.detail, "): a database built from the migrations lacks it, and "
                        "drizzle-kit push would propose to drop it");
  }
  if (d.drift == "missing") {
    return absl::StrCat(d.type, " ", d.name,
                        " is created by the applied migrations but is not in the database (",
                        d.detail, ")");
  }
  if (d.drift == "changed") {
    return absl::StrCat(d.type, " ", d.name, " differs from what the applied migrations create: ",
                        d.detail);
  }
  return absl::StrCat("the applied migrations do not replay on an empty database, so drift ",
                      "cannot be checked: ", d.detail);
}

// A drizzle-kit folder runs only what meta/_journal.json lists: the report's NNNN_record_drift.sql
// written there by hand was run by neither Drizzle's migrator nor migrate_dir, and, with the
// schema line added too, drizzle-kit generate wrote a second migration numbered the same (found
// following the advice on a Drizzle shop). drizzle-kit writes the migration itself: from the
// schema line, or an empty journaled one (--custom) to hold the statements.
std::string HowToRecordWithDrizzleKit(const Drift& d) {
  const std::string fix(
      absl::StripSuffix(absl::StripTrailingAsciiWhitespace(d.fix_sql), ";"));
  if (!d.drizzle.empty()) {
    std::string advice = absl::StrCat(
        "in the Drizzle schema, the table's indexes get ", d.drizzle,
        "; drizzle-kit generate then writes the migration that records it (a file written by "
        "hand is not in meta/_journal.json, so nothing runs it)");
    if (d.drift == "extra") {
      absl::StrAppend(&advice, "; the database has the index already: mark that migration "
                               "applied with migrate_baseline, as the next report says");
    }
    return advice;
  }
  std::string advice =
      "record the live state in a new migration: drizzle-kit generate --custom --name "
      "record_drift writes an empty one listed in meta/_journal.json";
  if (!fix.empty()) absl::StrAppend(&advice, "; put in it: ", fix);
  if (d.drift == "missing") {
    absl::StrAppend(&advice, "; or, if it was dropped by mistake, create it again");
  }
  return advice;
}

std::string HowToRecord(const Drift& d, migrations::Layout layout) {
  if (layout == migrations::Layout::kDrizzleKit) return HowToRecordWithDrizzleKit(d);
  std::string advice = "record the live state in a new migration";
  if (!d.migration_file.empty()) absl::StrAppend(&advice, " (", d.migration_file, ")");
  if (!d.fix_sql.empty()) {
    absl::StrAppend(&advice, ": ", absl::StripSuffix(absl::StripTrailingAsciiWhitespace(d.fix_sql), ";"));
  }
  if (!d.drizzle.empty()) {
    absl::StrAppend(&advice, "; in the Drizzle schema, the table's indexes get ", d.drizzle);
  }
  if (d.drift == "missing") {
    absl::StrAppend(&advice, "; or, if it was dropped by mistake, create it again");
  }
  return advice;
}

// Lower-case object name -> the first pending migration of the folder that creates one of that
// name: the Drizzle way to record a hand-built index (its schema line, then drizzle-kit
// generate) leaves it there, pending.
// `files`: the folder as read.
absl::StatusOr<std::map<std::string, std::string>> CreatedByPending(
    Connection& c, const std::string& folder, const migrations::Folder& files) {
  std::map<std::string, std::string> out;
  ASSIGN_OR_RETURN(Rows pending, Query(c,
                                       "SELECT name FROM migration_status(?1) "
                                       "WHERE status = 'pending'",
                                       {Value(folder)}));
  for (const Row& p : pending) {
    for (const migrations::MigrationFile& f : files.files) {
      if (f.name != p[0].AsText()) continue;
      for (absl::string_view statement : migrations::SplitStatements(f.text)) {
        const std::string name = migrations::CreatedName(statement);
        if (!name.empty()) out.emplace(name, f.name);
      }
    }
  }
  return out;
}

// An extra object that a pending migration creates: recorded already, in a migration not run.
Finding RecordedByPending(const Drift& d, const std::string& folder, const std::string& pending) {
  return {"migrations", Severity::kWarn, d.name,
          absl::StrCat(d.type, " ", d.name, " is in the database but in no applied migration (",
                       d.detail, "); pending migration ", pending, " creates ",
                       d.type == "index" ? "an " : "a ", d.type, " of that name"),
          absl::StrCat("if ", pending, " creates it as the database has it, mark it applied "
                       "rather than recording it again: SELECT migrate_baseline(",
                       QuoteLiteral(folder), ", ", QuoteLiteral(pending),
                       "); else drop or rename one of them"),
          std::nullopt, 0};
}

}  // namespace

absl::Status AddDriftFindings(Connection& c, const std::string& folder,
                              std::vector<Finding>& out, UnrecordedIndexes* unrecorded) {
  if (!HasTable(c, "schema_drift") || !HasTable(c, "migration_status")) return absl::OkStatus();
  // Before the first migration is applied (or baselined) the whole schema would be "extra".
  ASSIGN_OR_RETURN(Rows applied, Query(c,
                                       "SELECT count(*) FROM migration_status(?1) "
                                       "WHERE status = 'applied'",
                                       {Value(folder)}));
  if (applied.empty() || applied[0][0].AsInt() == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT drift, type, name, coalesce(detail, ''), "
                                    "coalesce(fix_sql, ''), coalesce(drizzle, ''), "
                                    "coalesce(migration_file, ''), coalesce(since, '') FROM schema_drift(?1)",
                                    {Value(folder)}));
  unrecorded->checked = true;
  for (const Row& r : rows) {
    if (r[0].AsText() == "unreplayable") unrecorded->checked = false;
    if (r[0].AsText() == "extra" && r[1].AsText() == "index") {
      unrecorded->names.insert(absl::AsciiStrToLower(r[2].AsText()));
    }
  }
  std::map<std::string, std::string> created;
  migrations::Layout layout = migrations::Layout::kPlain;
  if (!rows.empty()) {
    // Read once for both. A folder that cannot be read is the migration findings' to report.
    if (absl::StatusOr<migrations::Folder> files = migrations::ReadFolder(folder); files.ok()) {
      layout = files->layout;
      ASSIGN_OR_RETURN(created, CreatedByPending(c, folder, *files));
    }
  }
  // One a pending migration creates is recorded already (RecordedByPending).
  for (const auto& [name, migration] : created) unrecorded->names.erase(name);
  for (size_t i = 0; i < rows.size() && i < kMostDriftFindings; ++i) {
    const Row& r = rows[i];
    Drift d{r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsText(),
            r[4].AsText(), r[5].AsText(), r[6].AsText(), r[7].AsText()};
    auto pending = created.find(absl::AsciiStrToLower(d.name));
    if (d.drift == "extra" && pending != created.end()) {
      out.push_back(RecordedByPending(d, folder, pending->second));
      continue;
    }
    std::string finding = WhatItIs(d);
    // Where the journal's schema hashes first show it (schema_drift.since).
    if (!d.since.empty()) absl::StrAppend(&finding, "; made ", d.since);
    out.push_back({"migrations", d.drift == "unreplayable" ? Severity::kInfo : Severity::kWarn,
                   d.name.empty() ? folder : d.name, std::move(finding),
                   HowToRecord(d, layout), std::nullopt, 0});
  }
  if (rows.size() > kMostDriftFindings) {
    out.push_back({"migrations", Severity::kWarn, folder,
                   absl::StrCat(rows.size() - kMostDriftFindings,
                                " more objects differ between the database and the migrations"),
                   "SELECT * FROM schema_drift(folder) lists every one", std::nullopt, 0});
  }
  return absl::OkStatus();
}

}  // namespace doctor::report
