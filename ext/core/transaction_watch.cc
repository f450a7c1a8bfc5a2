#include "ext/core/transaction_watch.h"

#include <algorithm>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "ext/core/statement_kind.h"
#include "ext/core/time.h"

namespace doctor {
namespace {

// SQLite 3.34 has sqlite3_txn_state, 3.39 sqlite3_db_name.
constexpr int kTxnStateVersion = 3034000;
constexpr int kDbNameVersion = 3039000;

struct Registry {
  absl::Mutex mu;
  absl::flat_hash_map<int64_t, OpenTransaction> open ABSL_GUARDED_BY(mu);
};

Registry& GetRegistry() {
  static Registry* registry = new Registry;  // never destroyed: connections may close at exit
  return *registry;
}

void Publish(const OpenTransaction& txn) {
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  r.open[txn.connection] = txn;
}

void Withdraw(int64_t connection) {
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  r.open.erase(connection);
}

// The normalized text spells the modes one way (sql_normalize.h): BEGIN, BEGIN IMMEDIATE,
// BEGIN EXCLUSIVE; SAVEPOINT begins a deferred one.
const char* ModeOf(absl::string_view begin) {
  if (absl::StartsWith(begin, "BEGIN IMMEDIATE")) return "immediate";
  if (absl::StartsWith(begin, "BEGIN EXCLUSIVE")) return "exclusive";
  return "deferred";
}

}  // namespace

TransactionWatch::~TransactionWatch() {
  if (!autocommit_) Withdraw(connection_);
}

bool TransactionWatch::RefreshState() {
  if (!SqliteAtLeast(kTxnStateVersion)) return false;
  const int state = sqlite3_txn_state(db_, nullptr);
  if (state == state_) return false;
  if (state_ == SQLITE_TXN_READ && state == SQLITE_TXN_WRITE) txn_.upgraded = true;
  state_ = state;
  txn_.schemas.clear();
  const int n = SqliteAtLeast(kDbNameVersion) ? 125 : 1;  // SQLITE_MAX_ATTACHED is at most 125
  for (int i = 0; i < n; ++i) {
    const char* name = n == 1 ? "main" : sqlite3_db_name(db_, i);
    if (name == nullptr) break;
    const int s = sqlite3_txn_state(db_, name);
    if (s <= SQLITE_TXN_NONE) continue;
    const char* file = sqlite3_db_filename(db_, name);
    txn_.schemas.push_back({name, file ? file : "", s});
  }
  return true;
}

void TransactionWatch::Update(const std::string& query, const std::string& example) {
  const bool autocommit = sqlite3_get_autocommit(db_) != 0;
  if (autocommit) {  // COMMIT, ROLLBACK, RELEASE, or an error that rolled it back
    if (!autocommit_) Withdraw(connection_);
    autocommit_ = true;
    watching_ = false;
    return;
  }
  bool changed = false;
  if (autocommit_) {  // this statement began it
    autocommit_ = false;
    txn_ = OpenTransaction();
    txn_.connection = connection_;
    txn_.started_unix_ms = UnixMs();
    txn_.started_ms = MonotonicMs();
    state_ = SQLITE_TXN_NONE;
    const std::string keyword = FirstKeyword(query);
    if (keyword == "BEGIN" || keyword == "SAVEPOINT") {
      txn_.begin_query = query;
      txn_.begin_example = example;
      txn_.mode = ModeOf(query);
    } else {  // it left autocommit mode in a statement that was not timed
      txn_.first_query = query;
      txn_.first_example = example;
    }
    changed = true;
  } else if (txn_.first_query.empty()) {
    txn_.first_query = query;
    txn_.first_example = example;
    changed = true;
  }
  changed |= RefreshState();
  watching_ = txn_.first_query.empty() ||
              (state_ != SQLITE_TXN_WRITE && SqliteAtLeast(kTxnStateVersion));
  if (changed) Publish(txn_);
}

std::vector<OpenTransaction> OpenTransactions() {
  std::vector<OpenTransaction> out;
  {
    Registry& r = GetRegistry();
    absl::MutexLock lock(&r.mu);
    for (const auto& [id, txn] : r.open) out.push_back(txn);
  }
  std::sort(out.begin(), out.end(), [](const OpenTransaction& a, const OpenTransaction& b) {
    return a.connection < b.connection;
  });
  return out;
}

}  // namespace doctor
