// The plan history without SQLite: changes, figures before and after, bounds, fixes.
#include "ext/timing/plan_history.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor::timing {
namespace {

constexpr char kIndexed[] = "SEARCH jobs USING INDEX jobs_state (state=? AND run_at<?)";
constexpr char kScan[] = "SCAN jobs";

// `calls` runs of `ms` and `steps` each folded into the shape's entry.
void Runs(Stats& stats, const Key& key, int calls, double ms, int64_t steps) {
  Counters c;
  for (int i = 0; i < calls; ++i) c.AddRun(ms, 1, steps, 0, 0, 0);
  stats.Merge(key, "SELECT q", "SELECT q", c, 100);
}

TEST(PlanHistory, RecordsAChangeWithFiguresBeforeAndAfter) {
  Stats stats;
  PlanHistory history;
  const Key key{42, stats.DbIndex("app.db")};
  Runs(stats, key, 1, 0.01, 70);  // the first run, before its plan was captured
  EXPECT_FALSE(history.Observe(key, "app.db", "SELECT q", "SELECT q", kIndexed, "3.40.1", 1000,
                               stats, 100));
  Runs(stats, key, 9, 0.01, 70);
  // Same plan again (a re-prepare that changed nothing): confirmed, no change.
  EXPECT_FALSE(history.Observe(key, "app.db", "SELECT q", "SELECT q", kIndexed, "3.40.1", 2000,
                               stats, 100));
  EXPECT_TRUE(history.Observe(key, "app.db", "SELECT q", "SELECT q", kScan, "3.40.1", 3000,
                              stats, 100));
  Runs(stats, key, 5, 1.0, 6000);
  std::vector<PlanChange> changes = history.Changes(stats.Snapshot());
  ASSERT_EQ(changes.size(), 1u);
  const PlanChange& c = changes[0];
  EXPECT_EQ(c.old_plan.text, kIndexed);
  EXPECT_EQ(c.new_plan.text, kScan);
  EXPECT_EQ(c.old_plan.plan_id, PlanId(kIndexed));
  EXPECT_EQ(c.new_plan.plan_id, PlanId(kScan));
  EXPECT_EQ(c.old_plan.last_ms, 2000);  // last seen current before the change
  EXPECT_EQ(c.at_ms, 3000);
  EXPECT_EQ(c.old_plan.figures.calls, 10);
  EXPECT_EQ(c.old_plan.figures.vm_steps, 700);
  EXPECT_EQ(c.new_plan.figures.calls, 5);
  EXPECT_EQ(c.new_plan.figures.vm_steps, 30000);
  EXPECT_TRUE(IsRegression(c.old_plan.figures, c.new_plan.figures));
  EXPECT_FALSE(c.analyze_between);
  EXPECT_EQ(history.Current(42, "app.db")->text, kScan);
  EXPECT_FALSE(history.Current(42, "other.db").has_value());
}

TEST(PlanHistory, AnalyzeBetweenAndVersions) {
  Stats stats;
  PlanHistory history;
  const Key key{7, stats.DbIndex("a.db")};
  history.Observe(key, "a.db", "q", "q", kIndexed, "3.40.1", 1000, stats, 100);
  history.NoteAnalyze(1500);
  history.Observe(key, "a.db", "q", "q", kScan, "3.53.2", 2000, stats, 100);
  std::vector<PlanChange> changes = history.Changes(stats.Snapshot());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].analyze_between);
  EXPECT_EQ(changes[0].old_plan.sqlite_version, "3.40.1");
  EXPECT_EQ(changes[0].new_plan.sqlite_version, "3.53.2");
}

TEST(PlanHistory, Bounded) {
  Stats stats;
  PlanHistory history;
  const Key key{1, stats.DbIndex("b.db")};
  for (int i = 0; i < 600; ++i) {
    history.Observe(key, "b.db", "q", "q", "SCAN t" + std::to_string(i), "3.40.1", 1000 + i,
                    stats, 100);
  }
  EXPECT_EQ(history.Changes(stats.Snapshot()).size(), PlanHistory::kMaxChanges);
  EXPECT_EQ(history.Current(1, "b.db")->text, "SCAN t599");
  for (int i = 0; i < 6000; ++i) {
    history.Observe(Key{100 + i, key.db}, "b.db", "q", "q", "SCAN x", "3.40.1", 5000 + i, stats,
                    10000);
  }
  EXPECT_FALSE(history.Current(100, "b.db").has_value());  // the least recently planned went
  EXPECT_TRUE(history.Current(6099, "b.db").has_value());
  history.Reset();
  EXPECT_TRUE(history.Changes(stats.Snapshot()).empty());
  EXPECT_FALSE(history.Current(6099, "b.db").has_value());
}

TEST(PlanHistory, RegressionNeedsTwiceTheCost) {
  EXPECT_FALSE(IsRegression({0, 10, 1.0, 700}, {0, 10, 1.5, 1000}));   // 1.4x
  EXPECT_TRUE(IsRegression({0, 10, 1.0, 700}, {0, 10, 1.0, 1500}));    // steps 2.1x
  EXPECT_FALSE(IsRegression({0, 10, 1.0, 30}, {0, 10, 1.0, 70}));      // 2.3x but 4 steps more
  EXPECT_TRUE(IsRegression({0, 10, 1.0, 700}, {0, 10, 3.0, 700}));     // latency 3x
  EXPECT_FALSE(IsRegression({0, 2, 1.0, 700}, {0, 2, 3.0, 700}));      // too few runs to tell
  EXPECT_FALSE(IsRegression({0, 10, 1.0, 90000}, {0, 10, 3.0, 130}));  // slower, far less work
  EXPECT_FALSE(IsRegression({0, 0, 0, 0}, {0, 10, 3.0, 700}));
}

TEST(PlanHistory, IndexesOfPlansAndTheirFixes) {
  EXPECT_THAT(PlanIndexes("SEARCH a USING INDEX a_x (x=?); SEARCH b USING COVERING INDEX b_y "
                          "(y=?); SEARCH c USING AUTOMATIC COVERING INDEX (z=?)"),
              ::testing::ElementsAre("a_x", "b_y"));
  EXPECT_THAT(DroppedIndexes(kIndexed, kScan), ::testing::ElementsAre("jobs_state"));
  EXPECT_TRUE(DroppedIndexes(kIndexed, kIndexed).empty());
  EXPECT_EQ(IndexFromPlan(kIndexed, "jobs_state"),
            "CREATE INDEX \"jobs_state\" ON \"jobs\"(\"state\", \"run_at\");");
  EXPECT_EQ(IndexFromPlan("SCAN jobs USING INDEX jobs_state", "jobs_state"), "");
  // The ORDER BY it served and, covering, the columns the query reads (the rowid alias `id` is
  // not among the table's columns given). Before: ("state") alone, and the TEMP B-TREE stayed.
  const std::vector<std::string> job_columns = {"user_id", "state", "run_at", "payload"};
  const char* covering = "SEARCH jobs USING COVERING INDEX j (state=?)";
  const char* query = "SELECT id, user_id, run_at FROM jobs WHERE state = ? ORDER BY run_at LIMIT ?";
  EXPECT_EQ(IndexFromPlan(covering, "j", query, job_columns),
            "CREATE INDEX \"j\" ON \"jobs\"(\"state\", \"run_at\", \"user_id\");");
  EXPECT_EQ(IndexFromPlan("SEARCH jobs USING INDEX j (state=?)", "j",
                          "SELECT * FROM jobs WHERE state = ? ORDER BY jobs.run_at DESC, id",
                          job_columns),
            "CREATE INDEX \"j\" ON \"jobs\"(\"state\", \"run_at\" DESC, \"id\");");
  // Not when the plan sorted, a constraint is a range, or the query joins.
  EXPECT_EQ(IndexFromPlan("SEARCH jobs USING INDEX j (state=?); USE TEMP B-TREE FOR ORDER BY", "j",
                          query, {}),
            "CREATE INDEX \"j\" ON \"jobs\"(\"state\");");
  EXPECT_EQ(IndexFromPlan("SEARCH jobs USING INDEX j (state=? AND run_at>?)", "j",
                          "SELECT * FROM jobs WHERE state = ? AND run_at > ? ORDER BY user_id", {}),
            "CREATE INDEX \"j\" ON \"jobs\"(\"state\", \"run_at\");");
  EXPECT_EQ(IndexFromPlan("SEARCH jobs USING INDEX j (state=?)", "j",
                          "SELECT * FROM jobs JOIN users ON users.id = jobs.user_id WHERE state = ? "
                          "ORDER BY run_at", job_columns),
            "CREATE INDEX \"j\" ON \"jobs\"(\"state\");");
  EXPECT_EQ(IndexFromPlan("SEARCH jobs USING INDEX j (state=?)", "j",
                          "SELECT * FROM jobs WHERE state = ? ORDER BY lower(payload)", {}),
            "CREATE INDEX \"j\" ON \"jobs\"(\"state\");");
  EXPECT_EQ(IndexFromPlan("SEARCH t USING INDEX t_e (<expr>=?)", "t_e"), "");
  EXPECT_EQ(TableOfIndex(kIndexed, "jobs_state"), "jobs");
  const char* migration =
      "CREATE TABLE x(a);\n--> statement-breakpoint\n"
      "CREATE INDEX IF NOT EXISTS \"Jobs_State\" ON jobs(state, run_at) WHERE state <> 'done';\n"
      "CREATE INDEX jobs_state_2 ON jobs(state)";
  EXPECT_EQ(FindCreateIndex(migration, "jobs_state"),
            "CREATE INDEX IF NOT EXISTS \"Jobs_State\" ON jobs(state, run_at) WHERE state <> "
            "'done';");
  EXPECT_EQ(FindCreateIndex(migration, "jobs_state_2"), "CREATE INDEX jobs_state_2 ON jobs(state);");
  EXPECT_EQ(FindCreateIndex(migration, "jobs"), "");
}

TEST(PlanHistory, PlansThatCannotMoveTheScanCounters) {
  auto moves_none = [](const char* text) { return PlanMovesNoScanCounters(ParsePlanText(text)); };
  EXPECT_TRUE(moves_none(kIndexed));
  EXPECT_TRUE(moves_none("SEARCH t USING INTEGER PRIMARY KEY (rowid=?)"));
  EXPECT_TRUE(moves_none("SEARCH a USING INDEX a_x (x=?); SEARCH b USING INTEGER PRIMARY KEY "
                         "(rowid=?)"));
  EXPECT_FALSE(moves_none(kScan));
  EXPECT_FALSE(moves_none("SCAN jobs USING COVERING INDEX jobs_state"));  // FULLSCAN_STEP
  EXPECT_FALSE(moves_none("SEARCH t USING INDEX t_a (a=?); USE TEMP B-TREE FOR ORDER BY"));
  EXPECT_FALSE(moves_none("SEARCH t USING AUTOMATIC COVERING INDEX (z=?)"));
  EXPECT_FALSE(moves_none("SEARCH t USING COVERING INDEX t_a"));  // min()/max(): no constraint
  EXPECT_FALSE(moves_none("SEARCH t USING INDEX t_a (a=?); SCALAR SUBQUERY 1; SCAN u"));
  EXPECT_FALSE(moves_none("MULTI-INDEX OR; INDEX 1; SEARCH t USING INDEX t_a (a=?)"));
  EXPECT_FALSE(moves_none(""));
}

}  // namespace
}  // namespace doctor::timing
