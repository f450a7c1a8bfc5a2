#include "ext/migrations/plan.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ext/migrations/sha256.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {

Setting kDrizzleTableSetting = Setting::Text(
    "drizzle_table", "__drizzle_migrations",
    "The table Drizzle's migrator journals to: its migrationsTable option (default "
    "__drizzle_migrations). Read, written and created by migrate_dir, migrate_baseline, "
    "migration_status and doctor_report for Drizzle folders.");

std::string DrizzleTable() { return kDrizzleTableSetting.GetText(); }

const char* PlanStatusName(PlanStatus status) {
  switch (status) {
    case PlanStatus::kApplied: return "applied";
    case PlanStatus::kPending: return "pending";
    case PlanStatus::kChanged: return "changed";
    case PlanStatus::kMissing: return "missing";
    case PlanStatus::kError: return "error";
  }
  return "?";
}

namespace {

bool IsApplied(const JournalRow& r) { return r.kind != "revert"; }

// `path` with "." segments, repeated and trailing slashes gone and "x/.." folded, so that
// "drizzle", "./drizzle" and "drizzle/" (a drizzle.config's `out` and a call in the code) name
// one folder. Lexical only: a link or another working directory is not resolved.
std::string LexicalPath(absl::string_view path) {
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else {
      parts.push_back(part);
    }
  }
  const std::string joined = absl::StrJoin(parts, "/");
  return absl::StartsWith(path, "/") ? absl::StrCat("/", joined) : joined;
}

// `path` resolved against the working directory `cwd` when relative (lexically, as above).
std::string AbsolutePath(absl::string_view path, absl::string_view cwd) {
  if (absl::StartsWith(path, "/") || cwd.empty()) return LexicalPath(path);
  return LexicalPath(absl::StrCat(cwd, "/", path));
}

// Whether the journal's `origin` is a file under `folder`, spelled as given or resolved against
// the folder's working directory (a relative origin was given in the same one, as an
// application's migrations are run from its root).
bool IsUnder(absl::string_view origin, const Folder& folder) {
  auto under = [](const std::string& file, const std::string& dir) {
    return absl::StartsWith(file, dir.empty() || dir == "/" ? dir : dir + "/");
  };
  return under(LexicalPath(origin), LexicalPath(folder.path)) ||
         under(AbsolutePath(origin, folder.cwd), AbsolutePath(folder.path, folder.cwd));
}

std::string Crlf(absl::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

// Drizzle's hashes of `f`'s text with the other line endings (LF-only, CRLF), when they differ.
std::vector<std::string> EolVariants(const MigrationFile& f) {
  std::string lf = NormalizeLineEndings(f.text);
  std::vector<std::string> out;
  for (const std::string& v : {DrizzleHash(lf), DrizzleHash(Crlf(lf))}) {
    if (v != f.drizzle_checksum()) out.push_back(v);
  }
  return out;
}

}  // namespace

std::vector<const MigrationFile*> MatchUnnamedRows(const Folder& folder,
                                                   const std::vector<DrizzleRow>& drizzle) {
  // Drizzle sorts by (millis, name) first; the hash map keeps the last file of each hash.
  std::vector<const MigrationFile*> sorted;
  for (const MigrationFile& f : folder.files) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(), [](const MigrationFile* a, const MigrationFile* b) {
    if (a->created_at != b->created_at) return a->created_at < b->created_at;
    return a->name < b->name;
  });
  absl::flat_hash_map<int64_t, std::vector<const MigrationFile*>> by_millis;
  absl::flat_hash_map<std::string, const MigrationFile*> by_hash;
  for (const MigrationFile* f : sorted) {
    if (f->created_at) by_millis[*f->created_at].push_back(f);
    by_hash[f->drizzle_checksum()] = f;
  }
  std::vector<const MigrationFile*> out;
  for (const DrizzleRow& r : drizzle) {
    const MigrationFile* match = nullptr;
    // String(created_at) with its last three characters replaced by "000".
    const std::vector<const MigrationFile*>* candidates = nullptr;
    if (r.created_at) {
      auto it = by_millis.find(*r.created_at / 1000 * 1000);
      if (it != by_millis.end()) candidates = &it->second;
    }
    if (candidates != nullptr && candidates->size() == 1) {
      match = candidates->front();
    } else if (candidates != nullptr) {
      for (const MigrationFile* f : *candidates) {
        if (match == nullptr && !r.hash.empty() && f->drizzle_checksum() == r.hash) match = f;
      }
    } else {
      auto it = by_hash.find(r.hash);
      if (it != by_hash.end()) match = it->second;
    }
    out.push_back(match);
  }
  return out;
}

namespace {

using RowsOf = absl::flat_hash_map<const MigrationFile*, std::vector<size_t>>;

// Folder-per-migration layout: a row stands for the folder of its name; rows without a name as
// MatchUnnamedRows decides.
RowsOf RowsByName(const Folder& folder, const std::vector<DrizzleRow>& drizzle) {
  RowsOf rows_of;
  absl::flat_hash_map<std::string, const MigrationFile*> file_by_name;
  for (const MigrationFile& f : folder.files) file_by_name[f.name] = &f;
  std::vector<const MigrationFile*> unnamed = MatchUnnamedRows(folder, drizzle);
  for (size_t i = 0; i < drizzle.size(); ++i) {
    const MigrationFile* f = nullptr;
    if (drizzle[i].name) {
      auto it = file_by_name.find(*drizzle[i].name);
      if (it != file_by_name.end()) f = it->second;
    } else {
      f = unnamed[i];
    }
    if (f != nullptr) rows_of[f].push_back(i);
  }
  return rows_of;
}

// drizzle-kit layout: rows by hash, else by the same text in other line endings, else by
// created_at == the journal's `when`. `*newest`: the newest created_at applied.
RowsOf RowsByHash(const Folder& folder, const std::vector<DrizzleRow>& drizzle,
                  std::optional<int64_t>* newest) {
  RowsOf rows_of;
  absl::flat_hash_map<std::string, std::vector<size_t>> by_hash;
  absl::flat_hash_map<int64_t, size_t> by_time;
  for (size_t i = 0; i < drizzle.size(); ++i) {
    by_hash[drizzle[i].hash].push_back(i);
    if (drizzle[i].created_at) {
      by_time[*drizzle[i].created_at] = i;
      *newest = *newest ? std::max(**newest, *drizzle[i].created_at) : *drizzle[i].created_at;
    }
  }
  for (const MigrationFile& f : folder.files) {
    std::vector<size_t>& rows = rows_of[&f];
    auto it = by_hash.find(f.drizzle_checksum());
    if (it != by_hash.end()) rows = it->second;
    if (rows.empty()) {
      for (const std::string& v : EolVariants(f)) {
        auto eol = by_hash.find(v);
        if (eol != by_hash.end()) rows.insert(rows.end(), eol->second.begin(), eol->second.end());
      }
    }
    if (rows.empty() && f.created_at && by_time.count(*f.created_at)) {
      rows.push_back(by_time[*f.created_at]);
    }
  }
  return rows_of;
}

// Drizzle's row for a file among `rows` (marked matched): one with the file's hash, else one
// with the same text in other line endings (`*eol_variant` = its hash), else any (the file was
// edited after Drizzle applied it). nullptr when there is none.
const DrizzleRow* DrizzleRowOf(const MigrationFile& f, const std::vector<size_t>* rows,
                               const std::vector<DrizzleRow>& drizzle,
                               std::vector<bool>* matched, std::string* eol_variant) {
  if (rows == nullptr || rows->empty()) return nullptr;
  const DrizzleRow* d = nullptr;
  for (size_t i : *rows) {
    (*matched)[i] = true;
    if (drizzle[i].hash == f.drizzle_checksum()) d = &drizzle[i];
  }
  if (d != nullptr) return d;
  std::vector<std::string> variants = EolVariants(f);
  for (size_t i : *rows) {
    if (std::find(variants.begin(), variants.end(), drizzle[i].hash) != variants.end()) {
      *eol_variant = drizzle[i].hash;
      return &drizzle[i];
    }
  }
  return &drizzle[rows->front()];
}

// The status of a readable file from our journal's row `j` and Drizzle's row `d` (either null).
void DecideStatus(const MigrationFile& f, const JournalRow* j, const DrizzleRow* d,
                  const std::string& eol_variant, bool is_drizzle, bool by_name,
                  std::optional<int64_t> newest, PlanItem* item) {
  const bool in_drizzle = d != nullptr && d->hash == f.drizzle_checksum();
  if (j != nullptr) {
    item->applied_at = j->applied_at;
    item->duration_ms = j->duration_ms;
    if (j->checksum == f.checksum) {
      item->status = PlanStatus::kApplied;
    } else if (!j->sql.empty() && NormalizeLineEndings(j->sql) == NormalizeLineEndings(f.text)) {
      item->status = PlanStatus::kApplied;
      item->note = absl::StrCat("checksum differs only by line endings (CRLF): applied ",
                                j->checksum, ", file ", f.checksum);
    } else {
      item->status = PlanStatus::kChanged;
      item->note = absl::StrCat("edited after it was applied: applied ", j->checksum,
                                ", file now ", f.checksum);
    }
    // Ours applied it; Drizzle's journal lacks it.
    if (is_drizzle && d == nullptr) item->drizzle_only = true;
  } else if (in_drizzle || !eol_variant.empty()) {
    item->status = PlanStatus::kApplied;
    item->adopt = true;
    item->applied_at = d->applied_at;
    item->note = eol_variant.empty()
                     ? "applied by Drizzle's migrator"
                     : absl::StrCat("applied by Drizzle's migrator; checksum differs only by line "
                                    "endings (CRLF): applied ", eol_variant);
  } else if (d != nullptr) {
    item->status = PlanStatus::kChanged;
    item->drizzle_edited = true;
    item->applied_at = d->applied_at;
    item->note = absl::StrCat("edited after Drizzle's migrator applied it: applied ", d->hash,
                              ", file now ", f.drizzle_checksum());
  } else if (MigrationStatements(f.text, is_drizzle).empty()) {
    // migrate_dir refuses it when it comes to it; before, it was listed as pending (a custom
    // migration drizzle-kit generated and nobody filled in: "-- Custom SQL migration file ...").
    item->status = PlanStatus::kError;
    item->empty = true;
    item->note = "it is empty: it has no statements (migrate_dir refuses it, and Drizzle's "
                 "migrator fails on it with better-sqlite3: write its SQL, or delete the file and "
                 "its journal entry)";
  } else {
    item->status = PlanStatus::kPending;
    if (!by_name && is_drizzle && f.created_at && newest && *f.created_at <= *newest) {
      item->note = absl::StrCat("out of order: older than the newest applied migration (",
                                *newest, "); Drizzle's migrator would skip it");
    }
  }
}

// Applied per our journal, from this folder, and no file: missing (Drizzle rows of it matched).
void AddMissingFiles(const Folder& folder, const std::vector<JournalRow>& journal,
                     const std::vector<DrizzleRow>& drizzle,
                     const absl::flat_hash_set<std::string>& names, std::vector<bool>* matched,
                     std::vector<PlanItem>* out) {
  const bool by_name = folder.layout == Layout::kDrizzleFolders;
  for (const JournalRow& r : journal) {
    if (!IsApplied(r) || names.count(r.name) || !IsUnder(r.origin, folder)) continue;
    PlanItem item;
    item.name = r.name;
    item.status = PlanStatus::kMissing;
    item.checksum = r.checksum;
    item.applied_at = r.applied_at;
    item.duration_ms = r.duration_ms;
    item.note = "applied, but no file in the folder";
    const std::string hash = r.sql.empty() ? r.checksum : DrizzleHash(r.sql);
    for (size_t i = 0; i < drizzle.size(); ++i) {
      bool same = by_name ? drizzle[i].name == r.name
                          : drizzle[i].hash == r.checksum || drizzle[i].hash == hash;
      if (same) (*matched)[i] = true;
    }
    out->push_back(std::move(item));
  }
}

// Drizzle rows that stand for no file: missing.
void AddMissingDrizzleRows(const std::vector<DrizzleRow>& drizzle, const std::vector<bool>& matched,
                           std::vector<PlanItem>* out) {
  const std::string table = DrizzleTable();
  for (size_t i = 0; i < drizzle.size(); ++i) {
    if (matched[i]) continue;
    const DrizzleRow& r = drizzle[i];
    PlanItem item;
    item.name = r.name ? *r.name
                       : absl::StrCat(table, ":",
                                      r.created_at ? absl::StrCat(*r.created_at) : std::string("?"));
    item.status = PlanStatus::kMissing;
    item.checksum = r.hash;
    item.applied_at = r.applied_at;
    item.note = absl::StrCat("in ", table,
                             r.name ? ", no folder of this name"
                                    : ", no file in the folder has this hash");
    out->push_back(std::move(item));
  }
}

}  // namespace

std::vector<PlanItem> MakePlan(const Folder& folder, const std::vector<JournalRow>& journal,
                               const std::vector<DrizzleRow>& drizzle) {
  const bool is_drizzle = folder.layout != Layout::kPlain;
  const bool by_name = folder.layout == Layout::kDrizzleFolders;
  absl::flat_hash_map<std::string, const JournalRow*> journal_by_name;
  for (const JournalRow& r : journal) journal_by_name[r.name] = &r;
  // The __drizzle_migrations rows that stand for each file (indexes into `drizzle`).
  std::optional<int64_t> newest;
  RowsOf rows_of = by_name ? RowsByName(folder, drizzle)
                           : is_drizzle ? RowsByHash(folder, drizzle, &newest) : RowsOf();
  std::vector<bool> matched(drizzle.size(), false);
  absl::flat_hash_set<std::string> names;
  std::vector<PlanItem> out;
  for (const MigrationFile& f : folder.files) {
    names.insert(f.name);
    PlanItem item;
    item.name = f.name;
    item.file = &f;
    item.checksum = f.checksum;
    auto rows = rows_of.find(&f);
    const std::vector<size_t>* file_rows = rows == rows_of.end() ? nullptr : &rows->second;
    std::string eol_variant;
    const DrizzleRow* d = DrizzleRowOf(f, file_rows, drizzle, &matched, &eol_variant);
    if (!f.error.empty()) {  // listed, never skipped: migrate_dir refuses the folder
      item.status = PlanStatus::kError;
      item.note = f.error;
      out.push_back(std::move(item));
      continue;
    }
    if (by_name && d != nullptr) {
      item.drizzle_unnamed = true;
      for (size_t i : *file_rows) item.drizzle_unnamed = item.drizzle_unnamed && !drizzle[i].name;
    }
    auto it = journal_by_name.find(f.name);
    const JournalRow* j =
        it != journal_by_name.end() && IsApplied(*it->second) ? it->second : nullptr;
    DecideStatus(f, j, d, eol_variant, is_drizzle, by_name, newest, &item);
    out.push_back(std::move(item));
  }
  AddMissingFiles(folder, journal, drizzle, names, &matched, &out);
  if (is_drizzle) AddMissingDrizzleRows(drizzle, matched, &out);
  return out;
}

}  // namespace doctor::migrations
