#include "ext/timing/store_plan_changes.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/timing/store_plans.h"
#include "ext/timing/store_slow.h"
#include "ext/timing/store_values.h"

namespace doctor::timing {
namespace {

// What this process wrote: per database, per change (query_id, at_ms), the new plan's calls;
// committed (Written) once the flush's transaction is, pending until then.
using ChangeKey = std::pair<int64_t, int64_t>;
using WrittenMap = absl::flat_hash_map<std::string, absl::flat_hash_map<ChangeKey, int64_t>>;
absl::Mutex written_mu(absl::kConstInit);
WrittenMap& Written() ABSL_EXCLUSIVE_LOCKS_REQUIRED(written_mu) {
  static auto* written = new WrittenMap;
  return *written;
}
WrittenMap& Pending() ABSL_EXCLUSIVE_LOCKS_REQUIRED(written_mu) {
  static auto* pending = new WrittenMap;
  return *pending;
}

// This process's changes of `db` that a store can hold, oldest first.
std::vector<PlanChange> ChangesOf(const std::string& db, int64_t reset_at_ms,
                                  const std::vector<EntrySnapshot>& live) {
  std::vector<PlanChange> out = PlanHistory::Global().Changes(live);
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const PlanChange& c) {
                             return c.db != db || c.at_ms < reset_at_ms ||
                                    c.old_plan.text.empty() || c.new_plan.text.empty() ||
                                    c.old_plan.text.size() > kMaxStorePlanBytes ||
                                    c.new_plan.text.size() > kMaxStorePlanBytes;
                           }),
            out.end());
  return out;
}

absl::Status WriteChange(SidecarDb& side, const PlanChange& c) {
  const PlanFigures& o = c.old_plan.figures;
  const PlanFigures& n = c.new_plan.figures;
  return side
      .Run("INSERT OR REPLACE INTO doctor_plan_changes (process, query_id, db, at_ms, query,"
           " analyze_between, old_plan_id, old_plan, old_sqlite, old_last_ms, old_calls,"
           " old_total_ms, old_vm_steps, new_plan_id, new_plan, new_sqlite, new_calls,"
           " new_total_ms, new_vm_steps)"
           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
           {Value(ProcessToken()), Value(c.query_id), Value(c.db), Value(c.at_ms),
            Value(c.query), Value(int64_t{c.analyze_between ? 1 : 0}),
            Value(c.old_plan.plan_id), Value(c.old_plan.text), Value(c.old_plan.sqlite_version),
            Value(c.old_plan.last_ms), Value(o.calls), Value(o.total_ms), Value(o.vm_steps),
            Value(c.new_plan.plan_id), Value(c.new_plan.text), Value(c.new_plan.sqlite_version),
            Value(n.calls), Value(n.total_ms), Value(n.vm_steps)})
      .status();
}

absl::Status ReadFigures(const Row& r, size_t first, const char* prefix, PlanFigures* f) {
  RETURN_IF_ERROR(ReadCount(r[first], absl::StrCat(prefix, "calls"), &f->calls));
  RETURN_IF_ERROR(ReadMs(r[first + 1], absl::StrCat(prefix, "total_ms"), &f->total_ms));
  return ReadCount(r[first + 2], absl::StrCat(prefix, "vm_steps"), &f->vm_steps);
}

absl::Status ReadVersion(const Value& v, const char* column, std::string* out) {
  if (!v.is_null() && !std::holds_alternative<std::string>(v.storage())) {
    return OutOfRange(column, v);
  }
  *out = v.AsText();
  return absl::OkStatus();
}

absl::StatusOr<PlanChange> ReadChange(const Row& r) {
  PlanChange c;
  RETURN_IF_ERROR(ReadInteger(r[0], "process", &c.process));
  RETURN_IF_ERROR(ReadInteger(r[1], "query_id", &c.query_id));
  const std::string* db = std::get_if<std::string>(&r[2].storage());
  if (db == nullptr || db->empty()) return OutOfRange("db", r[2]);
  c.db = *db;
  RETURN_IF_ERROR(ReadCount(r[3], "at_ms", &c.at_ms));
  const std::string* query = std::get_if<std::string>(&r[4].storage());
  if (query == nullptr) return OutOfRange("query", r[4]);
  c.query = *query;
  int64_t analyze = 0;
  RETURN_IF_ERROR(ReadCount(r[5], "analyze_between", &analyze));
  if (analyze > 1) return OutOfRange("analyze_between", r[5]);
  c.analyze_between = analyze == 1;
  RETURN_IF_ERROR(ReadPlanText(r[7], r[6], "old_plan", &c.old_plan.text, &c.old_plan.plan_id));
  RETURN_IF_ERROR(ReadVersion(r[8], "old_sqlite", &c.old_plan.sqlite_version));
  RETURN_IF_ERROR(ReadCount(r[9], "old_last_ms", &c.old_plan.last_ms));
  RETURN_IF_ERROR(ReadFigures(r, 10, "old_", &c.old_plan.figures));
  RETURN_IF_ERROR(ReadPlanText(r[14], r[13], "new_plan", &c.new_plan.text, &c.new_plan.plan_id));
  RETURN_IF_ERROR(ReadVersion(r[15], "new_sqlite", &c.new_plan.sqlite_version));
  RETURN_IF_ERROR(ReadFigures(r, 16, "new_", &c.new_plan.figures));
  c.old_plan.figures.plan_id = c.old_plan.plan_id;
  c.new_plan.figures.plan_id = c.new_plan.plan_id;
  c.new_plan.first_ms = c.new_plan.last_ms = c.at_ms;
  return c;
}

}  // namespace

absl::Status WritePlanChanges(SidecarDb& side, const std::string& db,
                              const std::vector<EntrySnapshot>& taken, int64_t reset_at_ms) {
  if (side.format() < 4) return absl::OkStatus();
  absl::flat_hash_set<int64_t> ran;
  for (const EntrySnapshot& t : taken) ran.insert(t.query_id);
  absl::MutexLock lock(&written_mu);
  absl::flat_hash_map<ChangeKey, int64_t>& written = Written()[db];
  const auto due = [&](const PlanChange& c) {
    auto it = written.find(ChangeKey(c.query_id, c.at_ms));
    return it == written.end() || (ran.contains(c.query_id) &&
                                   it->second != c.new_plan.figures.calls);
  };
  // The live figures of a change's new plan are in `taken` when its shape ran since the last
  // flush (TakeForFlush hands them out); a shape that did not run has none since the change.
  absl::flat_hash_map<ChangeKey, int64_t> now;
  for (const PlanChange& c : ChangesOf(db, reset_at_ms, taken)) {
    if (due(c)) RETURN_IF_ERROR(WriteChange(side, c));
    now[ChangeKey(c.query_id, c.at_ms)] = c.new_plan.figures.calls;
  }
  Pending()[db] = std::move(now);  // bounded: the changes PlanHistory still holds
  return side
      .Run("DELETE FROM doctor_plan_changes WHERE (process, query_id, db, at_ms) IN ("
           " SELECT process, query_id, db, at_ms FROM doctor_plan_changes"
           " ORDER BY at_ms DESC LIMIT -1 OFFSET ?)",
           {Value(kMaxStoreChanges)})
      .status();
}

absl::StatusOr<std::vector<PlanChange>> ReadPlanChanges(SidecarDb& side, int64_t limit) {
  std::vector<PlanChange> out;
  if (!side.has_tables() || side.format() < 4 || limit <= 0) return out;
  ASSIGN_OR_RETURN(
      Rows rows,
      Query(side.db(),
            "SELECT process, query_id, substr(db, 1, 4096), at_ms, substr(query, 1, 4100),"
            " analyze_between, old_plan_id, substr(old_plan, 1, 4097), substr(old_sqlite, 1, 64),"
            " old_last_ms, old_calls, old_total_ms, old_vm_steps, new_plan_id,"
            " substr(new_plan, 1, 4097), substr(new_sqlite, 1, 64), new_calls, new_total_ms,"
            " new_vm_steps FROM doctor_plan_changes WHERE process IS NOT ?"
            " ORDER BY at_ms DESC LIMIT ?",
            {Value(ProcessToken()), Value(std::min(limit, kMaxStoreChanges))}));
  out.reserve(rows.size());
  for (const Row& r : rows) {
    absl::StatusOr<PlanChange> c = ReadChange(r);
    if (!c.ok()) {
      return absl::Status(c.status().code(),
                          absl::StrCat("doctor_plan_changes row query_id ",
                                       r[1].is_null() ? "NULL" : r[1].AsText(), ": ",
                                       c.status().message()));
    }
    out.push_back(std::move(*c));
  }
  return out;
}

void PlanChangesFlushed(const std::string& db, bool committed) {
  absl::MutexLock lock(&written_mu);
  auto it = Pending().find(db);
  if (it == Pending().end()) return;
  if (committed) Written()[db] = std::move(it->second);
  Pending().erase(it);
}

void ForgetWrittenPlanChanges() {
  absl::MutexLock lock(&written_mu);
  Written().clear();
  Pending().clear();
}

}  // namespace doctor::timing
