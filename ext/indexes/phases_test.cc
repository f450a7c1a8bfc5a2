// Each phase of the advisor alone, on a small database: the scratch copy's schema and sample
// steps, the workload, the candidates, the cost cache and the search.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ext/core/connection.h"
#include "ext/core/query_plan.h"
#include "ext/core/sql.h"
#include "ext/core/private_db.h"
#include "ext/core/time.h"
#include "ext/core/testing.h"
#include "ext/indexes/advice_report.h"
#include "ext/indexes/candidate_pool.h"
#include "ext/indexes/cost_cache.h"
#include "ext/indexes/probe.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/scratch_partners.h"
#include "ext/indexes/scratch_schema.h"
#include "ext/indexes/search.h"
#include "ext/indexes/select.h"
#include "ext/indexes/workload.h"
#include "gtest/gtest.h"

namespace doctor::indexes {
namespace {

class PhasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, s TEXT COLLATE NOCASE);"
             "CREATE INDEX t_a ON t(a);"
             "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 3000) "
             "INSERT INTO t SELECT v, v % 100, v % 7, 's' || v FROM n;");
    connection_ = Connection::Find(db_.get());
    ASSERT_NE(connection_, nullptr);
  }
  std::unique_ptr<Scratch> Build(int64_t sample_rows = 20000) {
    ScratchOptions so;
    so.sample_rows = sample_rows;
    auto s = Scratch::Build(*connection_, so);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }
  testing::Db db_;
  Connection* connection_ = nullptr;
};

// WITHOUT ROWID was found by searching the CREATE text, so a default value or a comment that
// says it made a rowid table read as one without rowid (sampled without its rowid, its INTEGER
// PRIMARY KEY not known as the rowid); and SQLite says which tables are.
TEST_F(PhasesTest, WithoutRowidIsWhatSqliteSaysNotWhatTheTextContains) {
  db_.Exec("CREATE TABLE said(id INTEGER PRIMARY KEY, note TEXT DEFAULT 'no WITHOUT ROWID here') "
           "/* not WITHOUT ROWID */; CREATE TABLE wr(k TEXT PRIMARY KEY, v) WITHOUT  ROWID;");
  auto objects = ReadSchemaObjects(*connection_);
  ASSERT_TRUE(objects.ok());
  auto tables = ReadTables(*connection_, *objects);
  ASSERT_TRUE(tables.ok());
  std::map<std::string, const TableInfo*> by_name;
  for (const TableInfo& t : *tables) by_name[t.name] = &t;
  ASSERT_EQ(by_name.count("said"), 1u);
  EXPECT_FALSE(by_name["said"]->without_rowid);
  EXPECT_TRUE(by_name["said"]->integer_pk);
  ASSERT_EQ(by_name.count("wr"), 1u);
  EXPECT_TRUE(by_name["wr"]->without_rowid);
}

TEST_F(PhasesTest, SchemaStepReadsColumnsAndIndexes) {
  auto objects = ReadSchemaObjects(*connection_);
  ASSERT_TRUE(objects.ok());
  auto tables = ReadTables(*connection_, *objects);
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 1u);
  const TableInfo& t = (*tables)[0];
  EXPECT_TRUE(t.integer_pk);
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[3].collation, "NOCASE");
  ASSERT_EQ(t.indexes.size(), 1u);
  EXPECT_EQ(t.indexes[0].name, "t_a");
}

TEST_F(PhasesTest, SampleStepKeepsTheShare) {
  std::unique_ptr<Scratch> scratch = Build(1000);
  ASSERT_NE(scratch, nullptr);
  const TableInfo* t = scratch->FindTable("t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->real_rows, 3000);
  EXPECT_GE(t->sample_rows, 900);
  EXPECT_LE(t->sample_rows, 1100);
}

TEST_F(PhasesTest, WorkloadKeepsQueriesAndWritesOnly) {
  std::unique_ptr<Scratch> scratch = Build();
  auto items = LoadWorkload(*scratch, {{"-- poll\nSELECT * FROM t WHERE b = ?; PRAGMA user_version;"
                                        " /* w */ DELETE FROM t WHERE a = 3", 2.0, true}});
  ASSERT_TRUE(items.ok()) << items.status();
  // The statement with a parameter is measured twice (the most frequent value, and the middle
  // row's), sharing its weight.
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[0].kind, StatementKind::kSelect);
  EXPECT_EQ((*items)[0].params.size(), 1u);
  EXPECT_EQ((*items)[0].weight + (*items)[1].weight, 2.0);
  EXPECT_NE((*items)[0].assumed.find("b = "), std::string::npos);
  EXPECT_EQ((*items)[2].kind, StatementKind::kDelete);
  EXPECT_EQ((*items)[2].written, "t");
}

// A stopped scratch (work_timeout_ms passed, or the caller interrupted) stops the workload's
// loops at the next statement: index_whatif of 100,000 statements with a 3 s limit went on
// preparing each of them, three times, for 24 s after the limit.
TEST_F(PhasesTest, AStoppedScratchPreparesNoFurtherStatement) {
  ASSERT_TRUE(kWorkTimeoutMs.Set(Value(int64_t{1000})).ok());
  std::unique_ptr<Scratch> scratch = Build();
  kWorkTimeoutMs.Reset();
  ASSERT_NE(scratch, nullptr);
  const double deadline = MonotonicMs() + 1000;
  while (MonotonicMs() < deadline + 10) absl::SleepFor(absl::Milliseconds(20));
  auto split = SplitAdvisable(*scratch, "SELECT * FROM t WHERE a = 1; SELECT 2", true);
  EXPECT_EQ(split.status().code(), absl::StatusCode::kDeadlineExceeded) << split.status();
  auto loaded = LoadStatement(*scratch, "SELECT * FROM t WHERE a = 1", 1, {});
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDeadlineExceeded) << loaded.status();
  StepCount run = scratch->Run("SELECT count(*) FROM t", {});
  EXPECT_EQ(run.steps, 0);
  EXPECT_NE(run.error.find("work_timeout_ms"), std::string::npos) << run.error;
}

TEST_F(PhasesTest, CandidatesCostAndSearch) {
  std::unique_ptr<Scratch> scratch = Build();
  auto probe = Probe::Build(*scratch);
  ASSERT_TRUE(probe.ok());
  auto items = LoadWorkload(*scratch, {{"SELECT * FROM t WHERE b = 3 AND s = 'x'", 1, true}});
  ASSERT_TRUE(items.ok());
  AdviseOptions options;
  options.allow_covering = false;
  options.allow_partial = false;
  CandidateCollector collector(*connection_, *scratch, **probe, options);
  for (WorkloadItem& item : *items) collector.AddStatement(&item);
  CandidatePool pool = collector.Take();
  ASSERT_GE(pool.size(), 1u);
  EXPECT_EQ(pool.indexes[0].Ddl(), "CREATE INDEX idx_t_s_b ON t(s, b)");
  CostCache costs(*scratch, *items, pool, 25);
  EXPECT_LT(costs.Cost(0, {0}) * 10, costs.Cost(0, {}));
  PruneCandidates(*scratch, *items, &pool);
  costs.PoolRenumbered();
  std::vector<Choice> chosen = SearchIndexes(pool, *items, costs, options);
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_FALSE(costs.time_limit_reached());
}

// A workload of repeated calls (the same text and values) measures each statement once; the
// repeats get the first one's costs.
TEST_F(PhasesTest, CostCacheMeasuresARepeatedStatementOnce) {
  std::unique_ptr<Scratch> scratch = Build();
  auto probe = Probe::Build(*scratch);
  ASSERT_TRUE(probe.ok());
  auto items = LoadWorkload(*scratch, {{"SELECT * FROM t WHERE b = 3 AND s = 'x';"
                                        "SELECT * FROM t WHERE b = 4 AND s = 'x';"
                                        "SELECT * FROM t WHERE b = 3 AND s = 'x'",
                                        1, true}});
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 3u);
  CandidateCollector collector(*connection_, *scratch, **probe, AdviseOptions());
  for (WorkloadItem& item : *items) collector.AddStatement(&item);
  CandidatePool pool = collector.Take();
  ASSERT_GE(pool.size(), 1u);
  CostCache costs(*scratch, *items, pool, 25);
  const double before = costs.Cost(0, {}), after = costs.Cost(0, {0});
  costs.Cost(1, {});
  const int runs = costs.runs();
  EXPECT_EQ(costs.Cost(2, {}), before);
  EXPECT_EQ(costs.Cost(2, {0}), after);
  EXPECT_EQ(costs.runs(), runs);
  EXPECT_GT(costs.Cost(1, {0}), 0);
  EXPECT_EQ(costs.runs(), runs + 1);  // the second statement differs: measured
}

// A statement with parameters is planned with its values bound when the cost cache reads which
// indexes its plan uses: unbound, `state = ?` cannot use a partial index `WHERE state =
// 'running'`, so the plan seemed to use none of the set and the statement was given its
// baseline cost (app_jsondocs params: the partial index for the rare status looked useless
// beside a full one, 424k steps on the bench's data instead of 260k).
TEST_F(PhasesTest, CostCacheReadsThePlanWithTheValuesBound) {
  db_.Exec("CREATE TABLE q(id INTEGER PRIMARY KEY, state TEXT, priority INTEGER);"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 3000) "
           "INSERT INTO q SELECT v, CASE WHEN v % 50 = 0 THEN 'running' ELSE 'done' END, "
           "v % 97 FROM n;");
  std::unique_ptr<Scratch> scratch = Build();
  auto items = LoadStatementVariants(
      *scratch, "SELECT id FROM q WHERE state = ? ORDER BY priority DESC LIMIT 10", 1);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 2u);  // the most frequent value, and the rarest
  ASSERT_EQ((*items)[1].params.size(), 1u);
  ASSERT_EQ((*items)[1].params[0].AsText(), "running");
  CandidatePool pool;
  IndexDef partial{"q", {{"priority", "", true}}, "state = 'running'"};
  partial.name = "q_running";
  pool.indexes.push_back(partial);
  pool.bytes.push_back(1000);
  CostCache costs(*scratch, *items, pool, 25);
  const double before = costs.Cost(1, {});
  const double after = costs.Cost(1, {0});
  EXPECT_LT(after * 5, before) << before << " -> " << after;
  // The frequent value cannot use it: its cost stays.
  EXPECT_GE(costs.Cost(0, {0}), costs.Cost(0, {}));
}

// Evenly spread values (every kind as frequent as the others): the most frequent and the rarest
// were both the smallest ('a'), so the statement was measured twice with one value; the rarest
// now takes the largest of the tied values.
TEST_F(PhasesTest, EvenlySpreadValuesAreMeasuredWithTwoOfThem) {
  db_.Exec("CREATE TABLE e(id INTEGER PRIMARY KEY, kind TEXT, at INTEGER);"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 2000) "
           "INSERT INTO e SELECT v, char(97 + v % 4), v FROM n;");
  std::unique_ptr<Scratch> scratch = Build();
  auto items = LoadStatementVariants(*scratch, "SELECT id FROM e WHERE kind = ? ORDER BY at", 1);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 2u);
  ASSERT_EQ((*items)[0].params.size(), 1u);
  ASSERT_EQ((*items)[1].params.size(), 1u);
  EXPECT_EQ((*items)[0].params[0].AsText(), "a");
  EXPECT_EQ((*items)[1].params[0].AsText(), "d");
}

// A column compared with `?` gets the partial candidates its literal twin gets when the value
// guessed for it stands out as rare (the probe sees no constant for a parameter: `country = ?`
// had none, `country = 'DE'` had `... WHERE country = 'DE'`); a value among evenly spread ones
// (`b`, 7 values) is an arbitrary guess and names none.
TEST_F(PhasesTest, AParameterEqualToARareValueGetsTheLiteralsPartialCandidates) {
  db_.Exec("CREATE TABLE q(id INTEGER PRIMARY KEY, state TEXT, b INTEGER, priority INTEGER);"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 3000) "
           "INSERT INTO q SELECT v, CASE WHEN v % 50 = 0 THEN 'running' ELSE 'done' END, v % 7, "
           "v % 97 FROM n;");
  std::unique_ptr<Scratch> scratch = Build();
  auto probe = Probe::Build(*scratch);
  ASSERT_TRUE(probe.ok());
  auto partials = [&](const std::string& sql) {
    auto items = LoadStatementVariants(*scratch, sql, 1);
    EXPECT_TRUE(items.ok()) << items.status();
    CandidateCollector collector(*connection_, *scratch, **probe, AdviseOptions());
    for (WorkloadItem& item : *items) collector.AddStatement(&item);
    std::set<std::string> out;
    for (const IndexDef& d : collector.Take().indexes) {
      if (!d.where.empty()) out.insert(d.Ddl());
    }
    return out;
  };
  const std::set<std::string> literal =
      partials("SELECT id FROM q WHERE state = 'running' ORDER BY priority DESC LIMIT 10");
  ASSERT_FALSE(literal.empty());
  EXPECT_EQ(partials("SELECT id FROM q WHERE state = ? ORDER BY priority DESC LIMIT 10"), literal);
  EXPECT_TRUE(partials("SELECT id FROM q WHERE b = ? ORDER BY priority DESC LIMIT 10").empty());
}

// A rare value of a function of a column is a partial-index predicate for the scan's columns
// too, as a rare column constant is (app_jsondocs: `o.id = d.owner_id ... AND
// json_extract(d.body, '$.customer.tier') = 'gold'` had only the full expression index, 800 kB,
// which the planner also takes for the frequent 'basic'), literal or parameter alike.
TEST_F(PhasesTest, ARareExpressionValueIsAPartialPredicateForTheScansColumns) {
  db_.Exec("CREATE TABLE d(id INTEGER PRIMARY KEY, owner INTEGER, body TEXT);"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 3000) "
           "INSERT INTO d SELECT v, v % 300, json_object('tier', CASE WHEN v % 9 = 0 THEN "
           "'gold' ELSE 'basic' END) FROM n;");
  std::unique_ptr<Scratch> scratch = Build();
  auto probe = Probe::Build(*scratch);
  ASSERT_TRUE(probe.ok());
  auto ddls = [&](const std::string& sql) {
    auto items = LoadStatementVariants(*scratch, sql, 1);
    EXPECT_TRUE(items.ok()) << items.status();
    CandidateCollector collector(*connection_, *scratch, **probe, AdviseOptions());
    for (WorkloadItem& item : *items) collector.AddStatement(&item);
    std::set<std::string> out;
    for (const IndexDef& d : collector.Take().indexes) out.insert(d.Ddl());
    return out;
  };
  const std::string partial = "ON d(owner) WHERE json_extract(body, '$.tier') = 'gold'";
  auto has = [&](const std::set<std::string>& got) {
    for (const std::string& d : got) {
      if (d.find(partial) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(ddls("SELECT count(*) FROM d WHERE owner = 7 AND "
                       "json_extract(body, '$.tier') = 'gold'")));
  EXPECT_TRUE(has(ddls("SELECT count(*) FROM d WHERE owner = ? AND "
                       "json_extract(body, '$.tier') = ?")));
  EXPECT_FALSE(has(ddls("SELECT count(*) FROM d WHERE owner = 7 AND "
                        "json_extract(body, '$.tier') = 'basic'")));
}

// Pruning builds the candidates together and keeps those some plan picks; a candidate the planner
// passes over only because another one is there (without statistics it takes an equality on
// `type` over the ORDER BY ... LIMIT index, 300x dearer here) is kept by a second pass among the
// rest (app_jsondocs: `type = ? ORDER BY total DESC LIMIT 10` lost its (total) index).
TEST_F(PhasesTest, PruningKeepsACandidateAnotherHidFromThePlanner) {
  db_.Exec("CREATE TABLE p(id INTEGER PRIMARY KEY, type TEXT, total INTEGER, x INTEGER);"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 3000) "
           "INSERT INTO p SELECT v, 't' || (v % 5), (v * 7919) % 3001, v % 13 FROM n;");
  std::unique_ptr<Scratch> scratch = Build();
  auto items = LoadWorkload(
      *scratch, {{"SELECT id FROM p WHERE type = 't2' ORDER BY total DESC LIMIT 10", 1, true}});
  ASSERT_TRUE(items.ok()) << items.status();
  CandidatePool pool;
  auto add = [&](IndexDef d) {
    d.name = d.StableName();
    pool.indexes.push_back(d);
    pool.bytes.push_back(1000);
  };
  add(IndexDef{"p", {{"type"}}, ""});
  add(IndexDef{"p", {{"total"}}, ""});
  for (int k = 0; k < 12; ++k) add(IndexDef{"p", {{"x"}}, "x = " + std::to_string(k)});
  PruneCandidates(*scratch, *items, &pool);
  std::set<std::string> kept;
  for (const IndexDef& d : pool.indexes) kept.insert(d.StableName());
  EXPECT_EQ(kept, (std::set<std::string>{"idx_p_type", "idx_p_total"}));
}

// The DELETE FROM users WHERE id = ?: the sample must hold all the children and
// grandchildren its cascade deletes, not the sample's share of them.
TEST_F(PhasesTest, WriteSeedsTheChildrenItsCascadeTouches) {
  db_.Exec("CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);"
           "CREATE TABLE projects(id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES users(id) "
           "ON DELETE CASCADE, name TEXT);"
           "CREATE TABLE resources(id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES "
           "projects(id) ON DELETE CASCADE);"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 20000) "
           "INSERT INTO projects SELECT v, 1 + v % 200, 'p' FROM n;"
           "INSERT INTO users SELECT id, 'u' FROM projects WHERE id <= 200;"
           "INSERT INTO resources SELECT id, 1 + (id * 7) % 20000 FROM projects;");
  std::unique_ptr<Scratch> scratch = Build(2000);
  ASSERT_NE(scratch, nullptr);
  auto probe = Probe::Build(*scratch);
  ASSERT_TRUE(probe.ok());
  auto items = LoadWorkload(*scratch, {{"DELETE FROM users WHERE id = 7", 1, true}});
  ASSERT_TRUE(items.ok());
  CandidateCollector collector(*connection_, *scratch, **probe, AdviseOptions());
  for (WorkloadItem& item : *items) collector.AddStatement(&item);
  auto count = [&](const std::string& sql) {
    auto rows = Query(scratch->db(), sql);
    return rows.ok() && !rows->empty() ? (*rows)[0][0].AsInt() : -1;
  };
  EXPECT_EQ(count("SELECT count(*) FROM projects WHERE owner_id = 7"), 100);
  EXPECT_EQ(count("SELECT count(*) FROM resources WHERE project_id IN (SELECT id FROM projects "
                  "WHERE owner_id = 7)"),
            100);
}

// A cascading DELETE without its children's indexes is dear (each deleted parent scans the
// child table); the search tries many sets of indexes on the parent. Measured by table
// (cost_split.cc) it costs what it costs measured whole, for every set, and the search chooses
// the same indexes with the same benefits, for a fraction of the VM steps run.
TEST_F(PhasesTest, ACascadingWriteMeasuredByTableCostsWhatItCostsWhole) {
  db_.Exec("CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);"
           "CREATE TABLE projects(id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES users(id) "
           "ON DELETE CASCADE, name TEXT, kind INTEGER);"
           "CREATE TABLE resources(id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES "
           "projects(id) ON DELETE CASCADE, kind INTEGER);"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 20000) "
           "INSERT INTO projects SELECT v, 1 + v % 200, 'p' || (v % 5000), v % 7 FROM n;"
           "INSERT INTO users SELECT id, 'u' FROM projects WHERE id <= 200;"
           "INSERT INTO resources SELECT id, 1 + (id * 7) % 20000, id % 50 FROM projects;");
  const std::string workload =
      "DELETE FROM users WHERE id = 7; SELECT * FROM projects WHERE name = 'p5';"
      "SELECT count(*) FROM projects WHERE kind = 3 AND owner_id = 9;"
      "SELECT * FROM resources WHERE kind = 4; UPDATE projects SET kind = 1 WHERE name = 'p9'";
  struct Run {
    std::unique_ptr<Scratch> scratch;
    std::vector<WorkloadItem> items;
    CandidatePool pool;
    std::vector<Choice> chosen;
    double delete_costs = 0, steps_run = 0;
    int builds = 0;
  };
  auto advise = [&](bool split, Run* run) {
    run->scratch = Build(2000);
    ASSERT_NE(run->scratch, nullptr);
    auto probe = Probe::Build(*run->scratch);
    ASSERT_TRUE(probe.ok());
    auto items = LoadWorkload(*run->scratch, {{workload, 1, true}});
    ASSERT_TRUE(items.ok()) << items.status();
    run->items = *std::move(items);
    AdviseOptions options;
    CandidateCollector collector(*connection_, *run->scratch, **probe, options);
    for (WorkloadItem& item : run->items) collector.AddStatement(&item);
    run->pool = collector.Take();
    CostCache costs(*run->scratch, run->items, run->pool, 25);
    costs.set_split_writes(split);
    for (size_t s = 0; s < run->items.size(); ++s) costs.Cost(static_cast<int>(s), {});
    PruneCandidates(*run->scratch, run->items, &run->pool);
    costs.PoolRenumbered();
    // The DELETE (statement 0) with each candidate alone and with each pair.
    const int n = static_cast<int>(run->pool.size());
    for (int a = 0; a < n; ++a) {
      run->delete_costs += costs.Cost(0, Relevant(run->pool.indexes, {a}, {1, run->items[0].tables}));
      for (int b = a + 1; b < n; ++b) {
        run->delete_costs +=
            costs.Cost(0, Relevant(run->pool.indexes, {a, b}, {1, run->items[0].tables}));
      }
    }
    run->chosen = SearchIndexes(run->pool, run->items, costs, options);
    run->steps_run = costs.steps_run();
    run->builds = costs.builds();
  };
  Run whole, split;
  advise(false, &whole);
  advise(true, &split);
  ASSERT_EQ(whole.pool.size(), split.pool.size());
  EXPECT_EQ(whole.delete_costs, split.delete_costs);
  ASSERT_EQ(whole.chosen.size(), split.chosen.size());
  ASSERT_GE(split.chosen.size(), 2u);
  for (size_t i = 0; i < whole.chosen.size(); ++i) {
    EXPECT_EQ(whole.pool.indexes[whole.chosen[i].candidate].Ddl(),
              split.pool.indexes[split.chosen[i].candidate].Ddl());
    EXPECT_EQ(whole.chosen[i].benefit, split.chosen[i].benefit);
  }
  EXPECT_LT(split.steps_run * 3, whole.steps_run);
  // Each candidate is built once at most: a set the search leaves is parked, not dropped.
  EXPECT_LE(split.builds, static_cast<int>(split.pool.size()));
}

// A parked index is out of the plans and comes back without a build, in step with its table
// (writes on the copy are rolled back).
TEST_F(PhasesTest, AParkedIndexLeavesThePlansAndComesBackUnbuilt) {
  std::unique_ptr<Scratch> scratch = Build();
  auto probe = Probe::Build(*scratch);
  ASSERT_TRUE(probe.ok());
  auto items = LoadWorkload(*scratch, {{"SELECT * FROM t WHERE b = 3 AND s = 'x';"
                                        "DELETE FROM t WHERE b = 3",
                                        1, true}});
  ASSERT_TRUE(items.ok());
  AdviseOptions options;
  options.allow_covering = false;
  options.allow_partial = false;
  CandidateCollector collector(*connection_, *scratch, **probe, options);
  for (WorkloadItem& item : *items) collector.AddStatement(&item);
  CandidatePool pool = collector.Take();
  ASSERT_GE(pool.size(), 1u);
  const std::string name = pool.indexes[0].Name();
  CostCache costs(*scratch, *items, pool, 25);
  auto uses = [&] {
    auto plan = ExplainQueryPlan(scratch->db(), (*items)[0].sql);
    return plan.ok() && plan->UsesIndex(name);
  };
  const double with = costs.Cost(0, {0});
  EXPECT_TRUE(uses());
  costs.Cost(1, {0});  // a delete, rolled back
  ASSERT_TRUE(costs.Ensure({"t"}, {}));
  EXPECT_FALSE(uses());
  costs.Cost(1, {});
  ASSERT_TRUE(costs.Ensure({"t"}, {0}));
  EXPECT_TRUE(uses());
  EXPECT_EQ(costs.builds(), 1);
  auto count = [&](const std::string& sql) {
    auto rows = Query(scratch->db(), sql);
    return rows.ok() && !rows->empty() ? (*rows)[0][0].AsInt() : -1;
  };
  EXPECT_EQ(count("SELECT count(*) FROM t INDEXED BY " + name + " WHERE s = 's3' AND b = 3"),
            count("SELECT count(*) FROM t NOT INDEXED WHERE s = 's3' AND b = 3"));
  EXPECT_EQ(count("SELECT count(*) FROM t INDEXED BY " + name + " WHERE s > '' AND b = 3"), 429);
  EXPECT_GT(with, 0);
}

// The join step of the sample: the workload's joins on a whole key (an INTEGER PRIMARY KEY, a
// composite PRIMARY KEY) link child to parent; a join on part of a key links nothing; the
// parents the sampled child rows reach are copied.
TEST_F(PhasesTest, SampleStepCopiesTheParentsTheWorkloadsJoinsReach) {
  db_.Exec("CREATE TABLE o(k INTEGER PRIMARY KEY, v);"
           "CREATE TABLE ps(p, s, v, PRIMARY KEY(p, s));"
           "CREATE TABLE l(ok, p, s, v);"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 4000) "
           "INSERT INTO o SELECT v, v FROM n;"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 2000) "
           "INSERT INTO ps SELECT v, v % 3, v FROM n;"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 8000) "
           "INSERT INTO l SELECT 1 + (v * 7919) % 4000, v % 2000, (v % 2000) % 3, v FROM n;");
  auto objects = ReadSchemaObjects(*connection_);
  ASSERT_TRUE(objects.ok());
  auto tables = ReadTables(*connection_, *objects);
  ASSERT_TRUE(tables.ok());
  const std::string workload =
      "SELECT * FROM l AS x JOIN o ON o.k = x.ok; "
      "SELECT * FROM l, ps WHERE ps.p = l.p AND ps.s = l.s; SELECT * FROM t, ps WHERE ps.p = t.a";
  std::vector<ParentLink> links = ParentLinks(JoinEqualities(workload), *tables);
  ASSERT_EQ(links.size(), 2u);
  for (const ParentLink& link : links) EXPECT_EQ((*tables)[link.child].name, "l");
  EXPECT_EQ((*tables)[links[0].parent].name, "o");
  EXPECT_EQ(links[0].child_columns, std::vector<std::string>({"ok"}));
  EXPECT_EQ((*tables)[links[1].parent].name, "ps");
  EXPECT_EQ(links[1].parent_columns, std::vector<std::string>({"p", "s"}));

  ScratchOptions so;
  so.sample_rows = 1000;
  auto plain = Scratch::Build(*connection_, so);
  so.workload = {workload};
  auto joined = Scratch::Build(*connection_, so);
  ASSERT_TRUE(plain.ok() && joined.ok());
  EXPECT_EQ((*plain)->FindTable("l")->sample_rows, (*joined)->FindTable("l")->sample_rows);
  const int64_t before = (*plain)->FindTable("o")->sample_rows;
  const int64_t after = (*joined)->FindTable("o")->sample_rows;
  EXPECT_GT(after, before);
  // Every sampled l row finds its o row on the copy.
  auto orphans = Query((*joined)->db(), "SELECT count(*) FROM l WHERE ok NOT IN (SELECT k FROM o)");
  ASSERT_TRUE(orphans.ok());
  EXPECT_EQ((*orphans)[0][0].AsInt(), 0);
  EXPECT_GT((*joined)->FindTable("ps")->sample_rows, (*plain)->FindTable("ps")->sample_rows);
}

// Two candidates whose names are cut to the same (two long expressions): parking one must
// never bring the other back in its place. app_jsondocs params lost docs(created_at) before:
// the customer.id index was taken out when the customer.tier one was parked, so a lookup on
// customer.id looked as dear as a scan.
TEST_F(PhasesTest, CandidatesSharingANameAreNotParkedForEachOther) {
  std::unique_ptr<Scratch> scratch = Build();
  auto items = LoadWorkload(*scratch, {{"SELECT * FROM t WHERE coalesce(a, b, 1234567890123451) = 1;"
                                        "SELECT * FROM t WHERE coalesce(a, b, 1234567890123452) = 1",
                                        1, true}});
  ASSERT_TRUE(items.ok()) << items.status();
  CandidatePool pool;
  for (const char* expr : {"coalesce(a, b, 1234567890123451)", "coalesce(a, b, 1234567890123452)"}) {
    IndexDef d;
    d.table = "t";
    d.parts.push_back({expr, "", false, true});
    d.name = "idx_t_coalesce_a_b";  // one name for two keys (StableName hashes cut names apart)
    pool.indexes.push_back(d);
    pool.bytes.push_back(1000);
  }
  ASSERT_EQ(pool.indexes[0].name, pool.indexes[1].name);
  CostCache costs(*scratch, *items, pool, 25);
  auto uses = [&](int s) {
    auto plan = ExplainQueryPlan(scratch->db(), (*items)[s].sql);
    return plan.ok() && !plan->steps.empty() && !plan->steps[0].index.empty();
  };
  ASSERT_TRUE(costs.Ensure({"t"}, {0}));
  EXPECT_TRUE(uses(0));
  ASSERT_TRUE(costs.Ensure({"t"}, {1}));  // built under the name 0 had while 0 is parked
  EXPECT_TRUE(uses(1));
  EXPECT_FALSE(uses(0));
  ASSERT_TRUE(costs.Ensure({"t"}, {0}));
  EXPECT_TRUE(uses(0));
  EXPECT_FALSE(uses(1));
}

// The statements run on the scratch copy from now on (sqlite3_trace_v2), e.g. to count builds.
class StatementLog {
 public:
  explicit StatementLog(sqlite3* db) : db_(db) {
    sqlite3_trace_v2(db_, SQLITE_TRACE_STMT, &StatementLog::Add, this);
  }
  ~StatementLog() { sqlite3_trace_v2(db_, 0, nullptr, nullptr); }
  int Count(const std::string& prefix, const std::string& containing = "") const {
    int n = 0;
    for (const std::string& s : sql_) {
      n += s.rfind(prefix, 0) == 0 && s.find(containing) != std::string::npos;
    }
    return n;
  }
  // The statements run more than once (one a line), among those starting with `prefix`.
  std::string Repeated(const std::string& prefix) const {
    std::map<std::string, int> n;
    for (const std::string& s : sql_) {
      if (s.rfind(prefix, 0) == 0) ++n[s];
    }
    std::string out;
    for (const auto& [s, k] : n) {
      if (k > 1) out += absl::StrCat(k, "x ", s, "\n");
    }
    return out;
  }
  std::string All() const {
    std::string out;
    for (const std::string& s : sql_) out += s + "\n";
    return out;
  }

 private:
  static int Add(unsigned, void* self, void* stmt, void*) {
    const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(stmt));
    static_cast<StatementLog*>(self)->sql_.push_back(sql != nullptr ? sql : "");
    return 0;
  }
  sqlite3* db_;
  std::vector<std::string> sql_;
};

// Pruning only reads plans: without statistics an index plans the same unbuilt, so only the
// candidates whose CREATE INDEX could fail on the data (here the expression) are built, and
// the candidates kept are those the plans pick when all are built.
TEST_F(PhasesTest, PruningReadsPlansWithoutBuildingTheCandidates) {
  std::unique_ptr<Scratch> scratch = Build();
  auto items = LoadWorkload(*scratch, {{"SELECT * FROM t WHERE b = 3 AND a = 5;"
                                        "SELECT id FROM t WHERE s = 'x' ORDER BY b;"
                                        "SELECT a + b FROM t WHERE a + b = 7",
                                        1, true}});
  ASSERT_TRUE(items.ok());
  CandidatePool pool;
  auto add = [&](std::vector<KeyPart> parts, const std::string& where = "") {
    IndexDef d{"t", std::move(parts), where};
    d.name = d.StableName();
    pool.indexes.push_back(d);
    pool.bytes.push_back(1000);
  };
  for (const char* x : {"a", "b", "s"}) {
    for (const char* y : {"a", "b", "s"}) {
      if (std::string(x) != y) add({{x}, {y}});
    }
  }
  add({{"b"}});
  add({{"s"}});
  add({{"b"}, {"a"}, {"s"}});
  add({{"s"}, {"b"}, {"a"}});
  add({{"b"}}, "a = 5");
  add({{"a"}, {"b"}}, "s = 'x'");
  add({{"a + b", "", false, true}});
  pool.indexes.back().name = "idx_t_a_plus_b";  // StableName says idx_t_a_b, as (a, b) does
  ASSERT_GT(pool.size(), 12u);  // else nothing is pruned
  const std::vector<IndexDef> all = pool.indexes;
  // What the plans pick with every candidate built, on a copy of its own.
  std::unique_ptr<Scratch> built = Build();
  built->AddIndexes(all);
  std::set<std::string> picked;
  for (const WorkloadItem& item : *items) {
    auto plan = ExplainQueryPlan(built->db(), item.sql, item.params);
    ASSERT_TRUE(plan.ok());
    for (const IndexDef& d : all) {
      if (plan->UsesIndex(d.name)) picked.insert(d.name);
    }
  }
  ASSERT_FALSE(picked.empty());
  StatementLog log(scratch->db());
  PruneCandidates(*scratch, *items, &pool);
  // The expression's only (each candidate was built before).
  EXPECT_EQ(log.Count("CREATE INDEX", " ON t("), 1) << log.All();
  std::set<std::string> kept;
  for (const IndexDef& d : pool.indexes) kept.insert(d.name);
  for (const std::string& name : picked) EXPECT_TRUE(kept.count(name)) << name;
  for (const IndexDef& d : pool.indexes) {
    bool prefix_of_picked = false;
    for (const IndexDef& p : all) prefix_of_picked |= picked.count(p.name) && IsPrefixOf(d, p);
    EXPECT_TRUE(picked.count(d.name) || prefix_of_picked) << d.name;
  }
  // None is left in the schema, and the copy still plans with its own index.
  auto listed = Query(scratch->db(), "SELECT name FROM pragma_index_list('t')");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0][0].AsText(), "t_a");
  EXPECT_EQ(scratch->Run("SELECT count(*) FROM t WHERE a = 5", {}).error, "");
}

// A column's share of a value and a partial index's share of rows are read once, until Seed or
// SeedAll adds rows to the sample.
TEST_F(PhasesTest, SharesAreReadOnceUntilTheSampleGrows) {
  std::unique_ptr<Scratch> scratch = Build(600);
  StatementLog log(scratch->db());
  const double f = scratch->Frequency("t", "b", Value(int64_t{3}));
  EXPECT_EQ(scratch->Frequency("t", "b", Value(int64_t{3})), f);
  EXPECT_EQ(log.Count("SELECT avg(\"b\" = ?)"), 1);
  EXPECT_NE(scratch->Frequency("t", "b", Value(std::string("3"))), -1);  // another value
  EXPECT_EQ(log.Count("SELECT avg(\"b\" = ?)"), 2);
  const double share = scratch->Share("t", "b = 3");
  EXPECT_EQ(scratch->Share("t", "b = 3"), share);
  EXPECT_EQ(log.Count("SELECT avg(CASE WHEN b = 3"), 1);
  // Rows with b = 3 the sample did not hold: read again, and the share is the sample's now.
  std::vector<Value> ids;
  for (int64_t id = 3; id <= 3000; id += 7) ids.emplace_back(id);
  scratch->SeedAll(*connection_, "t", "id", ids, 1000);
  const double grown = scratch->Frequency("t", "b", Value(int64_t{3}));
  EXPECT_EQ(log.Count("SELECT avg(\"b\" = ?)"), 3);
  auto direct = Query(scratch->db(), "SELECT avg(b = 3) FROM t");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(grown, (*direct)[0][0].AsDouble());
  EXPECT_GT(grown, f);
  EXPECT_EQ(scratch->Share("t", "b = 3"), grown);
  EXPECT_EQ(log.Count("SELECT avg(CASE WHEN b = 3"), 2);
}

// Guessing parameters reads the sample once per question: three statements asking for b = ?
// and for abs(a) = ? do not each count and group the same rows again.
TEST_F(PhasesTest, ParameterGuessesAskTheSampleOnce) {
  std::unique_ptr<Scratch> scratch = Build();
  StatementLog log(scratch->db());
  auto items = LoadWorkload(*scratch, {{"SELECT * FROM t WHERE b = ? AND abs(a) = ?;"
                                        "SELECT id FROM t WHERE b = ? AND abs(a) = ?;"
                                        "SELECT a FROM t WHERE b = ? AND abs(a) = ?",
                                        1, true}});
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_GE(items->size(), 3u);
  EXPECT_EQ((*items)[0].params.size(), 2u);
  EXPECT_GT(log.Count("SELECT"), 0);
  EXPECT_EQ(log.Repeated("SELECT"), "");
}

// AvgBytesOfColumns reads every column in one scan and gives what AvgBytes's query gives for
// each column alone (integers, reals, text with multi-byte characters, blobs, NULLs).
TEST_F(PhasesTest, AvgBytesOfAllColumnsInOneScanMatchesEachColumnAlone) {
  db_.Exec("CREATE TABLE m(i INTEGER, r REAL, x TEXT, y BLOB, z);"
           "INSERT INTO m VALUES (1, 2.5, 'h\xc3\xa9llo', x'0102', NULL), (NULL, 3, 'ab', NULL, 7),"
           " (-70000, NULL, NULL, x'', 'text'), (2, 1e300, '', x'ff', 2.5);");
  std::unique_ptr<Scratch> one_by_one = Build();
  std::unique_ptr<Scratch> together = Build();
  StatementLog log(together->db());
  together->AvgBytesOfColumns("m");
  EXPECT_EQ(log.Count("SELECT \"i\", \"r\", \"x\", \"y\", \"z\" FROM \"m\""), 1);
  for (const char* c : {"i", "r", "x", "y", "z"}) {
    EXPECT_EQ(together->AvgBytes("m", c), one_by_one->AvgBytes("m", c)) << c;
  }
  EXPECT_EQ(log.Count("SELECT avg("), 0);  // all known already
}

TEST(BenefitShare, StaysWithinZeroAndOne) {
  EXPECT_EQ(BenefitShare(50, 100), 0.5);
  EXPECT_EQ(BenefitShare(101.2, 100), 1.0);  // measured against a set dearer than the baseline
  EXPECT_EQ(BenefitShare(-3, 100), 0.0);
  EXPECT_EQ(BenefitShare(5, 0), 0.0);
}

}  // namespace
}  // namespace doctor::indexes
