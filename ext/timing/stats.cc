#include "ext/timing/stats.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "ext/core/text.h"
#include "ext/core/time.h"

namespace doctor::timing {
namespace {

constexpr uint32_t kMaxDbs = 4096;

std::string Cut(absl::string_view text) {
  if (text.size() <= Stats::kMaxText) return std::string(text);
  return std::string(Utf8Prefix(text, Stats::kMaxText)) + "…";
}

}  // namespace

namespace {
// Counts from files are bounded when read, but a sum over many processes must still never
// overflow (signed overflow is undefined): it saturates.
int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}
}  // namespace

// min_ms and max_ms bound the percentiles only where they are the histogram's own extremes (in its
// lowest, resp. highest, non-empty bucket, as every run's are): after a min/max-only reset they
// are those of the runs since it, while the histogram keeps every run since stats_since, and a
// clamp to them moved a percentile of the older runs by more than a bucket (p50 of 1,000 runs of
// 100 ms read 1 ms after one run of 1 ms). Without the clamp the estimate stays within its bucket.
double Counters::PercentileMs(double p) const {
  double lo = 0.0, hi = std::numeric_limits<double>::max();
  if (has_minmax()) {
    int first = -1, last = -1;
    for (int i = 0; i < kBuckets; ++i) {
      if (buckets[i] == 0) continue;
      if (first < 0) first = i;
      last = i;
    }
    if (BucketOfUs(min_ms * 1000.0) == first) lo = min_ms;
    if (BucketOfUs(max_ms * 1000.0) == last) hi = max_ms;
  }
  return Percentile(buckets, calls, p, lo, hi);
}

void Counters::ApplyBusyRefined() {
  for (int i = 0; i < kErrorCodes; ++i) {
    if (i == kBusy) continue;
    const int64_t moved = std::min(busy_refined[i], errors_by[kBusy]);
    if (moved <= 0) continue;
    errors_by[kBusy] -= moved;
    errors_by[i] = SaturatingAdd(errors_by[i], moved);
    busy_refined[i] -= moved;
  }
}

void Counters::Merge(const Counters& o) {
  const bool correction = IsCorrection();  // else no run at all (calls == 0) or runs
  if (o.calls == 0) {
    if (!o.IsCorrection()) return;
    if (calls == 0 && !correction) {
      first_seen_ms = o.first_seen_ms;
      last_seen_ms = o.last_seen_ms;
    } else if (calls == 0) {  // two corrections
      first_seen_ms = std::min(first_seen_ms, o.first_seen_ms);
      last_seen_ms = std::max(last_seen_ms, o.last_seen_ms);
    }
    rows = SaturatingAdd(rows, o.rows);
  } else {
    AddRuns(o, correction);
  }
  // Moves of BUSY runs to their codes wait in busy_refined until merged with figures that have
  // runs under BUSY: a correction sent after its run went to the store waits in the process's
  // entry, with the runs folded after it, for the flush that merges it with the store's row.
  for (int i = 0; i < kErrorCodes; ++i) {
    busy_refined[i] = SaturatingAdd(busy_refined[i], o.busy_refined[i]);
  }
  ApplyBusyRefined();
}

void Counters::AddRuns(const Counters& o, bool correction) {
  if (calls == 0) {
    min_ms = o.min_ms;
    max_ms = o.max_ms;
    // A correction's time is the end of a run counted before o's runs.
    first_seen_ms = correction ? std::min(first_seen_ms, o.first_seen_ms) : o.first_seen_ms;
    last_seen_ms = correction ? std::max(last_seen_ms, o.last_seen_ms) : o.last_seen_ms;
  } else {
    min_ms = std::min(min_ms, o.min_ms);
    max_ms = std::max(max_ms, o.max_ms);
    first_seen_ms = std::min(first_seen_ms, o.first_seen_ms);
    last_seen_ms = std::max(last_seen_ms, o.last_seen_ms);
  }
  calls = SaturatingAdd(calls, o.calls);
  total_ms += o.total_ms;
  sumsq_ms += o.sumsq_ms;
  lock_wait_ms += o.lock_wait_ms;
  rows = SaturatingAdd(rows, o.rows);
  vm_steps = SaturatingAdd(vm_steps, o.vm_steps);
  fullscan_steps = SaturatingAdd(fullscan_steps, o.fullscan_steps);
  sorts = SaturatingAdd(sorts, o.sorts);
  autoindexes = SaturatingAdd(autoindexes, o.autoindexes);
  errors = SaturatingAdd(errors, o.errors);
  for (int i = 0; i < kErrorCodes; ++i) {
    errors_by[i] = SaturatingAdd(errors_by[i], o.errors_by[i]);
  }
  for (int i = 0; i < kBuckets; ++i) {
    buckets[i] = buckets[i] + o.buckets[i] < buckets[i] ? UINT64_MAX : buckets[i] + o.buckets[i];
  }
}

const char* ErrorCodeName(int code) {
  static constexpr const char* kNames[kErrorCodes] = {"BUSY", "BUSY_RECOVERY", "BUSY_SNAPSHOT",
                                                      "BUSY_TIMEOUT"};
  return code >= 0 && code < kErrorCodes ? kNames[code] : "BUSY";
}

ErrorCode ErrorCodeOf(int extended_result_code) {
  switch (extended_result_code) {
    case 5 | (1 << 8): return kBusyRecovery;  // SQLITE_BUSY_RECOVERY
    case 5 | (2 << 8): return kBusySnapshot;  // SQLITE_BUSY_SNAPSHOT
    case 5 | (3 << 8): return kBusyTimeout;   // SQLITE_BUSY_TIMEOUT
    default: return kBusy;
  }
}

std::string Counters::ErrorsJson() const {
  std::string json = "{";
  for (int i = 0; i < kErrorCodes; ++i) {
    if (errors_by[i] == 0) continue;
    if (json.size() > 1) json += ", ";
    json += absl::StrCat("\"", ErrorCodeName(i), "\": ", errors_by[i]);
  }
  return json + "}";
}

double Counters::stddev_ms() const {
  if (calls == 0) return 0.0;
  const double mean = total_ms / calls;
  return std::sqrt(std::max(0.0, sumsq_ms / calls - mean * mean));
}

Stats& Stats::Global() {
  static Stats* stats = new Stats;  // never destroyed: connections may close during exit
  return *stats;
}

Stats::Stats() { since_ms_ = UnixMs(); }

uint32_t Stats::DbIndex(absl::string_view db) {
  absl::MutexLock lock(&mu_);
  auto it = db_index_.find(db);
  if (it != db_index_.end()) return it->second;
  if (dbs_.size() >= kMaxDbs - 1) {
    if (dbs_.size() == kMaxDbs - 1) dbs_.push_back("(other)");
    return kMaxDbs - 1;
  }
  uint32_t index = static_cast<uint32_t>(dbs_.size());
  dbs_.emplace_back(db);
  db_index_.emplace(std::string(db), index);
  return index;
}

std::string Stats::DbNameLocked(uint32_t index) const {
  return index < dbs_.size() ? dbs_[index] : std::string("(unknown)");
}

int64_t Stats::EntryBytes(size_t query_bytes, size_t example_bytes) {
  // The hash map slot (a control byte and a pointer) and its node (key + entry), plus the two texts' heap buffers (the
  // short-string buffer is inside the entry; longer texts allocate their size + 1).
  auto heap = [](size_t n) -> int64_t { return n > 15 ? static_cast<int64_t>(n + 1) : 0; };
  return static_cast<int64_t>(sizeof(Key) + sizeof(Entry) + sizeof(void*) + 1) + heap(query_bytes) +
         heap(example_bytes);
}

void Stats::EvictLocked(int64_t max_entries) {
  if (max_entries < 1) max_entries = 1;
  if (static_cast<int64_t>(entries_.size()) < max_entries) return;
  // Make room for one more, and a little slack (5%) so eviction is not paid on every new query.
  int64_t target = max_entries - 1 - max_entries / 20;
  if (target < 0) target = 0;
  const int64_t excess = static_cast<int64_t>(entries_.size()) - target;
  if (excess <= 0) return;
  struct Victim {
    int64_t usage;
    int64_t last_seen;
    Key key;
  };
  std::vector<Victim> all;
  all.reserve(entries_.size());
  for (const auto& [key, e] : entries_) all.push_back({e.usage, e.counters.last_seen_ms, key});
  auto less_used = [](const Victim& a, const Victim& b) {
    return a.usage != b.usage ? a.usage < b.usage : a.last_seen < b.last_seen;
  };
  std::nth_element(all.begin(), all.begin() + (excess - 1), all.end(), less_used);
  for (int64_t i = 0; i < excess; ++i) {
    auto it = entries_.find(all[i].key);
    text_bytes_ -= EntryBytes(it->second.query.size(), it->second.example.size());
    // An entry that never held a run (SwitchPlan made it for a plan captured while the run was
    // still pending in its connection) is no query's figures: its run, folded later, makes the
    // entry again. Counting it made 10^6 distinct statements 1,287,379 evictions.
    if (it->second.counters.calls > 0) ++evictions_;
    entries_.erase(it);
    ++generation_;
  }
}

void Stats::Record(const Key& key, absl::string_view query, absl::string_view example,
                   const Sample& s, int64_t max_entries, Hint* hint) {
  Counters one;
  one.Add(s);
  Merge(key, query, example, one, max_entries, hint);
}

void Stats::Merge(const Key& key, absl::string_view query, absl::string_view example,
                  const Counters& counters, int64_t max_entries, Hint* hint) {
  if (!counters.HasFigures()) return;
  absl::MutexLock lock(&mu_);
  // A correction of a run from before a reset (this process's, or the store's seen by DropBefore)
  // went with its run, even where later runs made the entry again.
  if (counters.calls == 0 && counters.first_seen_ms < DroppedBeforeLocked(key.db)) return;
  Entry* found = nullptr;
  if (hint != nullptr && hint->entry != nullptr && hint->generation == generation_) {
    found = static_cast<Entry*>(const_cast<void*>(hint->entry));
  } else {
    auto it = entries_.find(key);
    // A correction of a run whose entry went (a reset, an eviction) went with it.
    if (it == entries_.end() && counters.calls == 0) return;
    if (it == entries_.end()) {
      EvictLocked(max_entries);
      Entry e;
      e.query = Cut(query);
      e.example = Cut(example);
      text_bytes_ += EntryBytes(e.query.size(), e.example.size());
      it = entries_.emplace(key, std::move(e)).first;
    }
    found = &it->second;
    if (hint != nullptr) *hint = Hint{found, generation_};
  }
  found->counters.Merge(counters);
  found->usage = SaturatingAdd(found->usage, counters.calls);
  found->plan.Add(PlanFigures{0, counters.calls, counters.total_ms, counters.vm_steps});
}

PlanFigures Stats::SwitchPlan(const Key& key, absl::string_view query, absl::string_view example,
                              int64_t plan_id, int64_t max_entries) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    EvictLocked(max_entries);
    Entry e;
    e.query = Cut(query);
    e.example = Cut(example);
    text_bytes_ += EntryBytes(e.query.size(), e.example.size());
    it = entries_.emplace(key, std::move(e)).first;
  }
  PlanFigures previous = it->second.plan;
  it->second.plan = PlanFigures{plan_id};
  return previous;
}

void Stats::RecordSlow(SlowQuery slow, int64_t max_slow) {
  slow.sql = Cut(slow.sql);
  slow.params = Cut(slow.params);
  absl::MutexLock lock(&mu_);
  if (max_slow <= 0) return;
  slow.seq = ++slow_seq_;
  slow_.push_back(std::move(slow));
  while (static_cast<int64_t>(slow_.size()) > max_slow) slow_.pop_front();
}

std::vector<EntrySnapshot> Stats::Snapshot() const {
  absl::MutexLock lock(&mu_);
  std::vector<EntrySnapshot> out;
  out.reserve(entries_.size());
  for (const auto& [key, e] : entries_) {
    out.push_back({key.query_id, DbNameLocked(key.db), e.query, e.example, e.counters, e.plan,
                   0, minmax_reset_ms_});
  }
  return out;
}

std::vector<std::string> Stats::DbNames() const {
  absl::MutexLock lock(&mu_);
  return dbs_;
}

std::vector<SlowQuery> Stats::SlowSnapshot() const {
  absl::MutexLock lock(&mu_);
  return std::vector<SlowQuery>(slow_.begin(), slow_.end());
}

std::vector<SlowQuery> Stats::SlowSince(absl::string_view db, uint64_t after_seq) const {
  absl::MutexLock lock(&mu_);
  std::vector<SlowQuery> out;
  for (const SlowQuery& s : slow_) {
    if (s.seq > after_seq && s.db == db) out.push_back(s);
  }
  return out;
}

std::vector<std::string> Stats::DbsWithNews(
    const absl::flat_hash_map<std::string, uint64_t>& slow_written) const {
  absl::MutexLock lock(&mu_);
  std::vector<bool> news(dbs_.size(), false);
  for (const auto& [key, e] : entries_) {
    if (e.counters.HasFigures() && key.db < news.size()) {
      news[key.db] = true;
    }
  }
  for (const SlowQuery& s : slow_) {
    auto idx = db_index_.find(s.db);
    if (idx == db_index_.end() || news[idx->second]) continue;
    auto written = slow_written.find(s.db);
    if (written == slow_written.end() || s.seq > written->second) news[idx->second] = true;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < news.size(); ++i) {
    if (news[i]) out.push_back(dbs_[i]);
  }
  return out;
}

int64_t Stats::DroppedBeforeLocked(uint32_t db) const {
  auto it = dropped_before_.find(db);
  return std::max(reset_ms_, it == dropped_before_.end() ? 0 : it->second);
}

void Stats::DropBefore(absl::string_view db, int64_t unix_ms) {
  absl::MutexLock lock(&mu_);
  auto idx = db_index_.find(db);
  if (idx != db_index_.end()) {
    int64_t& dropped = dropped_before_[idx->second];
    dropped = std::max(dropped, unix_ms);
    for (auto& [key, e] : entries_) {
      if (key.db == idx->second && e.counters.HasFigures() &&
          e.counters.first_seen_ms < unix_ms) {
        e.counters = Counters();
      }
    }
  }
  slow_.erase(std::remove_if(slow_.begin(), slow_.end(),
                             [&](const SlowQuery& s) { return s.db == db && s.at_ms < unix_ms; }),
              slow_.end());
}

void Stats::ForgetMinMaxBefore(absl::string_view db, int64_t unix_ms) {
  absl::MutexLock lock(&mu_);
  auto idx = db_index_.find(db);
  if (!db.empty() && idx == db_index_.end()) return;
  for (auto& [key, e] : entries_) {
    if ((db.empty() || key.db == idx->second) && e.counters.calls > 0 &&
        e.counters.first_seen_ms <= unix_ms) {
      e.counters.ForgetMinMax();
    }
  }
  if (db.empty()) minmax_reset_ms_ = unix_ms;
}

void Stats::DropInheritedByFork(bool (*shared)(const std::string& db)) {
  absl::MutexLock lock(&mu_);
  for (auto& [key, e] : entries_) {
    if (e.counters.HasFigures() && shared(DbNameLocked(key.db))) {
      e.counters = Counters();
    }
  }
  slow_.erase(std::remove_if(slow_.begin(), slow_.end(),
                             [&](const SlowQuery& s) { return shared(s.db); }),
              slow_.end());
}

StatsInfo Stats::Info() const {
  absl::MutexLock lock(&mu_);
  int64_t slow_bytes = 0;
  for (const SlowQuery& s : slow_) {
    slow_bytes += sizeof(SlowQuery) + s.sql.capacity() + s.params.capacity() + s.db.capacity();
  }
  return {static_cast<int64_t>(entries_.size()), evictions_,
          text_bytes_ + slow_bytes + static_cast<int64_t>(sizeof(Stats)), since_ms_,
          static_cast<int64_t>(slow_.size())};
}

void Stats::Reset(int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  entries_.clear();
  ++generation_;
  slow_.clear();
  evictions_ = 0;
  text_bytes_ = 0;
  since_ms_ = now_ms;
  reset_ms_ = now_ms;
  minmax_reset_ms_ = 0;
}

std::vector<EntrySnapshot> Stats::TakeForFlush(absl::string_view db) {
  absl::MutexLock lock(&mu_);
  std::vector<EntrySnapshot> out;
  auto idx = db_index_.find(db);
  if (idx == db_index_.end()) return out;
  for (auto& [key, e] : entries_) {
    if (key.db != idx->second || !e.counters.HasFigures()) continue;
    // With the runs under the current plan (kept, not zeroed): the live figures of the plan
    // changes the flush shares (store_plan_changes.h).
    out.push_back({key.query_id, std::string(db), e.query, e.example, e.counters, e.plan});
    e.counters = Counters();
  }
  return out;
}

void Stats::Restore(const std::vector<EntrySnapshot>& taken) {
  absl::MutexLock lock(&mu_);
  for (const EntrySnapshot& t : taken) {
    auto idx = db_index_.find(t.db);
    if (idx == db_index_.end()) continue;
    auto it = entries_.find(Key{t.query_id, idx->second});
    if (it == entries_.end() && t.counters.calls == 0) continue;  // a correction
    if (it == entries_.end()) {
      Entry e;
      e.query = t.query;
      e.example = t.example;
      e.usage = t.counters.calls;
      text_bytes_ += EntryBytes(e.query.size(), e.example.size());
      it = entries_.emplace(Key{t.query_id, idx->second}, std::move(e)).first;
    }
    it->second.counters.Merge(t.counters);
  }
}

}  // namespace doctor::timing
