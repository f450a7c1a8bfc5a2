// Opening the `<db>-doctor` sidecar without trusting it: the file is a plain SQLite database that
// anyone who can write the directory can replace, so before SQLite reads it we check, in order:
//   1. it is not a symbolic link, FIFO, device or directory (lstat, then open(2) with O_NOFOLLOW
//      and O_NONBLOCK and fstat on the descriptor: a FIFO cannot block us, a dangling link creates
//      nothing), and it is at most kMaxSidecarBytes;
//   2. a sidecar we create gets the database file's permission bits, and an existing one wider
//      than the database is narrowed to them (never more readable than the database);
//   3. SQLite opens it with SQLITE_OPEN_NOFOLLOW as well (SQLite >= 3.31), so a link swapped in
//      between the check and the open is refused too;
//   4. its schema is exactly ours: the six tables and the primary-key index of doctor_sidecar,
//      each with our exact CREATE text; no view, no trigger, nothing else (a view or a trigger
//      could loop forever inside our read or write), and format 4 (a format-3 file, without the
//      plan changes table, or a format-2 file, without the plans table either, is read as it is
//      and migrated by the next writer, its figures kept; a format-1 file of an earlier
//      sqlite-doctor reads as empty and is replaced);
//   5. every statement on it runs under a deadline (a progress handler, where the SQLite that
//      loaded us has one) and a caller-chosen busy timeout: 0 from statement-time paths, so a
//      process holding the sidecar's lock never stalls an application statement.
// Every error names the file.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<SidecarDb> side, SidecarDb::Open("/data/app.db", kRead, 200));
//   if (side == nullptr) ...  // no sidecar
//   if (side->has_tables()) Query(side->db(), "SELECT ... FROM doctor_query_stats LIMIT ?", ...);
#ifndef DOCTOR_TIMING_SIDECAR_FILE_H_
#define DOCTOR_TIMING_SIDECAR_FILE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ext/core/sqlite.h"
#include "ext/core/value.h"

namespace doctor::timing {

// "<db>-doctor"
std::string SidecarPath(const std::string& db);

// Largest sidecar file we open (a sidecar of stats_max = 10^6 short entries is ~1 GB; the
// default 5000 entries take a few MB).
constexpr int64_t kMaxSidecarBytes = int64_t{1} << 30;
// Longest any statement on a sidecar may run before it is interrupted.
constexpr double kSidecarDeadlineMs = 2000;

enum class SidecarMode {
  kRead,    // an absent sidecar is not an error (Open returns nullptr)
  kReadCopy,  // a store named directly (OpenCopy): read-only, never changed
  kWrite,   // created when absent, with the database's permission bits
  kModify,  // written only when it exists (reset): absent gives nullptr
};

class SidecarDb {
 public:
  // Opens the sidecar of database file `db` after the checks above. nullptr: there is none
  // (kRead, kModify). `busy_ms`: how long to wait for another process's lock.
  static absl::StatusOr<std::unique_ptr<SidecarDb>> Open(const std::string& db, SidecarMode mode,
                                                         int busy_ms);
  // Opens a store file named directly (query_stats_merge: stores copied from other machines),
  // after the same checks: read-only, never created or changed. Missing, empty, format-1 or
  // foreign files are errors naming the path.
  static absl::StatusOr<std::unique_ptr<SidecarDb>> OpenCopy(const std::string& path,
                                                             int busy_ms);
  ~SidecarDb();
  SidecarDb(const SidecarDb&) = delete;
  SidecarDb& operator=(const SidecarDb&) = delete;

  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }
  // True when the file holds our tables (false for a new or empty file).
  bool has_tables() const { return has_tables_; }
  // 2, 3 or 4 when has_tables(); format 3 has doctor_query_plans (store_plans.h), format 4
  // doctor_plan_changes too (store_plan_changes.h).
  int64_t format() const { return format_; }
  // Creates our tables in a new sidecar (a no-op when they exist); replaces a format-1 file and
  // adds the plans table to a format-2 one (its figures kept).
  absl::Status CreateTables();
  // A value of doctor_sidecar ('reset_at_ms', 'evictions', ...): 0 when absent; an error naming
  // the file when it is not an integer in [0, 2^53] (kMaxStoreCount).
  absl::StatusOr<int64_t> Key(const char* key) const;
  absl::Status SetKey(const char* key, int64_t value);
  // The store's identity ('store_id'), random in [1, 2^53], so that copies of one store (taken
  // at different times, or on machines cloned with it) are known as such: their figures overlap.
  // EnsureStoreId draws one for a store without (every flush; stores of earlier releases have
  // none), NewStoreId draws a new one (a full reset: the figures from then on are new).
  absl::Status EnsureStoreId();
  absl::Status NewStoreId();
  // One statement with `params` bound 1..n, all rows; the statement stays prepared for the next
  // call with the same text (a flush runs the same few statements for every query shape).
  absl::StatusOr<Rows> Run(const std::string& sql, absl::Span<const Value> params = {});
  // Prefixes a failure with "store <path>: "; a failure because another process held the
  // file's lock longer than the busy timeout becomes kAborted, "locked by another process for
  // more than <busy_ms> ms" (StoreLocked in sidecar.h).
  absl::Status Named(const absl::Status& status) const;

 private:
  SidecarDb(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  static absl::StatusOr<std::unique_ptr<SidecarDb>> OpenPath(const std::string& path,
                                                             SidecarMode mode, mode_t file_mode,
                                                             int busy_ms);
  absl::Status CheckSchema();
  // Opens `path` with `flags` (busy timeout, deadline) and checks its schema. *hot_journal: it
  // failed because the store's rollback journal is hot and `flags` do not allow writing.
  static absl::StatusOr<std::unique_ptr<SidecarDb>> OpenChecked(const std::string& path,
                                                                int flags, int busy_ms,
                                                                bool* hot_journal);

  std::string path_;
  sqlite3* db_ = nullptr;
  bool has_tables_ = false;
  bool legacy_ = false;  // format 1: read as empty, replaced by CreateTables
  int64_t format_ = 0;
  absl::flat_hash_map<std::string, sqlite3_stmt*> prepared_;  // Run's statements
  double deadline_ms_ = 0;
  int busy_ms_ = 0;
};

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_SIDECAR_FILE_H_
