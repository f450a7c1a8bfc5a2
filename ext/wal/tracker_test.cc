#include "ext/wal/tracker.h"

#include "gtest/gtest.h"

namespace doctor::wal {
namespace {

WalIndex Index(uint32_t change, uint32_t mx, uint32_t backfill, uint32_t salt) {
  WalIndex ix;
  ix.header.change = change;
  ix.header.mx_frame = mx;
  ix.header.salt = {salt, salt};
  ix.backfill = backfill;
  return ix;
}

TEST(Tracker, CommitsAreUnknownUntilACheckpointIsSeen) {
  Tracker t;
  FileView v = t.Observe("a.db", "main", Index(5, 10, 0, 1), 1000, 10);
  EXPECT_FALSE(v.commits_since_checkpoint.has_value());
  EXPECT_EQ(v.checkpoints, 0);
}

TEST(Tracker, ObservedBackfillIsACheckpoint) {
  Tracker t;
  t.Observe("a.db", "main", Index(5, 10, 0, 1), 1000, 10);
  FileView v = t.Observe("a.db", "main", Index(7, 12, 10, 1), 2000, 10);
  EXPECT_EQ(v.checkpoints, 1);
  EXPECT_EQ(*v.last_at_ms, 2000);
  EXPECT_FALSE(v.last_ms.has_value());
  EXPECT_EQ(*v.commits_since_checkpoint, 0);
  v = t.Observe("a.db", "main", Index(10, 15, 10, 1), 3000, 10);
  EXPECT_EQ(*v.commits_since_checkpoint, 3);
  ASSERT_EQ(t.History().size(), 1u);
  EXPECT_EQ(t.History()[0].mode, "observed");
  EXPECT_EQ(*t.History()[0].checkpointed_frames, 10);
}

TEST(Tracker, RecordedCheckpointAndTheRestartAfterItCountOnce) {
  Tracker t;
  CheckpointRecord r;
  r.at_ms = 1000;
  r.file = "a.db";
  r.mode = "PASSIVE";
  r.ms = 1.5;
  r.log_frames = 10;
  r.checkpointed_frames = 10;
  t.Record(r, Index(5, 10, 10, 1), 10);
  // Three commits later the WAL restarted (new salt): no new checkpoint.
  FileView v = t.Observe("a.db", "main", Index(8, 3, 0, 2), 2000, 10);
  EXPECT_EQ(v.checkpoints, 1);
  EXPECT_EQ(*v.last_ms, 1.5);
  EXPECT_EQ(*v.commits_since_checkpoint, 3);
}

TEST(Tracker, RestartNotPrecededByAKnownCheckpointIsObserved) {
  Tracker t;
  t.Observe("a.db", "main", Index(5, 10, 4, 1), 1000, 10);
  FileView v = t.Observe("a.db", "main", Index(9, 2, 0, 2), 2000, 10);
  EXPECT_EQ(v.checkpoints, 1);
}

TEST(Tracker, HistoryIsBounded) {
  Tracker t;
  CheckpointRecord r;
  r.file = "a.db";
  for (int i = 0; i < 50; ++i) {
    r.at_ms = i;
    t.Record(r, std::nullopt, 5);
  }
  auto h = t.History();
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h.front().at_ms, 45);
  EXPECT_EQ(h.back().at_ms, 49);
}


}  // namespace
}  // namespace doctor::wal
