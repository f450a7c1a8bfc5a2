#include "ext/timing/sidecar.h"

#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/timing/settings.h"
#include "ext/timing/trace.h"
#include "nlohmann/json.hpp"

namespace doctor::timing {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS doctor_query_stats("
    " query_id INTEGER NOT NULL, db TEXT NOT NULL, query TEXT NOT NULL, example TEXT,"
    " calls INTEGER, total_ms REAL, sumsq_ms REAL, min_ms REAL, max_ms REAL,"
    " rows INTEGER, vm_steps INTEGER, fullscan_steps INTEGER, sorts INTEGER,"
    " autoindexes INTEGER, errors INTEGER, first_seen_ms INTEGER, last_seen_ms INTEGER,"
    " histogram TEXT, PRIMARY KEY (query_id, db)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS doctor_sidecar(key TEXT PRIMARY KEY, value);"
    "INSERT OR IGNORE INTO doctor_sidecar VALUES ('format', 1);";

constexpr const char* kColumns =
    "query_id, db, query, example, calls, total_ms, sumsq_ms, min_ms, max_ms, rows, vm_steps,"
    " fullscan_steps, sorts, autoindexes, errors, first_seen_ms, last_seen_ms, histogram";

// An open sidecar connection, closed on scope exit.
class Sidecar {
 public:
  ~Sidecar() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }
  absl::Status Open(const std::string& path, bool write) {
    SidecarOpenScope scope;
    int flags = write ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      return absl::UnavailableError(absl::StrCat("cannot open sidecar ", path, ": ",
                                                 db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(db_, 5000);
    return absl::OkStatus();
  }
  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

std::string HistogramJson(const Buckets& b) {
  nlohmann::json j = nlohmann::json::array();
  for (uint64_t v : b) j.push_back(v);
  return j.dump();
}

void ParseHistogram(const std::string& text, Buckets* b) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return;
  for (size_t i = 0; i < j.size() && i < b->size(); ++i) {
    if (j[i].is_number_unsigned()) (*b)[i] = j[i].get<uint64_t>();
  }
}

EntrySnapshot FromRow(const Row& r) {
  EntrySnapshot e;
  e.query_id = r[0].AsInt();
  e.db = r[1].AsText();
  e.query = r[2].AsText();
  e.example = r[3].AsText();
  Counters& c = e.counters;
  c.calls = r[4].AsInt();
  c.total_ms = r[5].AsDouble();
  c.sumsq_ms = r[6].AsDouble();
  c.min_ms = r[7].AsDouble();
  c.max_ms = r[8].AsDouble();
  c.rows = r[9].AsInt();
  c.vm_steps = r[10].AsInt();
  c.fullscan_steps = r[11].AsInt();
  c.sorts = r[12].AsInt();
  c.autoindexes = r[13].AsInt();
  c.errors = r[14].AsInt();
  c.first_seen_ms = r[15].AsInt();
  c.last_seen_ms = r[16].AsInt();
  ParseHistogram(r[17].AsText(), &c.buckets);
  return e;
}

absl::Status WriteAll(sqlite3* db, const std::vector<EntrySnapshot>& taken) {
  RETURN_IF_ERROR(Exec(db, kSchema));
  RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  absl::Status status;
  for (const EntrySnapshot& t : taken) {
    auto existing = Query(db,
                          absl::StrCat("SELECT ", kColumns,
                                       " FROM doctor_query_stats WHERE query_id = ? AND db = ?"),
                          {Value(t.query_id), Value(t.db)});
    if (!existing.ok()) {
      status = existing.status();
      break;
    }
    Counters merged = t.counters;
    if (!existing->empty()) merged.Merge(FromRow(existing->front()).counters);
    const Counters& c = merged;
    auto written = Query(
        db,
        absl::StrCat("INSERT OR REPLACE INTO doctor_query_stats (", kColumns,
                     ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
        {Value(t.query_id), Value(t.db), Value(t.query), Value(t.example), Value(c.calls),
         Value(c.total_ms), Value(c.sumsq_ms), Value(c.min_ms), Value(c.max_ms), Value(c.rows),
         Value(c.vm_steps), Value(c.fullscan_steps), Value(c.sorts), Value(c.autoindexes),
         Value(c.errors), Value(c.first_seen_ms), Value(c.last_seen_ms),
         Value(HistogramJson(c.buckets))});
    if (!written.ok()) {
      status = written.status();
      break;
    }
  }
  if (status.ok()) status = Exec(db, "COMMIT");
  if (!status.ok()) (void)Exec(db, "ROLLBACK");
  return status;
}

std::atomic<double> last_periodic_ms{0};
std::atomic<bool> periodic_running{false};

}  // namespace

std::string SidecarPath(const std::string& db) { return db + "-doctor"; }

absl::StatusOr<int64_t> FlushDb(const std::string& db) {
  if (db.empty() || db == ":memory:") {
    return absl::FailedPreconditionError(
        "an in-memory database has no file to put a sidecar next to");
  }
  std::vector<EntrySnapshot> taken = FoldedStats().TakeForFlush(db);
  if (taken.empty()) return 0;
  Sidecar sidecar;
  absl::Status status = sidecar.Open(SidecarPath(db), /*write=*/true);
  if (status.ok()) status = WriteAll(sidecar.db(), taken);
  if (!status.ok()) {
    Stats::Global().Restore(taken);  // nothing lost: the next flush tries again
    return status;
  }
  return static_cast<int64_t>(taken.size());
}

absl::StatusOr<std::vector<EntrySnapshot>> ReadSidecar(const std::string& db) {
  std::vector<EntrySnapshot> out;
  if (db.empty() || db == ":memory:") return out;
  const std::string path = SidecarPath(db);
  if (access(path.c_str(), R_OK) != 0) return out;
  Sidecar sidecar;
  RETURN_IF_ERROR(sidecar.Open(path, /*write=*/false));
  auto has_table = Query(sidecar.db(),
                         "SELECT count(*) FROM sqlite_schema WHERE name = 'doctor_query_stats'");
  if (!has_table.ok()) return has_table.status();
  if (has_table->empty() || has_table->front()[0].AsInt() == 0) return out;
  ASSIGN_OR_RETURN(Rows rows,
                   Query(sidecar.db(), absl::StrCat("SELECT ", kColumns, " FROM doctor_query_stats")));
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(FromRow(r));
  return out;
}

void MaybePeriodicFlush() {
  const int64_t every_s = kStatsFlushS.Get();
  if (every_s <= 0) return;
  const double now = MonotonicMs();
  double last = last_periodic_ms.load(std::memory_order_relaxed);
  if (last == 0) {
    last_periodic_ms.compare_exchange_strong(last, now);
    return;
  }
  if (now - last < static_cast<double>(every_s) * 1000.0) return;
  if (periodic_running.exchange(true)) return;  // another thread is flushing
  last_periodic_ms.store(now, std::memory_order_relaxed);
  for (const std::string& db : Stats::Global().DbNames()) {
    if (db != ":memory:" && db != "(other)") (void)FlushDb(db);
  }
  periodic_running.store(false);
}

}  // namespace doctor::timing
