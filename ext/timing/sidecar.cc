#include "ext/timing/sidecar.h"

#include <algorithm>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/timing/settings.h"
#include "ext/timing/store_plan_changes.h"
#include "ext/timing/store_plans.h"
#include "ext/timing/store_slow.h"
#include "ext/timing/store_values.h"
#include "ext/timing/trace.h"

namespace doctor::timing {
namespace {

constexpr const char* kColumns =
    "query_id, db, query, example, calls, total_ms, sumsq_ms, min_ms, max_ms, rows, vm_steps,"
    " fullscan_steps, sorts, autoindexes, errors, first_seen_ms, last_seen_ms, histogram,"
    " stats_since_ms, lock_wait_ms";
absl::Mutex store_mu(absl::kConstInit);

// Most query shapes one flush writes (about 0.1 s of work); the rest wait for the next flush.
constexpr size_t kMaxShapesPerFlush = 2000;

// Per database: the last slow entry this process wrote to the store (Stats::SlowQuery::seq).
absl::flat_hash_map<std::string, uint64_t>& SlowWritten() ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_mu) {
  static auto* written = new absl::flat_hash_map<std::string, uint64_t>;
  return *written;
}

// Per database: the last min/max-only reset (the store's 'minmax_reset_at_ms') this process
// applied to its pending counters, so that runs after it keep their min/max.
absl::flat_hash_map<std::string, int64_t>& MinMaxApplied() ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_mu) {
  static auto* applied = new absl::flat_hash_map<std::string, int64_t>;
  return *applied;
}

// A min/max-only reset of the store at `minmax_at` (by any process) that this process has not
// applied yet: its pending counters of `db` from before it forget their min/max (calls and sums
// stay), `taken` ones included.
void ApplyMinMaxReset(const std::string& db, int64_t minmax_at, std::vector<EntrySnapshot>* taken)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_mu) {
  int64_t& applied = MinMaxApplied()[db];
  if (minmax_at <= applied) return;
  applied = minmax_at;
  for (EntrySnapshot& t : *taken) {
    if (t.counters.first_seen_ms <= minmax_at) t.counters.ForgetMinMax();
  }
  FoldedStats();  // every connection's pending runs
  Stats::Global().ForgetMinMaxBefore(db, minmax_at);
}

absl::Status WriteEntry(SidecarDb& side, const EntrySnapshot& t, bool share_example) {
  static const std::string* const kSelect = new std::string(absl::StrCat(
      "SELECT ", kStoreEntryColumns, " FROM doctor_query_stats WHERE query_id = ? AND db = ?"));
  static const std::string* const kInsert =
      new std::string(absl::StrCat("INSERT OR REPLACE INTO doctor_query_stats (", kColumns,
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  ASSIGN_OR_RETURN(Rows existing, side.Run(*kSelect, {Value(t.query_id), Value(t.db)}));
  // A correction (Counters::IsCorrection) adds to the row of the runs it corrects, its BUSY moves
  // at most what the row has under BUSY (Counters::Merge; never a negative count): no row left (a
  // reset, an eviction) is nothing to correct.
  if (t.counters.calls == 0 && existing.empty()) return absl::OkStatus();
  Counters c = t.counters;
  int64_t since = t.counters.first_seen_ms;
  if (!existing.empty()) {
    ASSIGN_OR_RETURN(EntrySnapshot old, ReadStoreEntry(existing.front()));
    c.Merge(old.counters);
    since = old.stats_since_ms;
  }
  return side.Run(*kInsert,
               {Value(t.query_id), Value(t.db), Value(t.query),
                share_example ? Value(t.example) : Value::Null(), Value(c.calls),
                Value(c.total_ms), Value(c.sumsq_ms), MinValue(c), MaxValue(c),
                Value(c.rows), Value(c.vm_steps), Value(c.fullscan_steps), Value(c.sorts),
                Value(c.autoindexes), c.errors ? Value(c.ErrorsJson()) : Value(0),
                Value(c.first_seen_ms), Value(c.last_seen_ms), Value(HistogramJson(c.buckets)),
                Value(since), Value(c.lock_wait_ms)})
      .status();
}

// Keeps the store within stats_max rows: beyond it the least used (fewest calls, then oldest)
// are deleted, down to 95 % so the sort is not paid at every flush, and counted.
absl::StatusOr<bool> Evict(SidecarDb& side) {
  ASSIGN_OR_RETURN(Rows count, side.Run("SELECT count(*) FROM doctor_query_stats"));
  const int64_t rows = count.front()[0].AsInt(), max = kStatsMax.Get();
  if (rows <= max) return false;
  const int64_t target = std::max<int64_t>(1, max - max / 20);
  RETURN_IF_ERROR(Query(side.db(),
                        "DELETE FROM doctor_query_stats WHERE (query_id, db) IN ("
                        " SELECT query_id, db FROM doctor_query_stats ORDER BY calls, last_seen_ms"
                        " LIMIT ?)",
                        {Value(rows - target)})
                      .status());
  ASSIGN_OR_RETURN(int64_t evictions, side.Key("evictions"));
  RETURN_IF_ERROR(side.SetKey("evictions", evictions + sqlite3_changes(side.db())));
  return true;
}

// Adds `taken` and `slow` to the store, in one transaction. What was counted before the store's
// last reset (by any process) is dropped instead.
absl::Status WriteAll(SidecarDb& side, const std::string& name, std::vector<EntrySnapshot>& taken,
                      std::vector<SlowQuery> slow) ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_mu) {
  sqlite3* db = side.db();
  RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(side.EnsureStoreId());
    ASSIGN_OR_RETURN(int64_t reset_at, side.Key("reset_at_ms"));
    taken.erase(std::remove_if(taken.begin(), taken.end(),
                               [&](const EntrySnapshot& t) {
                                 return t.counters.first_seen_ms < reset_at;
                               }),
                taken.end());
    slow.erase(std::remove_if(slow.begin(), slow.end(),
                              [&](const SlowQuery& s) { return s.at_ms < reset_at; }),
               slow.end());
    ASSIGN_OR_RETURN(int64_t minmax_at, side.Key("minmax_reset_at_ms"));
    ApplyMinMaxReset(name, minmax_at, &taken);
    const bool share_examples = kStatsShareExamples.On();
    for (const EntrySnapshot& t : taken) RETURN_IF_ERROR(WriteEntry(side, t, share_examples));
    // Plans, hourly buckets and plan changes are about runs: corrections (IsCorrection) have none.
    std::vector<EntrySnapshot> runs;
    for (const EntrySnapshot& t : taken) {
      if (t.counters.calls > 0) runs.push_back(t);
    }
    RETURN_IF_ERROR(WriteStorePlans(side, runs));
    RETURN_IF_ERROR(WriteBuckets(side, runs));
    RETURN_IF_ERROR(WriteSlow(side, slow, share_examples, kSlowMax.Get()));
    RETURN_IF_ERROR(WritePlanChanges(side, name, runs, reset_at));
    ASSIGN_OR_RETURN(bool evicted, Evict(side));
    if (evicted) RETURN_IF_ERROR(PruneStorePlans(side));
    RETURN_IF_ERROR(PruneBuckets(side, UnixMs(), evicted));
    return Exec(db, "COMMIT");
  }();
  if (!status.ok()) (void)Exec(db, "ROLLBACK");
  return status;
}

absl::StatusOr<std::vector<EntrySnapshot>> ReadEntries(SidecarDb& side) {
  std::vector<EntrySnapshot> out;
  ASSIGN_OR_RETURN(Rows rows, Query(side.db(),
                                    absl::StrCat("SELECT ", kStoreEntryColumns,
                                                 " FROM doctor_query_stats ORDER BY calls DESC"
                                                 " LIMIT ?"),
                                    {Value(kStatsMax.Get())}));
  out.reserve(rows.size());
  for (const Row& r : rows) {
    ASSIGN_OR_RETURN(EntrySnapshot e, ReadStoreEntry(r));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

absl::Mutex& StoreMutex() { return store_mu; }

bool HasSidecar(const std::string& db) {
  return !db.empty() && db != ":memory:" && db != "(other)";
}

absl::StatusOr<int64_t> FlushDb(const std::string& db, int busy_ms) {
  if (!HasSidecar(db)) {
    return absl::FailedPreconditionError(
        "an in-memory database has no file to put a sidecar next to");
  }
  absl::MutexLock lock(&store_mu);
  uint64_t& slow_written = SlowWritten()[db];
  std::vector<EntrySnapshot> taken = FoldedStats().TakeForFlush(db);
  std::vector<SlowQuery> slow = Stats::Global().SlowSince(db, slow_written);
  if (taken.empty() && slow.empty()) return 0;
  // A bounded transaction: the most used shapes first, the rest at the next flush.
  std::vector<EntrySnapshot> later;
  if (taken.size() > kMaxShapesPerFlush) {
    std::nth_element(taken.begin(), taken.begin() + kMaxShapesPerFlush, taken.end(),
                     [](const EntrySnapshot& a, const EntrySnapshot& b) {
                       return a.counters.calls > b.counters.calls;
                     });
    later.assign(std::make_move_iterator(taken.begin() + kMaxShapesPerFlush),
                 std::make_move_iterator(taken.end()));
    taken.resize(kMaxShapesPerFlush);
    Stats::Global().Restore(later);
  }
  absl::StatusOr<std::unique_ptr<SidecarDb>> side = SidecarDb::Open(db, SidecarMode::kWrite,
                                                                    busy_ms);
  absl::Status status = side.status();
  if (status.ok()) status = (*side)->CreateTables();
  if (status.ok()) status = (*side)->Named(WriteAll(**side, db, taken, slow));
  PlanChangesFlushed(db, status.ok());  // rolled back: written again next time
  if (!status.ok()) {
    Stats::Global().Restore(taken);  // nothing lost: the next flush tries again
    return status;
  }
  if (!slow.empty()) slow_written = slow.back().seq;
  return static_cast<int64_t>(taken.size());
}

std::vector<std::string> DbsToFlush() {
  absl::MutexLock lock(&store_mu);
  std::vector<std::string> dbs = FoldedStats().DbsWithNews(SlowWritten());
  dbs.erase(std::remove_if(dbs.begin(), dbs.end(), [](const std::string& db) {
              return !HasSidecar(db);
            }),
            dbs.end());
  return dbs;
}

absl::StatusOr<StoreContents> ReadSidecar(const std::string& db, int parts) {
  StoreContents out;
  if (!HasSidecar(db)) return out;
  ASSIGN_OR_RETURN(std::unique_ptr<SidecarDb> side,
                   SidecarDb::Open(db, SidecarMode::kRead, kReadBusyMs));
  if (side == nullptr || !side->has_tables()) return out;
  absl::Status status = [&]() -> absl::Status {
    // One read transaction: the parts agree with each other.
    RETURN_IF_ERROR(Exec(side->db(), "BEGIN"));
    ASSIGN_OR_RETURN(out.reset_at_ms, side->Key("reset_at_ms"));
    ASSIGN_OR_RETURN(out.evictions, side->Key("evictions"));
    ASSIGN_OR_RETURN(out.minmax_reset_at_ms, side->Key("minmax_reset_at_ms"));
    if (parts & kStoreEntries) {
      ASSIGN_OR_RETURN(out.entries, ReadEntries(*side));
      ASSIGN_OR_RETURN(out.plans, ReadStorePlans(*side, kStatsMax.Get()));
    }
    if (parts & kStoreSlow) {
      ASSIGN_OR_RETURN(out.slow, ReadSlow(*side, kSlowMax.Get(), ProcessToken()));
    }
    if (parts & kStoreBuckets) {
      ASSIGN_OR_RETURN(out.buckets, ReadBuckets(*side, kStatsMax.Get() * kBucketHours));
    }
    if (parts & kStorePlanChanges) {
      ASSIGN_OR_RETURN(out.plan_changes, ReadPlanChanges(*side, kMaxStoreChanges));
    }
    return Exec(side->db(), "COMMIT");
  }();
  if (!status.ok()) return side->Named(status);
  if (out.reset_at_ms > 0) {
    FoldedStats();  // every connection's pending runs, so older ones are dropped too
    Stats::Global().DropBefore(db, out.reset_at_ms);
  }
  std::vector<EntrySnapshot> none;
  ApplyMinMaxReset(db, out.minmax_reset_at_ms, &none);
  return out;
}

namespace {

// Runs `change` on the database's store, opened to modify, inside BEGIN IMMEDIATE ... COMMIT
// (rolled back when it fails); an error names the store. Nothing to do without a store.
absl::Status ChangeStore(const std::string& db,
                         const std::function<absl::Status(SidecarDb&)>& change) {
  if (!HasSidecar(db)) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::unique_ptr<SidecarDb> side,
                   SidecarDb::Open(db, SidecarMode::kModify, kExplicitBusyMs));
  if (side == nullptr) return absl::OkStatus();
  RETURN_IF_ERROR(side->CreateTables());
  sqlite3* handle = side->db();
  RETURN_IF_ERROR(side->Named(Exec(handle, "BEGIN IMMEDIATE")));
  absl::Status status = change(*side);
  if (status.ok()) status = Exec(handle, "COMMIT");
  if (!status.ok()) (void)Exec(handle, "ROLLBACK");
  return side->Named(status);
}

}  // namespace

absl::Status ResetSidecarMinMax(const std::string& db, int64_t now_ms) {
  if (HasSidecar(db)) MinMaxApplied()[db] = now_ms;  // this process's counters are already done
  return ChangeStore(db, [&](SidecarDb& side) {
    RETURN_IF_ERROR(Exec(side.db(), "UPDATE doctor_query_stats SET min_ms = NULL, max_ms = NULL"));
    return side.SetKey("minmax_reset_at_ms", now_ms);
  });
}

absl::Status ResetSidecar(const std::string& db, int64_t now_ms) {
  return ChangeStore(db, [&](SidecarDb& side) {
    RETURN_IF_ERROR(Exec(side.db(),
                         "DELETE FROM doctor_query_stats; DELETE FROM doctor_query_buckets;"
                         " DELETE FROM doctor_slow_queries; DELETE FROM doctor_query_plans;"
                         " DELETE FROM doctor_plan_changes"));
    RETURN_IF_ERROR(side.SetKey("reset_at_ms", now_ms));
    RETURN_IF_ERROR(side.NewStoreId());  // copies from before the reset hold other runs
    return side.SetKey("evictions", 0);
  });
}

}  // namespace doctor::timing
