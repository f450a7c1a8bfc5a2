#include "ext/core/connection.h"

#include <atomic>
#include <utility>

namespace doctor {
namespace {

struct Registry {
  absl::Mutex mu;
  absl::flat_hash_map<sqlite3*, Connection*> by_db ABSL_GUARDED_BY(mu);
  int64_t next_number ABSL_GUARDED_BY(mu) = 1;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry;  // never destroyed: connections may close at exit
  return *registry;
}

}  // namespace

Connection* Connection::Acquire(sqlite3* db, absl::Span<const Area* const> areas) {
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  Connection*& c = r.by_db[db];
  if (c == nullptr) c = new Connection(db, areas, r.next_number++);
  c->refs_.fetch_add(1);
  return c;
}

Connection* Connection::Find(sqlite3* db) {
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  auto it = r.by_db.find(db);
  return it == r.by_db.end() ? nullptr : it->second;
}

void Connection::RecordStop(absl::Status why) {
  absl::MutexLock lock(&mu_);
  if (stop_.ok()) stop_ = std::move(why);
}

absl::Status Connection::TakeStop() {
  absl::MutexLock lock(&mu_);
  return std::exchange(stop_, absl::OkStatus());
}

void Connection::Ref() { refs_.fetch_add(1); }

void Connection::Unref() {
  Registry& r = GetRegistry();
  {
    absl::MutexLock lock(&r.mu);
    if (refs_.fetch_sub(1) != 1) return;
    r.by_db.erase(db_);
  }
  delete this;
}

namespace {
std::atomic<Connection::BusyTimeoutHook> busy_timeout_hook{nullptr};
}  // namespace

void Connection::SetBusyTimeoutHook(BusyTimeoutHook hook) { busy_timeout_hook.store(hook); }

void Connection::AfterBusyTimeoutPragma(int64_t timeout_ms) {
  if (BusyTimeoutHook hook = busy_timeout_hook.load()) hook(*this, timeout_ms);
}

}  // namespace doctor
