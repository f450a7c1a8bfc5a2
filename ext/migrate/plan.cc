#include "ext/migrate/plan.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "ext/migrate/sha256.h"
#include "ext/migrate/sql_text.h"

namespace doctor::migrate {
namespace {

bool IsApplied(const JournalRow& r) { return r.kind != "revert"; }

std::string Crlf(absl::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::vector<PlanItem> MakePlan(const Folder& folder, const std::vector<JournalRow>& journal,
                               const std::vector<DrizzleRow>& drizzle) {
  const bool is_drizzle = folder.layout != Layout::kPlain;
  absl::flat_hash_map<std::string, const JournalRow*> by_name;
  for (const JournalRow& r : journal) by_name[r.name] = &r;
  absl::flat_hash_set<std::string> drizzle_hashes;
  absl::flat_hash_map<int64_t, const DrizzleRow*> drizzle_by_time;
  std::optional<int64_t> newest;
  for (const DrizzleRow& r : drizzle) {
    drizzle_hashes.insert(r.hash);
    if (r.created_at) {
      drizzle_by_time[*r.created_at] = &r;
      newest = newest ? std::max(*newest, *r.created_at) : *r.created_at;
    }
  }
  absl::flat_hash_set<std::string> drizzle_matched, names;
  std::vector<PlanItem> out;
  for (const MigrationFile& f : folder.files) {
    names.insert(f.name);
    PlanItem item;
    item.name = f.name;
    item.file = &f;
    item.checksum = f.checksum;
    auto it = by_name.find(f.name);
    const JournalRow* j = it != by_name.end() && IsApplied(*it->second) ? it->second : nullptr;
    bool in_drizzle = is_drizzle && drizzle_hashes.count(f.checksum);
    std::string eol_variant;  // a checksum of the same text with other line endings
    if (is_drizzle && !in_drizzle) {
      std::string lf = NormalizeLineEndings(f.text);
      for (const std::string& v : {Sha256Hex(lf), Sha256Hex(Crlf(lf))}) {
        if (v != f.checksum && drizzle_hashes.count(v)) eol_variant = v;
      }
    }
    if (in_drizzle) drizzle_matched.insert(f.checksum);
    if (!eol_variant.empty()) drizzle_matched.insert(eol_variant);
    if (j != nullptr) {
      item.applied_at = j->applied_at;
      item.duration_ms = j->duration_ms;
      if (j->checksum == f.checksum) {
        item.status = "applied";
      } else if (!j->sql.empty() && NormalizeLineEndings(j->sql) == NormalizeLineEndings(f.text)) {
        item.status = "applied";
        item.note = absl::StrCat("checksum differs only by line endings (CRLF): applied ",
                                 j->checksum, ", file ", f.checksum);
      } else {
        item.status = "changed";
        item.note = absl::StrCat("edited after it was applied: applied ", j->checksum,
                                 ", file now ", f.checksum);
      }
      if (is_drizzle && !in_drizzle && eol_variant.empty() &&
          !(f.created_at && drizzle_by_time.count(*f.created_at))) {
        item.drizzle_only = true;  // ours applied it; Drizzle's journal lacks it
      }
      if (f.created_at && drizzle_by_time.count(*f.created_at)) {
        drizzle_matched.insert(drizzle_by_time[*f.created_at]->hash);
      }
    } else if (in_drizzle || !eol_variant.empty()) {
      item.status = "applied";
      item.adopt = true;
      item.note = eol_variant.empty()
                      ? "applied by Drizzle's migrator"
                      : absl::StrCat("applied by Drizzle's migrator; checksum differs only by line "
                                     "endings (CRLF): applied ", eol_variant);
    } else if (is_drizzle && f.created_at && drizzle_by_time.count(*f.created_at)) {
      const DrizzleRow* d = drizzle_by_time[*f.created_at];
      drizzle_matched.insert(d->hash);
      item.status = "changed";
      item.note = absl::StrCat("edited after Drizzle's migrator applied it: applied ", d->hash,
                               ", file now ", f.checksum);
    } else {
      item.status = "pending";
      if (is_drizzle && f.created_at && newest && *f.created_at <= *newest) {
        item.note = absl::StrCat("out of order: older than the newest applied migration (",
                                 *newest, "); Drizzle's migrator would skip it");
      }
    }
    out.push_back(std::move(item));
  }
  for (const JournalRow& r : journal) {
    if (!IsApplied(r) || names.count(r.name) || r.origin.rfind(folder.path + "/", 0) != 0) continue;
    PlanItem item;
    item.name = r.name;
    item.status = "missing";
    item.checksum = r.checksum;
    item.applied_at = r.applied_at;
    item.duration_ms = r.duration_ms;
    item.note = "applied, but no file in the folder";
    drizzle_matched.insert(r.checksum);
    out.push_back(std::move(item));
  }
  if (is_drizzle) {
    for (const DrizzleRow& r : drizzle) {
      if (drizzle_matched.count(r.hash)) continue;
      PlanItem item;
      item.name = absl::StrCat("__drizzle_migrations:",
                               r.created_at ? absl::StrCat(*r.created_at) : std::string("?"));
      item.status = "missing";
      item.checksum = r.hash;
      item.note = "in __drizzle_migrations, no file in the folder has this hash";
      out.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace doctor::migrate
