// Units for the pure pieces: index definitions, statistics scaling, SQL text scans, candidate
// generation and the greedy selection (with a fake cost oracle).
#include <map>
#include <set>

#include "ext/indexes/candidates.h"
#include "ext/indexes/index_def.h"
#include "ext/indexes/index_names.h"
#include "ext/indexes/drizzle_schema.h"
#include "ext/indexes/select.h"
#include "ext/indexes/sql_joins.h"
#include "ext/indexes/sql_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor::indexes {
namespace {

TEST(IndexDef, DdlAndStableName) {
  IndexDef d{"jobs", {{"priority", "", true}, {"run_at"}}, "state = 'queued'"};
  EXPECT_EQ(d.StableName(), "idx_jobs_priority_desc_run_at_where_state_queued");
  EXPECT_EQ(d.Ddl(),
            "CREATE INDEX idx_jobs_priority_desc_run_at_where_state_queued ON jobs(priority DESC, "
            "run_at) WHERE state = 'queued'");
  IndexDef q{"my table", {{"Order"}, {"a\"b", "NOCASE"}}, ""};
  EXPECT_EQ(q.Ddl(),
            "CREATE INDEX idx_my_table_order_a_b_nocase ON \"my table\"(\"Order\", \"a\"\"b\" "
            "COLLATE NOCASE)");
  IndexDef e{"users", {{"lower(email)", "", false, true}}, ""};
  EXPECT_EQ(e.Ddl(), "CREATE INDEX idx_users_lower_email ON users(lower(email))");
}

TEST(IndexDef, LongNamesStayUniqueAndShort) {
  IndexDef a{"t", {{"a_very_long_column_name_one"}, {"a_very_long_column_name_two"},
                   {"a_very_long_column_name_three"}}, ""};
  IndexDef b = a;
  b.parts.push_back({"x"});
  EXPECT_LE(a.StableName().size(), 60u);
  EXPECT_NE(a.StableName(), b.StableName());
  EXPECT_EQ(a.StableName(), IndexDef(a).StableName());
}

// Two keys that read alike once their parts are cut to 24 characters get names apart (the second
// CREATE INDEX failed, so that candidate was never measured): a cut name carries the key's hash.
TEST(IndexDef, CutNamesCarryTheirKeysHash) {
  IndexDef id{"docs", {{"json_extract(body,'$.customer.id')", "", false, true}}, ""};
  IndexDef tier{"docs", {{"json_extract(body,'$.customer.tier')", "", false, true}}, ""};
  EXPECT_NE(id.StableName(), tier.StableName());
  EXPECT_EQ(id.StableName().rfind("idx_docs_json_extract_body_custom_", 0), 0u);
  EXPECT_EQ(id.StableName(), IndexDef(id).StableName());  // stable
  IndexDef shortname{"jobs", {{"state"}}, ""};
  EXPECT_EQ(shortname.StableName(), "idx_jobs_state");  // nothing cut, no hash
}

TEST(IndexDef, Prefix) {
  IndexDef ab{"t", {{"a"}, {"b"}}, ""};
  IndexDef a{"T", {{"A"}}, ""};
  IndexDef a_desc{"t", {{"a", "", true}}, ""};
  IndexDef ac{"t", {{"a"}, {"c"}}, ""};
  IndexDef a_partial{"t", {{"a"}}, "x = 1"};
  IndexDef a_nocase{"t", {{"a", "NOCASE"}}, ""};
  EXPECT_TRUE(IsPrefixOf(a, ab));
  EXPECT_TRUE(IsPrefixOf(a_desc, ab));  // one column serves both directions
  EXPECT_TRUE(IsPrefixOf(ab, ab));
  EXPECT_FALSE(IsPrefixOf(ab, a));
  EXPECT_FALSE(IsPrefixOf(ac, ab));
  EXPECT_FALSE(IsPrefixOf(a_partial, ab));
  EXPECT_FALSE(IsPrefixOf(a_nocase, ab));
}

// sqlite_stat4 counts scale as the stat1 row they sit beside: rows below a key linearly, a key's own
// rows as rows per key (a key seen once stays 1), distinct keys below by f^(1/v).
TEST(ScaleStat4, CountsScaleAsTheirStat1Row) {
  // 1,000 sampled rows of 10,000; 4 rows per key on the first column, unique with the rowid.
  const Stat4Counts scaled = ScaleStat4({"250 1", "500 500", "125 500"}, "1000 4 1", 1000, 10000);
  EXPECT_EQ(scaled.neq, "2477 1");    // 250 * 10^(1 - 1/250); the rowid's 1 stays 1
  EXPECT_EQ(scaled.nlt, "5000 5000");
  EXPECT_EQ(scaled.ndlt, "222 5000");  // 125 * 10^(1/4); the rowid's distinct count * 10
  // Not sampled, or not numbers: as they were.
  EXPECT_EQ(ScaleStat4({"3 1", "7 7", "2 7"}, "100 3 1", 100, 100).neq, "3 1");
  EXPECT_EQ(ScaleStat4({"3 x", "7 7", "2 7"}, "100 3 1", 100, 1000).neq, "3 x");
}

TEST(ScaleStat, RowCountLinearUniqueStays) {
  // 250 rows per key grows almost tenfold; a unique key stays 1.
  EXPECT_EQ(ScaleStat("1000 250 1", 1000, 10000), "10000 2477 1");
  EXPECT_EQ(ScaleStat("1000 1", 1000, 1000), "1000 1");  // not sampled: unchanged
  EXPECT_EQ(ScaleStat("1000 4 unordered", 1000, 8000).substr(0, 5), "8000 ");
  EXPECT_NE(ScaleStat("1000 4 unordered", 1000, 8000).find("unordered"), std::string::npos);
}

TEST(SqlText, ParameterColumns) {
  auto cols = ParameterColumns(
      "SELECT * FROM u WHERE u.email = ? AND age >= ? AND x IN (?, ?) AND :name IS NOT NULL "
      "AND d BETWEEN ? AND ? LIMIT ? OFFSET ?");
  std::vector<std::string> want = {"email", "age", "x", "x", "name", "d", "d", "#limit",
                                   "#limit"};
  EXPECT_EQ(cols, want);
  EXPECT_EQ(ParameterColumns("SELECT '?' FROM t WHERE \"my col\" = ?"),
            std::vector<std::string>{"my col"});
}

TEST(SqlText, ParameterComparedWithAnExpression) {
  auto uses = ParameterUses("SELECT * FROM d WHERE json_extract(d.body, '$.a') = ? AND b = ?");
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].expression, "json_extract(body, '$.a')");
  EXPECT_EQ(uses[0].column, "body");
  EXPECT_EQ(uses[1].expression, "");
  EXPECT_EQ(uses[1].column, "b");
}

// The whole pattern of a LIKE / GLOB is told apart (the probe writes it as the value guessed
// for it, which gives the planner the pattern's index range); a pattern built around the
// parameter, or a NOT LIKE, is not one.
TEST(SqlText, ParameterThatIsALikeOrGlobPattern) {
  const std::string sql =
      "SELECT * FROM u WHERE \"u\".\"email\" like ? AND name GLOB :g AND a LIKE '%' || ? "
      "AND b NOT LIKE ? AND c LIKE ? ESCAPE '!'";
  auto uses = ParameterUses(sql);
  ASSERT_EQ(uses.size(), 5u);
  EXPECT_EQ(uses[0].op, "like");
  EXPECT_EQ(uses[0].column, "email");
  EXPECT_EQ(sql.substr(uses[0].begin, uses[0].end - uses[0].begin), "?");
  EXPECT_EQ(uses[1].op, "glob");
  EXPECT_EQ(sql.substr(uses[1].begin, uses[1].end - uses[1].begin), ":g");
  EXPECT_EQ(uses[2].op, "");
  EXPECT_EQ(uses[3].op, "=");
  EXPECT_EQ(uses[4].op, "like");
}

TEST(SqlText, PartialIndexEqualities) {
  auto eqs = PartialIndexEqualities(
      "CREATE INDEX q ON jobs(run_at) WHERE state = 'it''s' AND -2 = n AND x > 3; "
      "CREATE INDEX r ON t(lower(a)) WHERE (k == 7)");
  ASSERT_EQ(eqs.size(), 3u);
  EXPECT_EQ(eqs[0].column, "state");
  EXPECT_EQ(eqs[0].literal, "'it''s'");
  EXPECT_EQ(eqs[1].column, "n");
  EXPECT_EQ(eqs[1].literal, "-2");
  EXPECT_EQ(eqs[2].column, "k");
  EXPECT_EQ(eqs[2].literal, "7");
  EXPECT_TRUE(PartialIndexEqualities("CREATE INDEX q ON jobs(state)").empty());
}

TEST(SqlText, TriggerBody) {
  auto body = TriggerBodyStatements(
      "CREATE TRIGGER t AFTER DELETE ON p BEGIN DELETE FROM c WHERE pid = OLD.id; "
      "UPDATE log SET n = n + 1 WHERE k = new.\"key\"; END");
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0], "DELETE FROM c WHERE pid = ?");
  EXPECT_EQ(body[1], "UPDATE log SET n = n + 1 WHERE k = ?");
}

TEST(SqlText, Expressions) {
  auto e = ExpressionPredicates(
      "SELECT count(*) FROM users u WHERE lower(u.email) = ? AND substr(code, 1, 3) = 'abc' "
      "AND max(x) > 1");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].expression, "lower(email)");
  EXPECT_EQ(e[0].column, "email");
  EXPECT_EQ(e[1].expression, "substr(code, 1, 3)");
}

TEST(SqlText, ExpressionEqualitiesAndOrderBy) {
  auto e = ExpressionPredicates(
      "SELECT id FROM docs WHERE json_extract(body, '$.type') = 'invoice' AND "
      "json_extract(body, '$.status') = ? AND lower(name) > 'm' AND upper(x) IS NOT 3");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_TRUE(e[0].equality);
  EXPECT_EQ(e[0].literal, "'invoice'");
  EXPECT_TRUE(e[1].equality);
  EXPECT_EQ(e[1].literal, "");
  EXPECT_FALSE(e[2].equality);
  EXPECT_FALSE(e[3].equality);
  auto o = OrderByExpressions(
      "SELECT * FROM docs ORDER BY json_extract(body, '$.total') DESC, id, lower(name) "
      "COLLATE nocase, abs(x) + 1, f(g(y)) LIMIT 10");
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].expression, "json_extract(body, '$.total')");
  EXPECT_EQ(o[0].column, "body");
  EXPECT_EQ(o[1].expression, "lower(name)");
  EXPECT_TRUE(OrderByExpressions("SELECT * FROM t ORDER BY a, b").empty());
  EXPECT_EQ(OrderByExpressions("SELECT * FROM (SELECT x FROM t ORDER BY abs(x)) ORDER BY y")
                .size(),
            1u);
}

TEST(SqlText, WithoutReturning) {
  EXPECT_EQ(WithoutReturning("DELETE FROM t WHERE b = 5 RETURNING (SELECT 1), id"),
            "DELETE FROM t WHERE b = 5 ");
  EXPECT_EQ(WithoutReturning("UPDATE t SET a = (SELECT x FROM s RETURNING) RETURNING id"),
            "UPDATE t SET a = (SELECT x FROM s RETURNING) ");
  EXPECT_EQ(WithoutReturning("SELECT 'returning' FROM t"), "SELECT 'returning' FROM t");
}

TEST(SqlText, WithoutUpsert) {
  EXPECT_EQ(WithoutUpsert("INSERT INTO t(a) SELECT a FROM s WHERE b = 1 ON CONFLICT(a) DO "
                          "NOTHING"),
            "INSERT INTO t(a) SELECT a FROM s WHERE b = 1 ");
  EXPECT_EQ(WithoutUpsert("SELECT 'on conflict'"), "SELECT 'on conflict'");
}

TEST(SqlText, JoinEqualities) {
  auto joins = JoinEqualities(
      "SELECT * FROM lineitem l JOIN orders AS o ON o.o_orderkey = l.l_orderkey, part "
      "WHERE p_partkey = l_partkey AND l.a + b = c AND d = lower(e) AND f = 3; "
      "SELECT 1 FROM \"x y\" WHERE (\"x y\".k = z.k)");
  ASSERT_EQ(joins.size(), 2u);
  ASSERT_EQ(joins[0].equalities.size(), 2u);
  EXPECT_EQ(joins[0].equalities[0].first.qualifier, "o");
  EXPECT_EQ(joins[0].equalities[0].first.column, "o_orderkey");
  EXPECT_EQ(joins[0].equalities[0].second.qualifier, "l");
  EXPECT_EQ(joins[0].equalities[1].first.qualifier, "");
  EXPECT_EQ(joins[0].equalities[1].second.column, "l_partkey");
  EXPECT_THAT(joins[0].aliases, ::testing::Contains(std::pair<std::string, std::string>(
                                    "lineitem", "l")));
  EXPECT_THAT(joins[0].aliases, ::testing::Contains(std::pair<std::string, std::string>(
                                    "orders", "o")));
  EXPECT_THAT(joins[0].words, ::testing::Contains("part"));
  ASSERT_EQ(joins[1].equalities.size(), 1u);
  EXPECT_EQ(joins[1].equalities[0].first.qualifier, "x y");
}

TEST(SqlText, UsingAndNaturalJoins) {
  auto joins = JoinEqualities(
      "SELECT * FROM main.part AS p JOIN items USING (part_id, \"code\") "
      "NATURAL LEFT JOIN supplier s, (SELECT x FROM a JOIN b USING (x)) AS sub "
      "JOIN c USING(y) WHERE p.k IN (SELECT k FROM d NATURAL JOIN e); "
      "DELETE FROM t WHERE a = 1; SELECT 1 FROM f JOIN g ON f.a = g.a");
  ASSERT_EQ(joins.size(), 3u);
  const std::vector<UsingJoin>& u = joins[0].using_joins;
  ASSERT_EQ(u.size(), 5u);
  EXPECT_EQ(u[0].left, std::vector<std::string>({"p"}));
  EXPECT_EQ(u[0].right, "items");
  EXPECT_EQ(u[0].columns, std::vector<std::string>({"part_id", "code"}));
  EXPECT_FALSE(u[0].natural);
  EXPECT_EQ(u[1].left, std::vector<std::string>({"p", "items"}));
  EXPECT_EQ(u[1].right, "s");
  EXPECT_TRUE(u[1].natural);
  EXPECT_TRUE(u[1].columns.empty());
  // The subquery's own FROM clause, then the subquery as a table (its alias).
  EXPECT_EQ(u[2].left, std::vector<std::string>({"a"}));
  EXPECT_EQ(u[2].right, "b");
  EXPECT_EQ(u[3].left, std::vector<std::string>({"p", "items", "s", "sub"}));
  EXPECT_EQ(u[3].right, "c");
  EXPECT_EQ(u[4].left, std::vector<std::string>({"d"}));
  EXPECT_EQ(u[4].right, "e");
  EXPECT_TRUE(joins[1].using_joins.empty());
  EXPECT_TRUE(joins[2].using_joins.empty());
}

std::vector<std::string> Ddls(const std::vector<IndexDef>& defs) {
  std::vector<std::string> out;
  for (const IndexDef& d : defs) out.push_back(d.Ddl());
  return out;
}

TEST(Candidates, EqualityBySelectivityThenRangeAndOrder) {
  Scan s{"t", {{"low"}, {"high"}, {"r", false}}, {{"o", true}}, {"low", "high", "r", "o", "x"}};
  std::map<std::string, double> distinct = {{"low", 3}, {"high", 900}, {"r", 50}, {"o", 10}};
  CandidateOptions opts;
  opts.allow_covering = false;
  auto got = Ddls(CandidatesForScan(s, [&](const std::string& c) { return distinct[c]; }, opts));
  ASSERT_GE(got.size(), 3u);
  EXPECT_EQ(got[0], "CREATE INDEX idx_t_high_low ON t(high, low)");
  EXPECT_EQ(got[1], "CREATE INDEX idx_t_high_low_r ON t(high, low, r)");
  // A single DESC term: an ascending index scanned backwards serves it.
  EXPECT_EQ(got[2], "CREATE INDEX idx_t_high_low_o ON t(high, low, o)");
}

TEST(Candidates, PartialForSelectiveConstantAndCovering) {
  ScanConstraint state{"state", true, "", "'queued'", 0.02};
  Scan s{"jobs", {state}, {{"priority", true}, {"run_at", false}}, {"state", "priority", "run_at"}};
  CandidateOptions opts;
  auto got = Ddls(CandidatesForScan(s, [](const std::string&) { return 4.0; }, opts));
  auto has = [&](const std::string& ddl) {
    return std::find(got.begin(), got.end(), ddl) != got.end();
  };
  EXPECT_TRUE(has("CREATE INDEX idx_jobs_state_priority_desc_run_at ON jobs(state, priority "
                  "DESC, run_at)"));
  EXPECT_TRUE(has("CREATE INDEX idx_jobs_priority_desc_run_at_where_state_queued ON "
                  "jobs(priority DESC, run_at) WHERE state = 'queued'"));
  opts.allow_partial = false;
  for (const std::string& d :
       Ddls(CandidatesForScan(s, [](const std::string&) { return 4.0; }, opts))) {
    EXPECT_EQ(d.find("WHERE"), std::string::npos) << d;
  }
  // A common constant (60% of rows) gets no partial index.
  s.constraints[0].constant_share = 0.6;
  opts.allow_partial = true;
  for (const std::string& d :
       Ddls(CandidatesForScan(s, [](const std::string&) { return 4.0; }, opts))) {
    EXPECT_EQ(d.find("WHERE"), std::string::npos) << d;
  }
}

TEST(Candidates, PredicatesMakePartialFamilies) {
  ScanConstraint owner{"owner_id", true, "", "", 1.0};
  Scan s{"docs", {owner}, {{"created_at", true}}, {"owner_id", "created_at"}};
  s.predicates = {"json_extract(body, '$.status') = 'open'"};
  auto got = Ddls(CandidatesForScan(s, [](const std::string&) { return 100.0; }, {}));
  auto has = [&](const std::string& part) {
    for (const std::string& d : got) {
      if (d.find(part) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("ON docs(owner_id) WHERE json_extract(body, '$.status') = 'open'"));
  EXPECT_TRUE(has("ON docs(owner_id, created_at) WHERE json_extract(body, '$.status') = 'open'"));
  CandidateOptions no_partial;
  no_partial.allow_partial = false;
  for (const IndexDef& d : CandidatesForScan(s, [](const std::string&) { return 100.0; },
                                             no_partial)) {
    EXPECT_EQ(d.where, "");
  }
}

TEST(Candidates, CoveringAppendsUsedColumns) {
  Scan s{"t", {{"a"}}, {}, {"a", "b", "c"}};
  CandidateOptions opts;
  auto got = Ddls(CandidatesForScan(s, [](const std::string&) { return 10.0; }, opts));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "CREATE INDEX idx_t_a_b_c ON t(a, b, c)");
}

// A covering variant that would carry most of the row's bytes (a JSON document) is a copy of
// the table, not an index: only the key is proposed.
TEST(Candidates, CoveringNeverCarriesMostOfTheRow) {
  Scan s{"docs", {{"owner_id"}}, {}, {"owner_id", "body"}, 3};
  s.column_bytes = {{"owner_id", 3}, {"created_at", 4}, {"body", 150}};
  CandidateOptions opts;
  auto got = Ddls(CandidatesForScan(s, [](const std::string&) { return 10.0; }, opts));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "CREATE INDEX idx_docs_owner_id ON docs(owner_id)");
  s.column_bytes["body"] = 5;  // a small column is still appended
  got = Ddls(CandidatesForScan(s, [](const std::string&) { return 10.0; }, opts));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "CREATE INDEX idx_docs_owner_id_body ON docs(owner_id, body)");
}

// Fake workload: statement 0 on t filters by a; statement 1 on t by a and b; statement 2 on u.
TEST(Greedy, SharedIndexWinsAndPrefixIsReplaced) {
  std::vector<IndexDef> c = {
      {"t", {{"a"}}, ""},            // 0 serves statement 0
      {"t", {{"a"}, {"b"}}, ""},     // 1 serves statements 0 and 1
      {"t", {{"b"}}, ""},            // 2 serves statement 1 a bit
      {"u", {{"x"}}, ""},            // 3 useless
  };
  std::vector<double> bytes = {100, 150, 100, 100};
  std::vector<WorkloadStatement> w = {{1, {"t"}}, {1, {"t"}}, {1, {"u"}}};
  auto has = [](const std::vector<int>& cfg, int id) {
    return std::find(cfg.begin(), cfg.end(), id) != cfg.end();
  };
  int calls = 0;
  CostOracle cost = [&](int s, const std::vector<int>& cfg) {
    ++calls;
    if (s == 0) return has(cfg, 0) || has(cfg, 1) ? 10.0 : 1000.0;
    if (s == 1) return has(cfg, 1) ? 10.0 : has(cfg, 2) ? 500.0 : 1000.0;
    return 50.0;
  };
  SelectOptions opts;
  auto chosen = GreedySelect(c, bytes, w, cost, opts);
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0].candidate, 1);
  EXPECT_GT(chosen[0].benefit, 1900);
  EXPECT_GT(calls, 0);

  // With room for one small index only, the best that fits is taken.
  opts.budget_bytes = 120;
  chosen = GreedySelect(c, bytes, w, cost, opts);
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0].candidate, 0);

  opts.budget_bytes = 0;
  opts.max_indexes = 0;
  EXPECT_TRUE(GreedySelect(c, bytes, w, cost, opts).empty());
}

TEST(Greedy, WriteCostCanOutweighReadBenefit) {
  std::vector<IndexDef> c = {{"t", {{"a"}}, ""}};
  std::vector<double> bytes = {100};
  // A rare read gains 100, a frequent write loses 5 per call.
  std::vector<WorkloadStatement> w = {{1, {"t"}}, {100, {"t"}}};
  CostOracle cost = [&](int s, const std::vector<int>& cfg) {
    if (s == 0) return cfg.empty() ? 200.0 : 100.0;
    return cfg.empty() ? 20.0 : 25.0;
  };
  EXPECT_TRUE(GreedySelect(c, bytes, w, cost, SelectOptions()).empty());
}

}  // namespace
}  // namespace doctor::indexes

namespace doctor::indexes {
namespace {

TEST(IndexNamer, UniquePerSchemaAndStable) {
  IndexNamer namer({{"a b", {"c"}}, {"a_b", {"c"}}, {"a-b", {"c"}}, {"t", {"x y", "x_y", "z"}},
                    {"u", {"v"}}},
                   {IndexDef{"u", {{"w"}}, "", false, "idx_u_v"}});
  std::set<std::string> names;
  for (const char* t : {"a b", "a_b", "a-b"}) {
    const std::string n = namer.NameFor({t, {{"c"}}, ""});
    EXPECT_EQ(n.substr(0, 10), "idx_a_b_c_");
    EXPECT_EQ(n, namer.NameFor({t, {{"c"}}, ""}));  // stable
    names.insert(n);
  }
  EXPECT_EQ(names.size(), 3u);
  // Columns that read the same on one table; a plain one stays readable.
  EXPECT_NE(namer.NameFor({"t", {{"x y"}}, ""}), namer.NameFor({"t", {{"x_y"}}, ""}));
  EXPECT_EQ(namer.NameFor({"t", {{"z"}}, ""}), "idx_t_z");
  // An existing index holding the readable name for another definition.
  EXPECT_NE(namer.NameFor({"u", {{"v"}}, ""}), "idx_u_v");
  EXPECT_EQ(namer.NameFor({"u", {{"v"}}, ""}).substr(0, 8), "idx_u_v_");
}

// Tables and views share the index namespace: CREATE INDEX idx_u_v fails while a view (or table)
// idx_u_v exists. Before, the readable name was given anyway: index_lint's fix_sql failed with
// "there is already a view named ...", and index_advise's candidate failed to build on the copy,
// so the advice for that lookup vanished without a word.
TEST(IndexNamer, NamesOfTablesAndViewsAreTaken) {
  IndexNamer namer({{"u", {"v", "w"}}, {"idx_u_w", {"x"}}}, {}, {"IDX_U_V"});
  const std::string on_v = namer.NameFor({"u", {{"v"}}, ""});
  const std::string on_w = namer.NameFor({"u", {{"w"}}, ""});
  EXPECT_EQ(on_v.substr(0, 8), "idx_u_v_") << on_v;
  EXPECT_EQ(on_w.substr(0, 8), "idx_u_w_") << on_w;
  EXPECT_EQ(on_v, namer.NameFor({"u", {{"v"}}, ""}));  // stable
  EXPECT_EQ(namer.NameFor({"idx_u_w", {{"x"}}, ""}), "idx_idx_u_w_x");
}

}  // namespace
}  // namespace doctor::indexes

namespace doctor::indexes {
namespace {

TEST(DrizzleIndexLine, ColumnsDescPartialAndOddNames) {
  EXPECT_EQ(DrizzleIndexLine({"jobs", {{"priority", "", true}, {"run_at"}}, "state = 'queued'",
                              false, "idx_q"}),
            "index('idx_q').on(sql`priority DESC`, t.runAt).where(sql`state = 'queued'`)");
  EXPECT_EQ(DrizzleIndexLine({"jobs", {{"due day"}, {"a`b"}}, "", false, "it's"}),
            "index('it\\'s').on(t['due day'], t['a`b'])");
  EXPECT_EQ(DrizzleIndexLine({"t", {{"a\r\nb"}}, "", false, "i"}), "index('i').on(t['a\\r\\nb'])");
  EXPECT_EQ(DrizzleIndexLine({"users", {{"lower(email)", "", false, true}}, "", true, "u"}),
            "uniqueIndex('u').on(sql`lower(email)`)");
  EXPECT_EQ(DrizzleIndexLine({"users", {{"name", "NOCASE"}}, "x = '${y}`'", false, "n"}),
            "index('n').on(sql`name COLLATE NOCASE`).where(sql`x = '\\${y}\\`'`)");
}

// drizzle-kit 0.31 generate wrote the line index_advise gave for a JSON attribute,
// index('i').on(sql`json_extract(attributes, '$.color')`), as CREATE INDEX `i` ON `products`
// (`json_extract(attributes`,` '$.color')`): it splits the key at commas ("no such column").
TEST(DrizzleIndexLine, AKeyDrizzleKitCutsAtACommaSaysSo) {
  const std::string kNote = " /* drizzle-kit generate (0.31) cuts this key at its commas: write "
                            "its CREATE INDEX in the migration by hand */";
  const KeyPart color{"json_extract(attributes, '$.color')", "", false, true};
  EXPECT_EQ(DrizzleIndexLine({"products", {color}, "", false, "i"}),
            "index('i').on(sql`json_extract(attributes, '$.color')`)" + kNote);
  EXPECT_EQ(DrizzleIndexLine({"t", {{"a"}}, "note <> 'x;y'", false, "i"}),
            "index('i').on(t.a).where(sql`note <> 'x;y'`)" + kNote);
  // A comma in a partial index's WHERE is kept whole; so is an expression without one.
  EXPECT_EQ(DrizzleIndexLine({"t", {{"lower(a)", "", false, true}}, "b IN (1, 2)", false, "i"}),
            "index('i').on(sql`lower(a)`).where(sql`b IN (1, 2)`)");
}

TEST(ExistingIndex, ExpressionsCollationsAndPredicate) {
  const IndexDef d = ExistingIndex(
      "jobs", "jobs_poll", false,
      {{2, "state", false, "NOCASE", "NOCASE"},  // the column's own collation: not repeated
       {-2, "", true, "BINARY", ""},
       {3, "run_at", false, "RTRIM", ""}},
      "CREATE INDEX jobs_poll ON jobs(state, lower(kind) DESC, run_at COLLATE RTRIM) WHERE done = 0");
  ASSERT_EQ(d.parts.size(), 3u);
  EXPECT_EQ(d.parts[0].collation, "");
  EXPECT_TRUE(d.parts[1].expression);
  EXPECT_EQ(d.parts[1].column, "lower(kind)");
  EXPECT_TRUE(d.parts[1].desc);
  EXPECT_EQ(d.parts[2].collation, "RTRIM");
  EXPECT_EQ(d.where, "done = 0");
  EXPECT_EQ(ExistingIndex("t", "i", true, {{0, "a", false, "BINARY", ""}}, "").where, "");
}

// index_lint called upper(b) a duplicate of lower(b): every expression was "<expression N>".
TEST(ExistingIndex, AnExpressionIsKnownByItsText) {
  auto expr = [](const std::string& sql) {
    return ExistingIndex("t", "i", false, {{-2, "", false, "BINARY", ""}, {0, "a", false, "BINARY", ""}},
                         sql);
  };
  const IndexDef lower = expr("CREATE INDEX i ON t(lower(b), a)");
  const IndexDef upper = expr("CREATE INDEX i ON t(upper(b), a)");
  const IndexDef spaced = expr("CREATE INDEX i ON \"t\" ( lower(b)  /* c */ COLLATE nocase DESC, a)");
  EXPECT_EQ(lower.parts[0].column, "lower(b)");
  EXPECT_EQ(spaced.parts[0].column, "lower(b)");
  EXPECT_NE(lower.Key(), upper.Key());
  EXPECT_FALSE(IsPrefixOf(lower, upper));
  EXPECT_EQ(expr("CREATE INDEX i ON t(substr(b, 1, 2), a)").parts[0].column, "substr(b, 1, 2)");
  EXPECT_EQ(expr("").parts[0].column, "<expression 1>");
}

TEST(StableName, JsonArrowsNameApart) {
  const IndexDef text{"o", {{"body ->> '$.k'", "", false, true}}, ""};
  const IndexDef json{"o", {{"body -> '$.k'", "", false, true}}, ""};
  EXPECT_EQ(text.StableName(), "idx_o_body_k");
  EXPECT_NE(json.StableName(), text.StableName());
}

TEST(PartialIndexWhere, TopLevelWhereOnly) {
  EXPECT_EQ(PartialIndexWhere("CREATE INDEX i ON t(a)"), "");
  EXPECT_EQ(PartialIndexWhere("CREATE INDEX i ON t(a)\nWHERE\tdone = 0;"), "done = 0");
  EXPECT_EQ(PartialIndexWhere("CREATE INDEX \"where\" ON t(\"where\", a) where b > 1 and c"),
            "b > 1 and c");
  EXPECT_EQ(PartialIndexWhere("CREATE INDEX i ON t(coalesce(a, ' where ')) /* where */"), "");
}

}  // namespace
}  // namespace doctor::indexes
