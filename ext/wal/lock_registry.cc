#include "ext/wal/lock_registry.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace doctor::wal {

LockRegistry& LockRegistry::Get() {
  static LockRegistry* registry = new LockRegistry;  // never destroyed
  return *registry;
}

int64_t LockRegistry::Register(const std::string& main_file, int64_t id) {
  absl::MutexLock lock(&mu_);
  if (id <= 0) id = next_id_;
  next_id_ = std::max(next_id_, id + 1);
  Conn& c = conns_[id];
  c.main_file = main_file;
  if (!main_file.empty()) c.files.push_back(main_file);
  return id;
}

void LockRegistry::Unregister(int64_t id) {
  absl::MutexLock lock(&mu_);
  conns_.erase(id);
}

void LockRegistry::SetFiles(int64_t id, std::vector<std::string> files) {
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  files.erase(std::remove(files.begin(), files.end(), std::string()), files.end());
  absl::MutexLock lock(&mu_);
  auto it = conns_.find(id);
  if (it != conns_.end()) it->second.files = std::move(files);
}

void LockRegistry::SetHandler(int64_t id, bool counting, std::optional<int64_t> timeout_ms) {
  absl::MutexLock lock(&mu_);
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  it->second.counting = counting;
  it->second.timeout_ms = timeout_ms;
}

LockRegistry::Totals& LockRegistry::TotalsFor(const std::string& file) {
  auto it = files_.find(file);
  if (it == files_.end()) {
    if (files_.size() >= max_files_) {
      // Bounded: forget a file, preferably one no open connection has, least recently touched.
      absl::flat_hash_set<std::string> open;
      for (const auto& [id, c] : conns_) open.insert(c.files.begin(), c.files.end());
      auto victim = files_.end();
      for (auto i = files_.begin(); i != files_.end(); ++i) {
        if (victim == files_.end()) {
          victim = i;
          continue;
        }
        const bool i_open = open.contains(i->first);
        const bool v_open = open.contains(victim->first);
        if (i_open != v_open ? !i_open : i->second.touched < victim->second.touched) victim = i;
      }
      forgotten_.Merge(victim->second.counters);
      evicted_files_++;
      files_.erase(victim);
    }
    it = files_.emplace(file, Totals{}).first;
  }
  it->second.touched = ++clock_;
  return it->second;
}

void LockRegistry::OnBusyCall(int64_t id, const std::string& file, int count, double slept_ms,
                              bool gave_up) {
  absl::MutexLock lock(&mu_);
  double wait_so_far = slept_ms;
  auto it = conns_.find(id);
  if (it != conns_.end()) {
    Conn& c = it->second;
    if (count == 0) c.wait_so_far_ms = 0;
    c.wait_so_far_ms += slept_ms;
    wait_so_far = c.wait_so_far_ms;
    c.counters.OnCall(count, slept_ms, gave_up, wait_so_far);
  }
  if (!file.empty()) TotalsFor(file).counters.OnCall(count, slept_ms, gave_up, wait_so_far);
}

std::vector<LockRegistry::FileRow> LockRegistry::Files() const {
  absl::MutexLock lock(&mu_);
  absl::flat_hash_map<std::string, FileRow> rows;
  for (const auto& [file, totals] : files_) {
    FileRow& row = rows[file];
    row.file = file;
    row.counters = totals.counters;
  }
  for (const auto& [id, c] : conns_) {
    for (const std::string& file : c.files) {
      FileRow& row = rows[file];
      row.file = file;
      row.connections++;
      if (c.counting) {
        row.counting++;
        if (c.timeout_ms && (!row.timeout_ms || *c.timeout_ms > *row.timeout_ms)) {
          row.timeout_ms = c.timeout_ms;
        }
      }
    }
  }
  std::vector<FileRow> out;
  out.reserve(rows.size() + 1);
  for (auto& [file, row] : rows) out.push_back(std::move(row));
  std::sort(out.begin(), out.end(),
            [](const FileRow& a, const FileRow& b) { return *a.file < *b.file; });
  if (evicted_files_ > 0) {
    FileRow forgotten;
    forgotten.counters = forgotten_;
    out.push_back(forgotten);
  }
  return out;
}

std::vector<LockRegistry::ConnectionRow> LockRegistry::Connections() const {
  absl::MutexLock lock(&mu_);
  std::vector<ConnectionRow> out;
  out.reserve(conns_.size());
  for (const auto& [id, c] : conns_) {
    ConnectionRow row;
    row.id = id;
    row.main_file = c.main_file;
    row.files = static_cast<int64_t>(c.files.size());
    row.counting = c.counting;
    row.timeout_ms = c.timeout_ms;
    row.counters = c.counters;
    out.push_back(std::move(row));
  }
  std::sort(out.begin(), out.end(),
            [](const ConnectionRow& a, const ConnectionRow& b) { return a.id < b.id; });
  return out;
}

int64_t LockRegistry::evicted_files() const {
  absl::MutexLock lock(&mu_);
  return evicted_files_;
}

void LockRegistry::Clear() {
  absl::MutexLock lock(&mu_);
  files_.clear();
  forgotten_ = BusyCounters();
  evicted_files_ = 0;
}

}  // namespace doctor::wal
