// Which of two redundant indexes goes, when a migration folder says which one the application's
// schema declares (area_findings.h, KeepWhatTheMigrationsCreate). index_lint alone cannot know:
// it drops the twin with the larger name. Seen in the demo: the advisor's idx_jobs_project_id and
// the migrations' jobs_project_id_idx; the report said to drop the migrations' one and, in
// another finding, that drizzle-kit push would drop the advisor's: following both left neither.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql_normalize.h"
#include "ext/report/area_findings.h"

namespace doctor::report {

void KeepWhatTheMigrationsCreate(const std::vector<RedundantIndex>& redundant,
                                 const UnrecordedIndexes& unrecorded,
                                 std::vector<Finding>& findings) {
  if (!unrecorded.checked) return;
  auto is_unrecorded = [&](const std::string& name) {
    return unrecorded.names.count(absl::AsciiStrToLower(name)) > 0;
  };
  std::set<std::string> dropped_twins;  // lower-case: unrecorded indexes a finding now drops
  for (const RedundantIndex& r : redundant) {
    if (r.finding >= findings.size() || is_unrecorded(r.drop)) continue;  // its drift goes too
    Finding& f = findings[r.finding];
    const std::string keep = absl::AsciiStrToLower(r.keep);
    if (r.duplicate && is_unrecorded(r.keep) && dropped_twins.insert(keep).second) {
      f.object = r.keep;
      f.finding = absl::StrCat("duplicate: ", r.keep, " has the same key as ", r.drop,
                               ", which the applied migrations create; ", r.keep,
                               " is in no migration");
      f.advice = "drop it: the migrations' twin serves the same lookups, and the database is "
                 "then as the migrations build it";
      // index_lint's findings, so main's index (QualifiedIdentifier: never a temp one).
      f.fix_sql = absl::StrCat("DROP INDEX ", QualifiedIdentifier("main", r.keep), ";");
      continue;
    }
    absl::StrAppend(&f.advice, "; ", r.drop,
                    " is created by the applied migrations: drop it in a new migration too (in "
                    "the Drizzle schema, remove its index() line), or a database built from them "
                    "has it and drizzle-kit push creates it again");
  }
  // The drift finding of a twin dropped above says what the duplicate finding's fix undoes.
  findings.erase(std::remove_if(findings.begin(), findings.end(),
                                [&](const Finding& f) {
                                  return f.area == "migrations" &&
                                         absl::StartsWith(f.finding, "index ") &&
                                         dropped_twins.count(absl::AsciiStrToLower(f.object)) > 0;
                                }),
                 findings.end());
}

}  // namespace doctor::report
