#include "ext/timing/sidecar.h"

#include <atomic>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/timing/settings.h"
#include "ext/timing/trace.h"
#include "nlohmann/json.hpp"

namespace doctor::timing {
namespace {

constexpr const char* kColumns =
    "query_id, db, query, example, calls, total_ms, sumsq_ms, min_ms, max_ms, rows, vm_steps,"
    " fullscan_steps, sorts, autoindexes, errors, first_seen_ms, last_seen_ms, histogram";
// What a read takes of each row: texts are cut (a hostile row cannot make us allocate much).
constexpr const char* kBoundedColumns =
    "query_id, substr(db, 1, 4096), substr(query, 1, 4100), substr(example, 1, 4100), calls,"
    " total_ms, sumsq_ms, min_ms, max_ms, rows, vm_steps, fullscan_steps, sorts, autoindexes,"
    " errors, first_seen_ms, last_seen_ms, substr(histogram, 1, 4096)";

// Counts read from a file stay below 2^53: exact as doubles, and far from int64 overflow when
// the figures of many processes add up (Counters::Merge saturates anyway).
constexpr int64_t kMaxCount = int64_t{1} << 53;
// A duration or sum of durations in ms: finite, non-negative, below ~31,000 years.
constexpr double kMaxMs = 1e15;

std::string HistogramJson(const Buckets& b) {
  nlohmann::json j = nlohmann::json::array();
  for (uint64_t v : b) j.push_back(v);
  return j.dump();
}

absl::Status OutOfRange(absl::string_view column, const Value& v) {
  return absl::OutOfRangeError(
      absl::StrCat(column, " ", v.is_null() ? "NULL" : v.AsText(), " is not a valid value"));
}

absl::Status ReadCount(const Value& v, absl::string_view column, int64_t* out) {
  const int64_t* i = std::get_if<int64_t>(&v.storage());
  if (i == nullptr || *i < 0 || *i > kMaxCount) return OutOfRange(column, v);
  *out = *i;
  return absl::OkStatus();
}

absl::Status ReadMs(const Value& v, absl::string_view column, double* out) {
  double d;
  if (const int64_t* i = std::get_if<int64_t>(&v.storage())) {
    d = static_cast<double>(*i);
  } else if (const double* r = std::get_if<double>(&v.storage())) {
    d = *r;
  } else {
    return OutOfRange(column, v);
  }
  if (!std::isfinite(d) || d < 0 || d > kMaxMs) return OutOfRange(column, v);
  *out = d;
  return absl::OkStatus();
}

absl::Status ReadHistogram(const Value& v, int64_t calls, Buckets* b) {
  nlohmann::json j = nlohmann::json::parse(v.AsText(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_array() || j.size() != b->size()) return OutOfRange("histogram", v);
  uint64_t sum = 0;
  for (size_t i = 0; i < b->size(); ++i) {
    if (!j[i].is_number_unsigned() || j[i].get<uint64_t>() > kMaxCount) {
      return OutOfRange("histogram", v);
    }
    (*b)[i] = j[i].get<uint64_t>();
    sum += (*b)[i];
  }
  if (sum != static_cast<uint64_t>(calls)) {
    return absl::OutOfRangeError(absl::StrCat("histogram counts ", sum, " runs, calls ", calls));
  }
  return absl::OkStatus();
}

// The errors column: 0 (no failed run, or a sidecar from before errors were counted) or a JSON
// object of counts by code ({"BUSY_SNAPSHOT": 55}), each code known and each count in range.
absl::Status ReadErrors(const Value& v, int64_t calls, Counters* c) {
  if (const int64_t* i = std::get_if<int64_t>(&v.storage())) {
    if (*i != 0) return OutOfRange("errors", v);
    return absl::OkStatus();
  }
  nlohmann::json j = nlohmann::json::parse(v.AsText(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return OutOfRange("errors", v);
  for (auto it = j.begin(); it != j.end(); ++it) {
    int code = 0;
    while (code < kErrorCodes && it.key() != ErrorCodeName(code)) ++code;
    if (code == kErrorCodes || !it.value().is_number_unsigned() ||
        it.value().get<uint64_t>() > static_cast<uint64_t>(calls)) {
      return OutOfRange("errors", v);
    }
    c->errors_by[code] = static_cast<int64_t>(it.value().get<uint64_t>());
    c->errors += c->errors_by[code];
  }
  if (c->errors > calls) return OutOfRange("errors", v);
  return absl::OkStatus();
}

// One row of doctor_query_stats, every value checked.
absl::Status ReadCounters(const Row& r, Counters* c) {
  RETURN_IF_ERROR(ReadCount(r[4], "calls", &c->calls));
  if (c->calls == 0) return OutOfRange("calls", r[4]);  // flushes never write an empty entry
  RETURN_IF_ERROR(ReadMs(r[5], "total_ms", &c->total_ms));
  RETURN_IF_ERROR(ReadMs(r[6], "sumsq_ms", &c->sumsq_ms));
  RETURN_IF_ERROR(ReadMs(r[7], "min_ms", &c->min_ms));
  RETURN_IF_ERROR(ReadMs(r[8], "max_ms", &c->max_ms));
  if (c->min_ms > c->max_ms) return OutOfRange("min_ms", r[7]);
  RETURN_IF_ERROR(ReadCount(r[9], "rows", &c->rows));
  RETURN_IF_ERROR(ReadCount(r[10], "vm_steps", &c->vm_steps));
  RETURN_IF_ERROR(ReadCount(r[11], "fullscan_steps", &c->fullscan_steps));
  RETURN_IF_ERROR(ReadCount(r[12], "sorts", &c->sorts));
  RETURN_IF_ERROR(ReadCount(r[13], "autoindexes", &c->autoindexes));
  RETURN_IF_ERROR(ReadErrors(r[14], c->calls, c));
  RETURN_IF_ERROR(ReadCount(r[15], "first_seen_ms", &c->first_seen_ms));
  RETURN_IF_ERROR(ReadCount(r[16], "last_seen_ms", &c->last_seen_ms));
  return ReadHistogram(r[17], c->calls, &c->buckets);
}

absl::StatusOr<EntrySnapshot> ReadEntry(const Row& r) {
  EntrySnapshot e;
  const int64_t* id = std::get_if<int64_t>(&r[0].storage());
  if (id == nullptr) return OutOfRange("query_id", r[0]);
  e.query_id = *id;
  e.db = r[1].AsText();
  e.query = r[2].AsText();
  e.example = r[3].AsText();
  absl::Status status = ReadCounters(r, &e.counters);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("row query_id ", e.query_id, ": ", status.message()));
  }
  return e;
}

absl::Status WriteEntry(sqlite3* db, const EntrySnapshot& t, bool share_example) {
  ASSIGN_OR_RETURN(Rows existing,
                   Query(db,
                         absl::StrCat("SELECT ", kBoundedColumns,
                                      " FROM doctor_query_stats WHERE query_id = ? AND db = ?"),
                         {Value(t.query_id), Value(t.db)}));
  Counters c = t.counters;
  if (!existing.empty()) {
    ASSIGN_OR_RETURN(EntrySnapshot old, ReadEntry(existing.front()));
    c.Merge(old.counters);
  }
  return Query(db,
               absl::StrCat("INSERT OR REPLACE INTO doctor_query_stats (", kColumns,
                            ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
               {Value(t.query_id), Value(t.db), Value(t.query),
                share_example ? Value(t.example) : Value::Null(), Value(c.calls),
                Value(c.total_ms), Value(c.sumsq_ms), Value(c.min_ms), Value(c.max_ms),
                Value(c.rows), Value(c.vm_steps), Value(c.fullscan_steps), Value(c.sorts),
                Value(c.autoindexes), c.errors ? Value(c.ErrorsJson()) : Value(0), Value(c.first_seen_ms),
                Value(c.last_seen_ms), Value(HistogramJson(c.buckets))})
      .status();
}

// Adds `taken` to the sidecar and keeps its most used stats_max rows, in one transaction.
absl::Status WriteAll(sqlite3* db, const std::vector<EntrySnapshot>& taken) {
  RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  absl::Status status;
  const bool share_examples = kStatsShareExamples.On();
  for (const EntrySnapshot& t : taken) {
    status = WriteEntry(db, t, share_examples);
    if (!status.ok()) break;
  }
  if (status.ok()) {
    status = Query(db,
                   "DELETE FROM doctor_query_stats WHERE (query_id, db) IN ("
                   " SELECT query_id, db FROM doctor_query_stats ORDER BY calls, last_seen_ms"
                   " LIMIT max(0, (SELECT count(*) FROM doctor_query_stats) - ?))",
                   {Value(kStatsMax.Get())})
                 .status();
  }
  if (status.ok()) status = Exec(db, "COMMIT");
  if (!status.ok()) (void)Exec(db, "ROLLBACK");
  return status;
}

std::atomic<double> last_periodic_ms{0};
std::atomic<bool> periodic_running{false};

}  // namespace

bool HasSidecar(const std::string& db) {
  return !db.empty() && db != ":memory:" && db != "(other)";
}

absl::StatusOr<int64_t> FlushDb(const std::string& db, int busy_ms) {
  if (!HasSidecar(db)) {
    return absl::FailedPreconditionError(
        "an in-memory database has no file to put a sidecar next to");
  }
  std::vector<EntrySnapshot> taken = FoldedStats().TakeForFlush(db);
  if (taken.empty()) return 0;
  absl::StatusOr<std::unique_ptr<SidecarDb>> side = SidecarDb::Open(db, SidecarMode::kWrite,
                                                                    busy_ms);
  absl::Status status = side.status();
  if (status.ok()) status = (*side)->CreateTables();
  if (status.ok()) status = (*side)->Named(WriteAll((*side)->db(), taken));
  if (!status.ok()) {
    Stats::Global().Restore(taken);  // nothing lost: the next flush tries again
    return status;
  }
  return static_cast<int64_t>(taken.size());
}

absl::StatusOr<std::vector<EntrySnapshot>> ReadSidecar(const std::string& db) {
  std::vector<EntrySnapshot> out;
  if (!HasSidecar(db)) return out;
  ASSIGN_OR_RETURN(std::unique_ptr<SidecarDb> side,
                   SidecarDb::Open(db, SidecarMode::kRead, kReadBusyMs));
  if (side == nullptr || !side->has_tables()) return out;
  absl::StatusOr<Rows> rows = Query(
      side->db(),
      absl::StrCat("SELECT ", kBoundedColumns, " FROM doctor_query_stats ORDER BY calls DESC LIMIT ?"),
      {Value(kStatsMax.Get())});
  if (!rows.ok()) return side->Named(rows.status());
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    absl::StatusOr<EntrySnapshot> e = ReadEntry(r);
    if (!e.ok()) return side->Named(e.status());
    out.push_back(*std::move(e));
  }
  return out;
}

absl::Status ResetSidecar(const std::string& db) {
  if (!HasSidecar(db)) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::unique_ptr<SidecarDb> side,
                   SidecarDb::Open(db, SidecarMode::kModify, kExplicitBusyMs));
  if (side == nullptr || !side->has_tables()) return absl::OkStatus();
  return side->Named(Exec(side->db(), "DELETE FROM doctor_query_stats"));
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
    if (HasSidecar(db)) (void)FlushDb(db, kStatementTimeBusyMs);
  }
  periodic_running.store(false);
}

}  // namespace doctor::timing
