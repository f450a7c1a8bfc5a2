#include "ext/timing/store_merge.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/platform.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/sidecar_file.h"
#include "ext/timing/store_plans.h"
#include "ext/timing/store_values.h"
#include "nlohmann/json.hpp"

namespace doctor::timing {
namespace {

constexpr size_t kMaxPathBytes = 4096;

// The shapes of one store, every value checked, plus its captured plans (format 3).
struct StoreRows {
  std::vector<EntrySnapshot> entries;
  std::vector<StorePlan> plans;
};

absl::StatusOr<StoreRows> ReadStoreFile(const std::string& path, int64_t max_rows) {
  absl::StatusOr<std::unique_ptr<SidecarDb>> opened = SidecarDb::OpenCopy(path, kReadBusyMs);
  if (!opened.ok()) {
    if (absl::EndsWith(path, "-doctor")) return opened.status();
    // A database named instead of its store.
    return absl::Status(opened.status().code(),
                        absl::StrCat(opened.status().message(), "; the store of database ", path,
                                     " is ", SidecarPath(path)));
  }
  std::unique_ptr<SidecarDb> side = std::move(*opened);
  StoreRows out;
  absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(Exec(side->db(), "BEGIN"));  // one snapshot of the file
    ASSIGN_OR_RETURN(Rows count, Query(side->db(), "SELECT count(*) FROM doctor_query_stats"));
    const int64_t n = count.front()[0].AsInt();
    if (n > max_rows) {
      return absl::FailedPreconditionError(absl::StrCat(
          "holds ", n, " query shapes, more than stats_max (", max_rows,
          "): raise it with doctor_set('stats_max', ", n, ") to merge this store exactly"));
    }
    ASSIGN_OR_RETURN(Rows rows, Query(side->db(),
                                      absl::StrCat("SELECT ", kStoreEntryColumns,
                                                   " FROM doctor_query_stats LIMIT ?"),
                                      {Value(max_rows)}));
    out.entries.reserve(rows.size());
    for (const Row& r : rows) {
      ASSIGN_OR_RETURN(EntrySnapshot e, ReadStoreEntry(r));
      out.entries.push_back(std::move(e));
    }
    ASSIGN_OR_RETURN(out.plans, ReadStorePlans(*side, max_rows));
    return Exec(side->db(), "COMMIT");
  }();
  if (!status.ok()) return side->Named(status);
  return out;
}

// The same file named twice (a link or another spelling of its path) would count twice.
absl::Status CheckDistinct(const std::vector<std::string>& paths) {
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (paths[i] == paths[j]) {
        return absl::InvalidArgumentError(
            absl::StrCat("sidecar ", paths[i], ": named twice (its figures would count twice)"));
      }
    }
  }
  std::vector<std::pair<std::pair<uint64_t, uint64_t>, size_t>> ids;
  for (size_t i = 0; i < paths.size(); ++i) {
    struct stat st;
    if (LinkStat(paths[i].c_str(), &st) != 0 || st.st_ino == 0) continue;  // Open names it
    ids.push_back({{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)}, i});
  }
  std::sort(ids.begin(), ids.end());
  for (size_t i = 1; i < ids.size(); ++i) {
    if (ids[i].first == ids[i - 1].first) {
      return absl::InvalidArgumentError(
          absl::StrCat("sidecar ", paths[ids[i].second], ": is the same file as ",
                       paths[ids[i - 1].second], " (its figures would count twice)"));
    }
  }
  return absl::OkStatus();
}

using MergeKey = std::pair<int64_t, std::string>;

// Adds one store's rows to the merge; `seen` marks the keys this store already counted as a
// source (a store may hold one shape under several spellings of its database's path).
void AddStore(StoreRows rows, std::vector<MergedEntry>* all,
              absl::flat_hash_map<MergeKey, size_t>* index) {
  absl::flat_hash_map<MergeKey, bool> seen;
  for (EntrySnapshot& e : rows.entries) {
    MergeKey key(e.query_id, DbFileName(e.db));
    auto [it, fresh] = index->try_emplace(key, all->size());
    if (fresh) {
      MergedEntry m;
      m.query_id = e.query_id;
      m.db = key.second;
      m.query = std::move(e.query);
      all->push_back(std::move(m));
    }
    MergedEntry& into = (*all)[it->second];
    into.counters.Merge(e.counters);
    const int64_t since = e.stats_since_ms > 0 ? e.stats_since_ms : e.counters.first_seen_ms;
    if (into.stats_since_ms == 0 || since < into.stats_since_ms) into.stats_since_ms = since;
    if (into.example.empty()) into.example = std::move(e.example);
    if (seen.try_emplace(key, true).second) ++into.sources;
  }
  for (StorePlan& p : rows.plans) {
    auto it = index->find(MergeKey(p.query_id, DbFileName(p.db)));
    if (it == index->end()) continue;  // a plan without figures in this store
    MergedEntry& into = (*all)[it->second];
    if (into.plan_id == 0 || p.captured_ms > into.plan_ms) {
      into.plan = std::move(p.plan);
      into.plan_id = p.plan_id;
      into.plan_ms = p.captured_ms;
      into.plan_sqlite = std::move(p.sqlite_version);
    }
  }
}

}  // namespace

std::string DbFileName(absl::string_view db) {
  const size_t slash = db.find_last_of("/\\");
  return std::string(slash == absl::string_view::npos ? db : db.substr(slash + 1));
}

absl::StatusOr<std::vector<std::string>> ParseStorePaths(absl::string_view arg) {
  std::vector<std::string> paths;
  if (arg.empty()) {
    return absl::InvalidArgumentError(
        "stores must be a store path or a JSON array of store paths, got ''");
  }
  if (arg.front() != '[') {
    paths.emplace_back(arg);
  } else {
    nlohmann::json j = nlohmann::json::parse(arg, nullptr, /*allow_exceptions=*/false);
    if (!j.is_array() || j.empty()) {
      return absl::InvalidArgumentError(
          "stores: a text starting with '[' must be a non-empty JSON array of store paths");
    }
    for (const nlohmann::json& p : j) {
      if (!p.is_string() || p.get<std::string>().empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("stores: every element must be a non-empty path text, got ", p.dump()));
      }
      paths.push_back(p.get<std::string>());
    }
  }
  if (paths.size() > kMaxMergeStores) {
    return absl::InvalidArgumentError(absl::StrCat("stores: at most ", kMaxMergeStores,
                                                   " stores per call, got ", paths.size()));
  }
  for (const std::string& p : paths) {
    if (p.size() > kMaxPathBytes || p.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError("stores: a path is longer than 4096 bytes or holds NUL");
    }
  }
  return paths;
}

absl::StatusOr<std::vector<MergedEntry>> MergeStores(const std::vector<std::string>& paths,
                                                     int64_t max_rows) {
  RETURN_IF_ERROR(CheckDistinct(paths));
  std::vector<MergedEntry> all;
  absl::flat_hash_map<MergeKey, size_t> index;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(StoreRows rows, ReadStoreFile(path, max_rows));
    AddStore(std::move(rows), &all, &index);
  }
  std::sort(all.begin(), all.end(), [](const MergedEntry& a, const MergedEntry& b) {
    return a.counters.total_ms > b.counters.total_ms;
  });
  return all;
}

}  // namespace doctor::timing
