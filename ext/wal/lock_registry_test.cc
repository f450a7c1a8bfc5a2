#include "ext/wal/lock_registry.h"

#include <thread>

#include "gtest/gtest.h"

// ThreadSanitizer only: the same suppressions as ext/core/testing.cc (which this test does not
// link). Abseil 20220623's Mutex hands per-thread identities, allocated with raw mmap, from
// thread to thread through synchronization TSAN cannot see with gcc: false positives inside
// Abseil when threads first block on a Mutex, never in this code.
extern "C" __attribute__((visibility("default"))) const char* __tsan_default_suppressions() {
  return "race:absl::lts_20220623::synchronization_internal::*\n"
         "race:absl::lts_20220623::base_internal::LowLevelAlloc*\n";
}

namespace doctor::wal {
namespace {

using FileRow = LockRegistry::FileRow;

const FileRow* Find(const std::vector<FileRow>& rows, const std::string& file) {
  for (const FileRow& r : rows) {
    if (r.file && *r.file == file) return &r;
  }
  return nullptr;
}

// One wait of `sleeps` retries of 10 ms each, then `gave_up` or success.
void Wait(LockRegistry& r, int64_t id, const std::string& file, int sleeps, bool gave_up) {
  for (int i = 0; i < sleeps; ++i) r.OnBusyCall(id, file, i, 10, false);
  if (gave_up) r.OnBusyCall(id, file, sleeps, 0, true);
}

TEST(LockRegistry, OneRowPerFileSummedOverItsConnections) {
  LockRegistry r;
  const int64_t a1 = r.Register("/d/a.db");
  const int64_t a2 = r.Register("/d/a.db");
  const int64_t b = r.Register("/d/b.db");
  r.SetHandler(a1, true, 100);
  r.SetHandler(a2, true, 250);
  Wait(r, a1, "/d/a.db", 3, true);   // 30 ms, then SQLITE_BUSY
  Wait(r, a2, "/d/a.db", 2, false);  // 20 ms, then the lock
  Wait(r, b, "/d/b.db", 1, false);
  auto rows = r.Files();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[0].file, "/d/a.db");
  EXPECT_EQ(rows[0].connections, 2);
  EXPECT_EQ(rows[0].counting, 2);
  EXPECT_EQ(rows[0].timeout_ms, 250);
  EXPECT_EQ(rows[0].counters.waits, 2);
  EXPECT_EQ(rows[0].counters.retries, 5);
  EXPECT_EQ(rows[0].counters.busy_errors, 1);
  EXPECT_DOUBLE_EQ(rows[0].counters.wait_ms, 50);
  EXPECT_DOUBLE_EQ(rows[0].counters.longest_wait_ms, 30);  // max, not sum
  EXPECT_EQ(*rows[1].file, "/d/b.db");
  EXPECT_EQ(rows[1].connections, 1);
  EXPECT_EQ(rows[1].counting, 0);  // no handler published: the application's
  EXPECT_FALSE(rows[1].timeout_ms.has_value());
  EXPECT_EQ(rows[1].counters.waits, 1);
  EXPECT_EQ(rows[1].counters.busy_errors, 0);
  // The detail per connection.
  auto conns = r.Connections();
  ASSERT_EQ(conns.size(), 3u);
  EXPECT_EQ(conns[0].id, a1);
  EXPECT_EQ(conns[0].counters.busy_errors, 1);
  EXPECT_DOUBLE_EQ(conns[1].counters.wait_ms, 20);
  EXPECT_TRUE(conns[1].counting);
  EXPECT_FALSE(conns[2].counting);
}

TEST(LockRegistry, AClosedConnectionsCountsStay) {
  LockRegistry r;
  const int64_t a = r.Register("/d/a.db");
  const int64_t b = r.Register("/d/a.db");
  r.SetHandler(a, true, 100);
  Wait(r, a, "/d/a.db", 4, true);
  r.Unregister(a);
  auto rows = r.Files();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].connections, 1);  // only b is open
  EXPECT_EQ(rows[0].counting, 0);
  EXPECT_EQ(rows[0].counters.waits, 1);
  EXPECT_EQ(rows[0].counters.busy_errors, 1);
  EXPECT_DOUBLE_EQ(rows[0].counters.wait_ms, 40);
  r.Unregister(b);
  rows = r.Files();
  ASSERT_EQ(rows.size(), 1u);  // nobody has it open, the counts are still there
  EXPECT_EQ(rows[0].connections, 0);
  EXPECT_EQ(rows[0].counters.busy_errors, 1);
  EXPECT_TRUE(r.Connections().empty());
  r.OnBusyCall(a, "/d/a.db", 0, 1, false);  // a late call of a closed connection: file only
  EXPECT_EQ(r.Files()[0].counters.waits, 2);
}

TEST(LockRegistry, AttachedFilesCountTheirConnection) {
  LockRegistry r;
  const int64_t a = r.Register("/d/a.db");
  const int64_t ab = r.Register("/d/a.db");
  r.SetFiles(ab, {"/d/a.db", "/d/b.db", "/d/b.db", ""});  // b attached twice, an in-memory one
  Wait(r, ab, "/d/b.db", 2, true);  // its wait was on the attached file
  auto rows = r.Files();
  ASSERT_EQ(rows.size(), 2u);
  const FileRow* fa = Find(rows, "/d/a.db");
  const FileRow* fb = Find(rows, "/d/b.db");
  ASSERT_TRUE(fa && fb);
  EXPECT_EQ(fa->connections, 2);
  EXPECT_EQ(fa->counters.waits, 0);
  EXPECT_EQ(fb->connections, 1);
  EXPECT_EQ(fb->counters.waits, 1);
  EXPECT_EQ(fb->counters.busy_errors, 1);
  r.SetFiles(ab, {"/d/a.db"});  // detached
  EXPECT_EQ(Find(r.Files(), "/d/b.db")->connections, 0);
  EXPECT_EQ(Find(r.Files(), "/d/b.db")->counters.waits, 1);
  EXPECT_EQ(r.Connections()[1].files, 1);
  (void)a;
}

TEST(LockRegistry, AWaitWithoutAFileCountsForTheConnectionOnly) {
  LockRegistry r;
  const int64_t m = r.Register("");
  Wait(r, m, "", 1, true);
  EXPECT_TRUE(r.Files().empty());
  EXPECT_EQ(r.Connections()[0].counters.waits, 1);
  EXPECT_EQ(r.Connections()[0].files, 0);
}

TEST(LockRegistry, BoundedFilesAreForgottenAndCounted) {
  LockRegistry r(2);
  const int64_t open = r.Register("/d/open.db");
  r.OnBusyCall(open, "/d/open.db", 0, 1, true);
  const int64_t gone = r.Register("/d/x.db");
  r.OnBusyCall(gone, "/d/x.db", 0, 1, true);
  r.Unregister(gone);
  r.OnBusyCall(open, "/d/open.db", 0, 1, false);  // touched after x: x is older anyway
  const int64_t y = r.Register("/d/y.db");
  r.OnBusyCall(y, "/d/y.db", 0, 7, true);  // a third file: x (not open) is forgotten
  EXPECT_EQ(r.evicted_files(), 1);
  auto rows = r.Files();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(*rows[0].file, "/d/open.db");
  EXPECT_EQ(rows[0].counters.waits, 2);
  EXPECT_EQ(*rows[1].file, "/d/y.db");
  EXPECT_FALSE(rows[2].file.has_value());  // the forgotten files' counts, kept in one row
  EXPECT_EQ(rows[2].counters.busy_errors, 1);
  // All files open: the least recently touched one goes.
  const int64_t z = r.Register("/d/z.db");
  r.OnBusyCall(z, "/d/z.db", 0, 1, false);
  EXPECT_EQ(r.evicted_files(), 2);
  rows = r.Files();
  EXPECT_EQ(Find(rows, "/d/open.db")->counters.waits, 0);  // open, listed, counts forgotten
  EXPECT_EQ(Find(rows, "/d/y.db")->counters.waits, 1);
  EXPECT_EQ(rows.back().counters.waits, 3);
}

TEST(LockRegistry, ConcurrentCallsAndReads) {
  LockRegistry r(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r, t] {
      for (int i = 0; i < 200; ++i) {
        const int64_t id = r.Register("/d/" + std::to_string(t % 2) + ".db");
        r.SetHandler(id, true, 10);
        r.OnBusyCall(id, "/d/" + std::to_string(t % 2) + ".db", 0, 1, true);
        if (i % 10 == 0) r.Files();
        r.Unregister(id);
      }
    });
  }
  for (auto& t : threads) t.join();
  auto rows = r.Files();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].counters.busy_errors + rows[1].counters.busy_errors, 800);
  EXPECT_EQ(rows[0].connections + rows[1].connections, 0);
}

}  // namespace
}  // namespace doctor::wal
