// What this process knows about checkpoints, process-wide and bounded: the history behind the
// wal_checkpoints table (checkpoints run by doctor_checkpoint, and checkpoints seen happening
// between two reads of wal_health), and per WAL file the figures wal_health shows: checkpoint
// count, last one, commits since. Pure C++ (no SQLite); one mutex guards everything.
//
// Commits are counted with the wal-index change counter (iChange), which SQLite bumps on every
// commit (a WAL restart does not bump it; a recovery may); the count starts at the last checkpoint
// this process ran or saw, and is unknown (nullopt) before that.
#ifndef DOCTOR_WAL_TRACKER_H_
#define DOCTOR_WAL_TRACKER_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "ext/wal/wal_index.h"

namespace doctor::wal {

struct CheckpointRecord {
  int64_t at_ms = 0;  // Unix time, milliseconds
  std::string file;
  std::string schema;
  std::string mode;   // PASSIVE | FULL | RESTART | TRUNCATE | observed
  std::optional<double> ms;  // how long it took (unknown for observed ones)
  bool busy = false;
  std::optional<int64_t> log_frames;
  std::optional<int64_t> checkpointed_frames;
  std::optional<int64_t> wal_bytes_after;
};

struct FileView {
  int64_t checkpoints = 0;
  std::optional<int64_t> last_at_ms;
  std::optional<double> last_ms;
  std::optional<int64_t> commits_since_checkpoint;
};

class Tracker {
 public:
  // The process-wide tracker.
  static Tracker& Get();

  // A checkpoint this process ran; `after` is the wal-index read right after it (if usable).
  void Record(const CheckpointRecord& record, const std::optional<WalIndex>& after,
              size_t capacity);
  // wal_health read `index` for `file`: notices checkpoints that happened since the last read
  // (nBackfill grew, or the WAL restarted: new salt) and returns the file's figures.
  FileView Observe(const std::string& file, const std::string& schema,
                   const std::optional<WalIndex>& index, int64_t now_ms, size_t capacity);
  std::vector<CheckpointRecord> History() const;
  void Clear();

  static constexpr size_t kMaxFiles = 1024;

 private:
  struct FileState {
    bool seen = false;
    std::array<uint32_t, 2> salt{};
    uint32_t backfill = 0;
    uint32_t mx_frame = 0;
    bool have_base = false;
    uint32_t base_change = 0;
    std::array<uint32_t, 2> base_salt{};
    FileView view;
    int64_t touched_ms = 0;
  };
  FileState& StateFor(const std::string& file, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Push(const CheckpointRecord& record, size_t capacity) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void Remember(FileState& s, const WalIndex& index);
  static void SetBase(FileState& s, const WalIndex& index);
  static FileView ViewOf(const FileState& s, const std::optional<WalIndex>& index);

  mutable absl::Mutex mu_;
  std::deque<CheckpointRecord> history_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_TRACKER_H_
