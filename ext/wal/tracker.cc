#include "ext/wal/tracker.h"

namespace doctor::wal {

Tracker& Tracker::Get() {
  static Tracker* tracker = new Tracker;  // never destroyed: connections may close at exit
  return *tracker;
}

Tracker::FileState& Tracker::StateFor(const std::string& file, int64_t now_ms) {
  auto it = files_.find(file);
  if (it == files_.end()) {
    if (files_.size() >= kMaxFiles) {  // bounded: forget the least recently used file
      auto victim = files_.begin();
      for (auto i = files_.begin(); i != files_.end(); ++i) {
        if (i->second.touched_ms < victim->second.touched_ms) victim = i;
      }
      files_.erase(victim);
    }
    it = files_.emplace(file, FileState{}).first;
  }
  it->second.touched_ms = now_ms;
  return it->second;
}

void Tracker::Push(const CheckpointRecord& record, size_t capacity) {
  if (capacity == 0) capacity = 1;
  history_.push_back(record);
  while (history_.size() > capacity) history_.pop_front();
}

void Tracker::Remember(FileState& s, const WalIndex& index) {
  s.seen = true;
  s.salt = index.header.salt;
  s.backfill = index.backfill;
  s.mx_frame = index.header.mx_frame;
}

void Tracker::SetBase(FileState& s, const WalIndex& index) {
  s.have_base = true;
  s.base_change = index.header.change;
  s.base_salt = index.header.salt;
}

FileView Tracker::ViewOf(const FileState& s, const std::optional<WalIndex>& index) {
  FileView v = s.view;
  if (s.have_base && index) {
    v.commits_since_checkpoint = static_cast<uint32_t>(index->header.change - s.base_change);
  }
  return v;
}

void Tracker::Record(const CheckpointRecord& record, const std::optional<WalIndex>& after,
                     size_t capacity) {
  absl::MutexLock lock(&mu_);
  Push(record, capacity);
  FileState& s = StateFor(record.file, record.at_ms);
  s.view.checkpoints++;
  s.view.last_at_ms = record.at_ms;
  s.view.last_ms = record.ms;
  if (after) {
    const bool complete = record.log_frames && record.checkpointed_frames &&
                          *record.log_frames == *record.checkpointed_frames;
    if (complete || after->backfill == after->header.mx_frame) SetBase(s, *after);
    Remember(s, *after);
  }
}

FileView Tracker::Observe(const std::string& file, const std::string& schema,
                          const std::optional<WalIndex>& index, int64_t now_ms, size_t capacity) {
  absl::MutexLock lock(&mu_);
  FileState& s = StateFor(file, now_ms);
  if (!index) return ViewOf(s, index);
  const WalIndex& ix = *index;
  const bool full = ix.backfill == ix.header.mx_frame;
  if (s.seen) {
    // A restart after a complete checkpoint already counted is not a new checkpoint.
    const bool was_full = s.backfill == s.mx_frame;
    const bool salt_changed = ix.header.salt != s.salt;
    const bool restarted = salt_changed && !was_full;
    const bool progressed = salt_changed ? (was_full && ix.backfill > 0) : ix.backfill > s.backfill;
    if (restarted || progressed) {
      CheckpointRecord r;
      r.at_ms = now_ms;
      r.file = file;
      r.schema = schema;
      r.mode = "observed";
      if (progressed) {
        r.log_frames = ix.header.mx_frame;
        r.checkpointed_frames = ix.backfill;
      }
      Push(r, capacity);
      s.view.checkpoints++;
      s.view.last_at_ms = now_ms;
      s.view.last_ms.reset();
      SetBase(s, ix);  // the checkpoint happened at or before now: a lower bound
    }
  }
  if (full) SetBase(s, ix);  // everything is in the database: no commit since
  Remember(s, ix);
  return ViewOf(s, index);
}

std::vector<CheckpointRecord> Tracker::History() const {
  absl::MutexLock lock(&mu_);
  return {history_.begin(), history_.end()};
}

void Tracker::Clear() {
  absl::MutexLock lock(&mu_);
  history_.clear();
  files_.clear();
}

}  // namespace doctor::wal
