#include "ext/timing/sidecar_file.h"

#include <string.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/platform.h"  // open, lstat, fchmod: O_NOFOLLOW and links on Windows too
#include "ext/core/private_db.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/timing/store_values.h"

namespace doctor::timing {
namespace {

// Our tables exactly as SQLite keeps them in sqlite_master (CREATE TABLE IF NOT EXISTS is stored
// without "IF NOT EXISTS"). Format 4; formats 3 (without doctor_plan_changes) and 2 (without
// doctor_query_plans either) are read as they are (no plan changes) and migrated by a writer;
// format 1 (an earlier sqlite-doctor: doctor_query_stats without stats_since_ms, no buckets, no
// slow ring) is recognized and replaced by a writer.
constexpr const char* kQueryStatsTable =
    "CREATE TABLE doctor_query_stats("
    " query_id INTEGER NOT NULL, db TEXT NOT NULL, query TEXT NOT NULL, example TEXT,"
    " calls INTEGER, total_ms REAL, sumsq_ms REAL, min_ms REAL, max_ms REAL,"
    " rows INTEGER, vm_steps INTEGER, fullscan_steps INTEGER, sorts INTEGER,"
    " autoindexes INTEGER, errors INTEGER, first_seen_ms INTEGER, last_seen_ms INTEGER,"
    " histogram TEXT, stats_since_ms INTEGER, lock_wait_ms REAL,"
    " PRIMARY KEY (query_id, db)) WITHOUT ROWID";
constexpr const char* kQueryStatsTableV1 =
    "CREATE TABLE doctor_query_stats("
    " query_id INTEGER NOT NULL, db TEXT NOT NULL, query TEXT NOT NULL, example TEXT,"
    " calls INTEGER, total_ms REAL, sumsq_ms REAL, min_ms REAL, max_ms REAL,"
    " rows INTEGER, vm_steps INTEGER, fullscan_steps INTEGER, sorts INTEGER,"
    " autoindexes INTEGER, errors INTEGER, first_seen_ms INTEGER, last_seen_ms INTEGER,"
    " histogram TEXT, PRIMARY KEY (query_id, db)) WITHOUT ROWID";
constexpr const char* kBucketsTable =
    "CREATE TABLE doctor_query_buckets("
    " query_id INTEGER NOT NULL, db TEXT NOT NULL, hour INTEGER NOT NULL,"
    " calls INTEGER, total_ms REAL, min_ms REAL, max_ms REAL, histogram TEXT,"
    " PRIMARY KEY (query_id, db, hour)) WITHOUT ROWID";
constexpr const char* kSlowTable =
    "CREATE TABLE doctor_slow_queries("
    " seq INTEGER PRIMARY KEY, process INTEGER, at_ms INTEGER, ms REAL, query_id INTEGER,"
    " sql TEXT, db TEXT, vm_steps INTEGER, fullscan_steps INTEGER)";
constexpr const char* kSidecarTable = "CREATE TABLE doctor_sidecar(key TEXT PRIMARY KEY, value)";
// Format 3: the plan each shape's writer captured (store_plans.h).
constexpr const char* kPlansTable =
    "CREATE TABLE doctor_query_plans("
    " query_id INTEGER NOT NULL, db TEXT NOT NULL, plan_id INTEGER NOT NULL, plan TEXT NOT NULL,"
    " sqlite TEXT, captured_ms INTEGER, PRIMARY KEY (query_id, db)) WITHOUT ROWID";
// Format 4: the plan changes each process recorded (store_plan_changes.h).
constexpr const char* kPlanChangesTable =
    "CREATE TABLE doctor_plan_changes("
    " process INTEGER NOT NULL, query_id INTEGER NOT NULL, db TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL, query TEXT NOT NULL, analyze_between INTEGER,"
    " old_plan_id INTEGER, old_plan TEXT, old_sqlite TEXT, old_last_ms INTEGER,"
    " old_calls INTEGER, old_total_ms REAL, old_vm_steps INTEGER,"
    " new_plan_id INTEGER, new_plan TEXT, new_sqlite TEXT,"
    " new_calls INTEGER, new_total_ms REAL, new_vm_steps INTEGER,"
    " PRIMARY KEY (process, query_id, db, at_ms)) WITHOUT ROWID";
constexpr const char* kSidecarIndex = "sqlite_autoindex_doctor_sidecar_1";
constexpr int64_t kFormat = 4;
constexpr int kObjectsV2 = 5;  // 4 tables and the index of doctor_sidecar
constexpr int kObjectsV3 = 6;  // format 3: and doctor_query_plans
constexpr int kObjects = 7;    // format 4: and doctor_plan_changes
constexpr int kObjectsV1 = 3;  // 2 tables and the index

std::string ErrnoText() { return strerror(errno); }

// False when the SQLite header says WAL mode (read and write versions, bytes 18 and 19, are 2).
bool RollbackJournalFile(int fd, int64_t size) {
  unsigned char header[20];
  if (size < static_cast<int64_t>(sizeof header)) return true;  // new, empty or not SQLite
  if (lseek(fd, 0, SEEK_SET) != 0 || read(fd, header, sizeof header) != sizeof header) return true;
  if (memcmp(header, "SQLite format 3", 15) != 0) return true;  // SQLite says what it is
  return header[18] != 2 && header[19] != 2;
}

// Step 1 and 2 of the header: the path names a regular file (created when `create`, with `mode`),
// no wider than `mode`. Sets *exists.
absl::Status CheckFile(const std::string& path, bool create, mode_t mode, bool* exists) {
  struct stat st;
  *exists = LinkStat(path.c_str(), &st) == 0;
  if (!*exists && errno != ENOENT) return absl::UnavailableError(ErrnoText());
  if (*exists && S_ISLNK(st.st_mode)) {
    return absl::FailedPreconditionError("is a symbolic link (never followed)");
  }
  if (*exists && !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError("is not a regular file");
  }
  if (!*exists && !create) return absl::OkStatus();
  const int flags = O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (create ? O_RDWR | O_CREAT : O_RDONLY);
  const int fd = OpenFile(path.c_str(), flags, mode);
  if (fd < 0) {
    if (errno == ELOOP) return absl::FailedPreconditionError("is a symbolic link (never followed)");
    return absl::UnavailableError(ErrnoText());
  }
  absl::Status status;
  if (fstat(fd, &st) != 0) {
    status = absl::UnavailableError(ErrnoText());
  } else if (!S_ISREG(st.st_mode)) {
    status = absl::FailedPreconditionError("is not a regular file");
  } else if (st.st_size > kMaxSidecarBytes) {
    status = absl::FailedPreconditionError(
        absl::StrCat("is ", st.st_size, " bytes, more than the ", kMaxSidecarBytes, " read"));
  } else if (!RollbackJournalFile(fd, st.st_size)) {
    // A WAL-mode file would make SQLite create -wal and -shm files beside it, even read-only.
    status = absl::FailedPreconditionError("is in WAL mode (a store never is)");
  } else if (create && (st.st_mode & 07777 & ~mode) != 0 &&
             NarrowMode(fd, st.st_mode & 0777 & mode) != 0) {
    status = absl::PermissionDeniedError(
        absl::StrCat("is more readable than its database and cannot be narrowed: ", ErrnoText()));
  }
  close(fd);
  *exists = true;
  return status;
}

// The permission bits of the database file, for its sidecar (rw bits only: never executable).
absl::StatusOr<mode_t> DatabaseMode(const std::string& db) {
  struct stat st;
  if (stat(db.c_str(), &st) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot stat its database: ", ErrnoText()));
  }
  return st.st_mode & 0666;
}

absl::Status NamedPath(const std::string& path, const absl::Status& s) {
  const std::string prefix = absl::StrCat("store ", path, ": ");
  if (absl::StartsWith(s.message(), prefix)) return s;  // named once only
  return absl::Status(s.code(), absl::StrCat(prefix, s.message()));
}

int PastDeadline(void* context) {
  return MonotonicMs() > *static_cast<const double*>(context) ? 1 : 0;
}

}  // namespace

std::string SidecarPath(const std::string& db) { return db + "-doctor"; }

absl::Status SidecarDb::Named(const absl::Status& status) const {
  if (status.ok()) return status;
  if (db_ != nullptr && (sqlite3_errcode(db_) & 0xff) == SQLITE_BUSY) {
    return NamedPath(path_, absl::AbortedError(
                                busy_ms_ > 0 ? absl::StrCat("locked by another process for more "
                                                            "than ", busy_ms_, " ms")
                                             : "locked by another process"));
  }
  const int code = db_ != nullptr ? sqlite3_errcode(db_) & 0xff : SQLITE_OK;
  if (code == SQLITE_CANTOPEN || code == SQLITE_IOERR) {
    // "unable to open database file" or "disk I/O error" alone: the store opened, so it is
    // likely its rollback journal (a directory, a file this process may not write) or the folder.
    const int err = sqlite3_system_errno(db_);
    return NamedPath(
        path_, absl::Status(status.code(),
                            absl::StrCat(status.message(), err != 0 ? " (" : "",
                                         err != 0 ? strerror(err) : "", err != 0 ? ")" : "",
                                         "; its journal ", path_,
                                         "-journal and the folder must be writable")));
  }
  return NamedPath(path_, status);
}

absl::StatusOr<std::unique_ptr<SidecarDb>> SidecarDb::Open(const std::string& db, SidecarMode mode,
                                                           int busy_ms) {
  const std::string path = SidecarPath(db);
  mode_t file_mode = 0600;
  if (mode == SidecarMode::kWrite) {
    absl::StatusOr<mode_t> m = DatabaseMode(db);
    if (!m.ok()) return NamedPath(path, m.status());
    file_mode = *m;
  }
  return OpenPath(path, mode, file_mode, busy_ms);
}

absl::StatusOr<std::unique_ptr<SidecarDb>> SidecarDb::OpenCopy(const std::string& path,
                                                               int busy_ms) {
  ASSIGN_OR_RETURN(std::unique_ptr<SidecarDb> side,
                   OpenPath(path, SidecarMode::kReadCopy, 0600, busy_ms));
  if (side == nullptr) return NamedPath(path, absl::NotFoundError("no such file"));
  if (side->legacy_) {
    return side->Named(absl::FailedPreconditionError(
        absl::StrCat("format 1 (an earlier sqlite-doctor's store), expected ", kFormat)));
  }
  if (!side->has_tables_) {
    return side->Named(absl::FailedPreconditionError(
        "is not a sqlite-doctor store (it holds no doctor_query_stats table)"));
  }
  return side;
}

absl::StatusOr<std::unique_ptr<SidecarDb>> SidecarDb::OpenPath(const std::string& path,
                                                               SidecarMode mode, mode_t file_mode,
                                                               int busy_ms) {
  bool exists = false;
  absl::Status checked = CheckFile(path, mode == SidecarMode::kWrite, file_mode, &exists);
  if (!checked.ok()) return NamedPath(path, checked);
  if (!exists) return std::unique_ptr<SidecarDb>();
  const bool read_only = mode == SidecarMode::kRead || mode == SidecarMode::kReadCopy;
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (SqliteAtLeast(3031000)) flags |= SQLITE_OPEN_NOFOLLOW;
  bool hot_journal = false;
  absl::StatusOr<std::unique_ptr<SidecarDb>> side = OpenChecked(path, flags, busy_ms, &hot_journal);
  // A process killed inside a flush (SIGKILL, an OOM kill: a flush is one transaction) leaves
  // the store with a hot rollback journal, which SQLite rolls back only on a connection that may
  // write: every read-only reader failed with "attempt to write a readonly database" until a
  // process flushed, for good once the application's processes were gone. The reader of a
  // database's own store rolls it back, as that next flush would (the killed flush's counts are
  // lost, as SIGKILL loses them); a store named directly (query_stats_merge) is never changed.
  if (hot_journal && mode == SidecarMode::kRead) {
    flags = (flags & ~SQLITE_OPEN_READONLY) | SQLITE_OPEN_READWRITE;
    side = OpenChecked(path, flags, busy_ms, &hot_journal);
  }
  if (!side.ok() || read_only) return side;
  // Statistics, written every fraction of a second: no fsync. A killed process leaves a sound
  // file (the journal is still written); a machine crash may lose the last flushes.
  RETURN_IF_ERROR((*side)->Named(Exec((*side)->db(), "PRAGMA synchronous = OFF")));
  return side;
}

absl::StatusOr<std::unique_ptr<SidecarDb>> SidecarDb::OpenChecked(const std::string& path,
                                                                  int flags, int busy_ms,
                                                                  bool* hot_journal) {
  *hot_journal = false;
  sqlite3* handle = nullptr;
  int rc;
  {
    OwnConnectionScope own;  // an auto-loaded extension registers nothing on our connection
    rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  }
  std::unique_ptr<SidecarDb> side(new SidecarDb(path, handle));
  if (rc != SQLITE_OK) {
    return NamedPath(path,
                     absl::UnavailableError(handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(handle, busy_ms);
  side->busy_ms_ = busy_ms;
  side->deadline_ms_ = MonotonicMs() + kSidecarDeadlineMs;
  if (sqlite3_api->progress_handler != nullptr) {
    sqlite3_progress_handler(handle, 1000, PastDeadline, &side->deadline_ms_);
  }
  absl::Status schema = side->CheckSchema();
  if (!schema.ok() && sqlite3_extended_errcode(handle) == SQLITE_READONLY_ROLLBACK) {
    *hot_journal = true;
    return NamedPath(path, absl::FailedPreconditionError(absl::StrCat(
                               "has a hot journal ", path, "-journal (a process was killed while "
                               "writing the store) and this read-only reader cannot roll it back; "
                               "the next flush of a process that uses the store, or opening it "
                               "once with sqlite3, does")));
  }
  RETURN_IF_ERROR(side->Named(schema));
  return side;
}

SidecarDb::~SidecarDb() {
  for (auto& [sql, stmt] : prepared_) sqlite3_finalize(stmt);
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

absl::StatusOr<Rows> SidecarDb::Run(const std::string& sql, absl::Span<const Value> params) {
  const auto error = [&](int rc) -> absl::Status {
    if (rc == SQLITE_NOMEM) return absl::ResourceExhaustedError("out of memory");
    return absl::InternalError(
        absl::StrCat(sqlite3_errmsg(db_), " (in: ", sql.substr(0, 80), ")"));
  };
  sqlite3_stmt*& stmt = prepared_[sql];
  if (stmt == nullptr) {
    const int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    if (rc != SQLITE_OK || stmt == nullptr) {
      absl::Status status = error(rc);
      prepared_.erase(sql);
      return status;
    }
  }
  Rows rows;
  int rc = SQLITE_OK;
  for (size_t i = 0; i < params.size() && rc == SQLITE_OK; ++i) {
    rc = BindValue(stmt, static_cast<int>(i) + 1, params[i]);
  }
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) break;
    Row row;
    const int n = sqlite3_column_count(stmt);
    for (int i = 0; i < n; ++i) row.push_back(ColumnValue(stmt, i));
    rows.push_back(std::move(row));
  }
  absl::Status status = rc == SQLITE_DONE ? absl::OkStatus() : error(rc);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (!status.ok()) return status;
  return rows;
}

absl::Status SidecarDb::CheckSchema() {
  ASSIGN_OR_RETURN(Rows rows, Query(db_, "SELECT type, name, tbl_name, sql FROM sqlite_master "
                                         "LIMIT 10"));
  int ours = 0;
  bool v1_table = false, plans_table = false, changes_table = false;
  for (const Row& r : rows) {
    const std::string type = r[0].AsText(), name = r[1].AsText(), sql = r[3].AsText();
    const bool table = type == "table";
    const bool v1 = table && name == "doctor_query_stats" && sql == kQueryStatsTableV1;
    const bool expected =
        v1 || (table && name == "doctor_query_stats" && sql == kQueryStatsTable) ||
        (table && name == "doctor_query_buckets" && sql == kBucketsTable) ||
        (table && name == "doctor_slow_queries" && sql == kSlowTable) ||
        (table && name == "doctor_sidecar" && sql == kSidecarTable) ||
        (table && name == "doctor_query_plans" && sql == kPlansTable) ||
        (table && name == "doctor_plan_changes" && sql == kPlanChangesTable) ||
        (type == "index" && name == kSidecarIndex && r[2].AsText() == "doctor_sidecar" &&
         r[3].is_null());
    if (!expected) {
      return absl::FailedPreconditionError(absl::StrCat(
          "unexpected ", type, " '", name, "' (a store holds only the tables doctor_query_stats, "
          "doctor_query_buckets, doctor_slow_queries, doctor_query_plans, doctor_plan_changes and "
          "doctor_sidecar as sqlite-doctor creates them)"));
    }
    v1_table = v1_table || v1;
    plans_table = plans_table || name == "doctor_query_plans";
    changes_table = changes_table || name == "doctor_plan_changes";
    ++ours;
  }
  if (ours == 0) return absl::OkStatus();  // a new or empty file
  // The format the tables make: 4 with both later tables, 3 with the plans only, else 2.
  const int64_t tables_format = changes_table ? (plans_table ? kFormat : 0) : plans_table ? 3 : 2;
  const int objects = v1_table                   ? kObjectsV1
                      : tables_format == kFormat ? kObjects
                      : tables_format == 3       ? kObjectsV3
                                                 : kObjectsV2;
  if (tables_format == 0 || ours != objects) {
    return absl::FailedPreconditionError("incomplete schema");
  }
  ASSIGN_OR_RETURN(Rows format,
                   Query(db_, "SELECT value FROM doctor_sidecar WHERE key = 'format'"));
  const std::string found = format.size() == 1 ? format[0][0].AsText() : "missing";
  if (v1_table && found == "1") {
    legacy_ = true;  // an earlier sqlite-doctor's file: read as empty, replaced by a writer
    return absl::OkStatus();
  }
  // Formats 2 and 3 are read as they are and migrated by a writer (CreateTables).
  if (v1_table || found != std::to_string(tables_format)) {
    return absl::FailedPreconditionError(
        absl::StrCat("format ", found, ", expected ", kFormat, " (or 3, 2)"));
  }
  format_ = tables_format;
  has_tables_ = true;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SidecarDb::Key(const char* key) const {
  ASSIGN_OR_RETURN(Rows rows, Query(db_, "SELECT value FROM doctor_sidecar WHERE key = ?",
                                    {Value(key)}));
  if (rows.empty()) return 0;
  const int64_t* v = std::get_if<int64_t>(&rows[0][0].storage());
  if (v == nullptr || *v < 0 || *v > kMaxStoreCount) {  // times, counts: exact as doubles
    return absl::OutOfRangeError(absl::StrCat("doctor_sidecar '", key, "' ",
                                              rows[0][0].is_null() ? "NULL" : rows[0][0].AsText(),
                                              " is not a valid value"));
  }
  return *v;
}

absl::Status SidecarDb::SetKey(const char* key, int64_t value) {
  return Query(db_, "INSERT OR REPLACE INTO doctor_sidecar VALUES (?, ?)",
               {Value(key), Value(value)})
      .status();
}

// SQLite's random() is seeded from the operating system's randomness (the VFS's xRandomness).
absl::Status SidecarDb::EnsureStoreId() {
  return Run("INSERT OR IGNORE INTO doctor_sidecar VALUES"
             " ('store_id', 1 + (random() & 9007199254740991))")
      .status();
}

absl::Status SidecarDb::NewStoreId() {
  return Run("INSERT OR REPLACE INTO doctor_sidecar VALUES"
             " ('store_id', 1 + (random() & 9007199254740991))")
      .status();
}

absl::Status SidecarDb::CreateTables() {
  if (has_tables_ && format_ == kFormat) return absl::OkStatus();
  // IF NOT EXISTS: another process may create them first (SQLite stores the text without it).
  const auto if_not_exists = [](absl::string_view create) {
    return absl::StrCat("CREATE TABLE IF NOT EXISTS ", create.substr(strlen("CREATE TABLE ")));
  };
  // A format-1 file (legacy_) is replaced: its figures are dropped with its tables. A format-2
  // or 3 file keeps its figures and gains the tables it lacks.
  RETURN_IF_ERROR(Named(Exec(
      db_, absl::StrCat("BEGIN IMMEDIATE; ",
                        legacy_ ? "DROP TABLE IF EXISTS doctor_query_stats; "
                                  "DROP TABLE IF EXISTS doctor_sidecar; "
                                : "",
                        if_not_exists(kQueryStatsTable), "; ", if_not_exists(kBucketsTable), "; ",
                        if_not_exists(kSlowTable), "; ", if_not_exists(kSidecarTable), "; ",
                        if_not_exists(kPlansTable), "; ", if_not_exists(kPlanChangesTable),
                        "; INSERT OR REPLACE INTO doctor_sidecar VALUES ('format', ", kFormat,
                        "); COMMIT"))));
  legacy_ = false;
  has_tables_ = true;
  format_ = kFormat;
  return absl::OkStatus();
}

}  // namespace doctor::timing
