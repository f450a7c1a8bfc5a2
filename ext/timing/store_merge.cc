#include "ext/timing/store_merge.h"

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/json_text.h"
#include "ext/core/platform.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/sidecar_file.h"
#include "ext/timing/store_plans.h"
#include "ext/timing/store_slow.h"
#include "ext/timing/store_values.h"
#include "nlohmann/json.hpp"

namespace doctor::timing {
namespace {

constexpr size_t kMaxPathBytes = 4096;

// The shapes of one store, every value checked, plus its captured plans (format 3); or its hourly
// buckets; or its slow ring.
struct StoreRows {
  std::vector<EntrySnapshot> entries;
  std::vector<StorePlan> plans;
  std::vector<BucketRow> buckets;
  std::vector<SlowQuery> slow;
  int64_t minmax_reset_at_ms = 0;  // with entries: its last query_stats_reset('minmax') (0: none)
  int64_t store_id = 0;            // 0: a store of an earlier release, without one
};
enum class MergePart { kEntries, kBuckets, kSlow };

// Refuses a table of more than stats_max x `per_shape` rows (a merge reads every row of what it
// merges, exactly or not at all).
absl::Status CheckRowCount(SidecarDb& side, const char* table, int64_t stats_max,
                           int64_t per_shape, const char* what) {
  ASSIGN_OR_RETURN(Rows count, Query(side.db(), absl::StrCat("SELECT count(*) FROM ", table)));
  const int64_t n = count.front()[0].AsInt();
  if (n <= stats_max * per_shape) return absl::OkStatus();
  const std::string bound =
      per_shape == 1 ? absl::StrCat("stats_max (", stats_max, ")")
                     : absl::StrCat(per_shape, " x stats_max (", stats_max * per_shape, ")");
  return absl::FailedPreconditionError(absl::StrCat(
      "holds ", n, " ", what, ", more than ", bound, ": raise it with doctor_set('stats_max', ",
      (n + per_shape - 1) / per_shape, ") to merge this store exactly"));
}

absl::Status ReadEntries(SidecarDb& side, int64_t max_rows, StoreRows* out) {
  RETURN_IF_ERROR(CheckRowCount(side, "doctor_query_stats", max_rows, 1, "query shapes"));
  ASSIGN_OR_RETURN(Rows rows, Query(side.db(),
                                    absl::StrCat("SELECT ", kStoreEntryColumns,
                                                 " FROM doctor_query_stats LIMIT ?"),
                                    {Value(max_rows)}));
  ASSIGN_OR_RETURN(out->minmax_reset_at_ms, side.Key("minmax_reset_at_ms"));
  out->entries.reserve(rows.size());
  for (const Row& r : rows) {
    ASSIGN_OR_RETURN(EntrySnapshot e, ReadStoreEntry(r));
    e.minmax_reset_ms = out->minmax_reset_at_ms;
    out->entries.push_back(std::move(e));
  }
  ASSIGN_OR_RETURN(out->plans, ReadStorePlans(side, max_rows));
  return absl::OkStatus();
}

absl::StatusOr<StoreRows> ReadStoreFile(const std::string& path, int64_t max_rows,
                                        MergePart part = MergePart::kEntries) {
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
    ASSIGN_OR_RETURN(out.store_id, side->Key("store_id"));
    switch (part) {
      case MergePart::kEntries:
        RETURN_IF_ERROR(ReadEntries(*side, max_rows, &out));
        break;
      case MergePart::kBuckets: {
        RETURN_IF_ERROR(CheckRowCount(*side, "doctor_query_buckets", max_rows, kBucketHours,
                                      "hourly buckets"));
        ASSIGN_OR_RETURN(out.buckets, ReadBuckets(*side, max_rows * kBucketHours));
        break;
      }
      case MergePart::kSlow: {  // max_rows: slow_max
        ASSIGN_OR_RETURN(out.slow, ReadSlow(*side, max_rows, /*skip_process=*/0));
        break;
      }
    }
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
            absl::StrCat("store ", paths[i], ": named twice (its figures would count twice)"));
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
          absl::StrCat("store ", paths[ids[i].second], ": is the same file as ",
                       paths[ids[i - 1].second], " (its figures would count twice)"));
    }
  }
  return absl::OkStatus();
}

// Copies of one store (the same 'store_id': taken at different times, or on machines cloned with
// it) hold the same runs up to the earlier copy: merging two would count those twice. Stores of
// earlier releases have no id and cannot be told apart this way.
class StoreIds {
 public:
  absl::Status Add(const std::string& path, int64_t id) {
    if (id == 0) return absl::OkStatus();
    auto [it, fresh] = paths_.try_emplace(id, path);
    if (fresh) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "store ", path, ": is a copy of the same store as ", it->second, " (store_id ", id,
        "; copied at another time, or on a machine cloned with it): their runs would count twice;"
        " merge one copy (query_stats_reset() on a cloned machine gives its store a new id)"));
  }

 private:
  absl::flat_hash_map<int64_t, std::string> paths_;
};

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
      m.stats_since_ms = e.StatsSinceMs();
      m.minmax_since_ms = e.MinMaxSinceMs();
      all->push_back(std::move(m));
    }
    MergedEntry& into = (*all)[it->second];
    into.counters.Merge(e.counters);
    // The earliest of each: no run from before it is in the merged figures (see MergedEntry).
    into.stats_since_ms = std::min(into.stats_since_ms, e.StatsSinceMs());
    into.minmax_since_ms = std::min(into.minmax_since_ms, e.MinMaxSinceMs());
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
            absl::StrCat("stores: every element must be a non-empty path text, got ",
                         JsonForMessage(p)));
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
  StoreIds ids;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(StoreRows rows, ReadStoreFile(path, max_rows));
    RETURN_IF_ERROR(ids.Add(path, rows.store_id));
    AddStore(std::move(rows), &all, &index);
  }
  std::sort(all.begin(), all.end(), [](const MergedEntry& a, const MergedEntry& b) {
    return a.counters.total_ms > b.counters.total_ms;
  });
  return all;
}

absl::StatusOr<std::vector<MergedBucket>> MergeStoreBuckets(const std::vector<std::string>& paths,
                                                            int64_t max_rows) {
  RETURN_IF_ERROR(CheckDistinct(paths));
  using BucketKey = std::tuple<int64_t, std::string, int64_t>;  // query id, file name, hour
  std::vector<MergedBucket> all;
  absl::flat_hash_map<BucketKey, size_t> index;
  StoreIds ids;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(StoreRows rows, ReadStoreFile(path, max_rows, MergePart::kBuckets));
    RETURN_IF_ERROR(ids.Add(path, rows.store_id));
    absl::flat_hash_map<BucketKey, bool> seen;  // a store counts once per key as a source
    for (BucketRow& b : rows.buckets) {
      b.db = DbFileName(b.db);
      BucketKey key(b.query_id, b.db, b.hour);
      auto [it, fresh] = index.try_emplace(key, all.size());
      if (fresh) {
        if (static_cast<int64_t>(all.size()) >= max_rows * kBucketHours) {
          return absl::FailedPreconditionError(absl::StrCat(
              "the stores hold more than ", kBucketHours, " x stats_max (",
              max_rows * kBucketHours, ") hourly buckets in all: raise stats_max with doctor_set"
              " to merge them exactly"));
        }
        all.push_back({std::move(b), 0});
      } else {
        all[it->second].row.counters.Merge(b.counters);
      }
      if (seen.try_emplace(key, true).second) ++all[it->second].sources;
    }
  }
  std::sort(all.begin(), all.end(), [](const MergedBucket& a, const MergedBucket& b) {
    return std::tie(b.row.hour, a.row.query_id, a.row.db) <
           std::tie(a.row.hour, b.row.query_id, b.row.db);
  });
  return all;
}

absl::StatusOr<std::vector<MergedSlow>> MergeStoreSlow(const std::vector<std::string>& paths,
                                                       int64_t slow_max) {
  RETURN_IF_ERROR(CheckDistinct(paths));
  std::vector<MergedSlow> all;
  StoreIds ids;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(StoreRows rows, ReadStoreFile(path, slow_max, MergePart::kSlow));
    RETURN_IF_ERROR(ids.Add(path, rows.store_id));
    for (SlowQuery& q : rows.slow) {
      q.db = DbFileName(q.db);
      all.push_back({std::move(q), path});
    }
    // Bounded while reading: the newest slow_max so far.
    std::stable_sort(all.begin(), all.end(), [](const MergedSlow& a, const MergedSlow& b) {
      return a.slow.at_ms > b.slow.at_ms;
    });
    if (static_cast<int64_t>(all.size()) > slow_max) all.resize(slow_max);
  }
  return all;
}

}  // namespace doctor::timing
