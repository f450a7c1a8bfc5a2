#include "ext/timing/store_slow.h"

#include <unistd.h>

#include <atomic>
#include <random>

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/timing/store_values.h"

namespace doctor::timing {

namespace {

std::atomic<int64_t> token{0};  // 0: not drawn yet

// A token in [1, 2^53): slow_queries.process and plan_changes.process show it, and a JavaScript
// number (better-sqlite3 without safeIntegers()) holds it exactly, as query_id (a 63-bit token
// read 2985030582663908000 there: its low bits lost). Never 0.
int64_t Positive(uint64_t bits) { return static_cast<int64_t>(bits >> 11) | 1; }

}  // namespace

int64_t ProcessToken() {
  int64_t t = token.load(std::memory_order_acquire);
  if (t != 0) return t;
  std::random_device random;
  const int64_t drawn = Positive((uint64_t{random()} << 32) ^ random());
  return token.compare_exchange_strong(t, drawn, std::memory_order_acq_rel) ? drawn : t;
}

void RenewProcessTokenAfterFork() {
  const int64_t parent = token.load(std::memory_order_relaxed);
  if (parent == 0) return;  // drawn when first needed, in this process
  // splitmix64 of the parent's token and this pid: distinct from the parent's and siblings'.
  uint64_t z = static_cast<uint64_t>(parent) ^ (static_cast<uint64_t>(getpid()) << 17);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  int64_t child = Positive(z);
  if (child == parent) child = Positive(z + 1);
  token.store(child, std::memory_order_relaxed);
}

absl::Status WriteSlow(SidecarDb& side, const std::vector<SlowQuery>& slow, bool share_sql,
                       int64_t slow_max) {
  if (slow.empty()) return absl::OkStatus();
  for (const SlowQuery& s : slow) {
    RETURN_IF_ERROR(side.Run(
                          "INSERT INTO doctor_slow_queries (process, at_ms, ms, query_id, sql, db,"
                          " vm_steps, fullscan_steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          {Value(ProcessToken()), Value(s.at_ms), Value(s.ms), Value(s.query_id),
                           Value(share_sql || s.query.empty() ? s.sql : s.query), Value(s.db),
                           Value(s.vm_steps), Value(s.fullscan_steps)})
                        .status());
  }
  return side.Run(
               "DELETE FROM doctor_slow_queries"
               " WHERE seq <= (SELECT max(seq) FROM doctor_slow_queries) - ?",
               {Value(slow_max)})
      .status();
}

absl::StatusOr<std::vector<SlowQuery>> ReadSlow(SidecarDb& side, int64_t limit,
                                                int64_t skip_process) {
  std::vector<SlowQuery> out;
  if (!side.has_tables() || limit <= 0) return out;
  absl::StatusOr<Rows> rows =
      Query(side.db(),
            "SELECT seq, process, at_ms, ms, query_id, substr(sql, 1, 4100), substr(db, 1, 4096),"
            " vm_steps, fullscan_steps FROM doctor_slow_queries WHERE process IS NOT ?"
            " ORDER BY seq DESC LIMIT ?",
            {Value(skip_process), Value(limit)});
  if (!rows.ok()) return side.Named(rows.status());
  for (const Row& r : *rows) {
    SlowQuery s{};
    int64_t seq = 0;
    absl::Status status = ReadInteger(r[0], "seq", &seq);
    if (status.ok()) status = ReadInteger(r[1], "process", &s.process);
    if (status.ok()) status = ReadCount(r[2], "at_ms", &s.at_ms);
    if (status.ok()) status = ReadMs(r[3], "ms", &s.ms);
    if (status.ok()) status = ReadInteger(r[4], "query_id", &s.query_id);
    if (status.ok()) status = ReadCount(r[7], "vm_steps", &s.vm_steps);
    if (status.ok()) status = ReadCount(r[8], "fullscan_steps", &s.fullscan_steps);
    if (!status.ok()) {
      return side.Named(absl::Status(
          status.code(), absl::StrCat("slow query seq ", seq, ": ", status.message())));
    }
    s.sql = r[5].AsText();
    s.db = r[6].AsText();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace doctor::timing
