// The fleet view and shared plans (issue 15 items 8 and 5): query_stats_merge over stores made by
// real flushes and over stores written with chosen figures, merged exactly (sums, min/max,
// errors per code, histograms bucket by bucket so percentiles equal those of one store that saw
// every run), hostile paths refused with an error naming them, files never changed; a plan
// captured by another process is shown by a reader through the store. (Tagged "threads": file
// databases start the store flusher.)
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ext/core/testing.h"
#include "ext/core/time.h"
#include "ext/timing/stats.h"
#include "ext/timing/store_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::Db;
using testing::TempDir;
using timing::testing::NowMs;

constexpr const char* kInsert = "INSERT INTO t VALUES (?)";
constexpr const char* kSelect = "SELECT * FROM t WHERE a = ?";

class Merge : public timing::testing::StoreFixture {};

// `dir/name/app.db` with `inserts` INSERTs and `selects` SELECTs flushed to its store; returns
// the store's path.
std::string MakeStore(const TempDir& dir, const std::string& name, int inserts, int selects) {
  std::filesystem::create_directory(dir.File(name));
  const std::string app = dir.File(name + "/app.db");
  Db db(app);
  db.Exec("CREATE TABLE t(a); CREATE INDEX t_a ON t(a)");
  for (int i = 0; i < inserts; ++i) db.Exec("INSERT INTO t VALUES (" + std::to_string(i) + ")");
  for (int i = 0; i < selects; ++i) db.Rows("SELECT * FROM t WHERE a = " + std::to_string(i));
  db.One("SELECT query_stats_flush()");
  return app + "-doctor";
}

std::string JsonArray(const std::vector<std::string>& paths) {
  std::string out = "[";
  for (const std::string& p : paths) out += (out.size() > 1 ? ",\"" : "\"") + p + "\"";
  return out + "]";
}

// One column of the merged row of `query` over `paths` (SQL-quoted by the caller's argument).
std::string MergedValue(Db& db, const std::vector<std::string>& paths, const std::string& column,
                        const std::string& query) {
  return db.One("SELECT " + column + " FROM query_stats_merge('" + JsonArray(paths) +
                "') WHERE query = '" + query + "'");
}

std::vector<uint64_t> ParseBuckets(const std::string& json) {
  std::vector<uint64_t> out;
  std::string s = json.substr(1, json.size() - 2);
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoull(item));
  return out;
}

TEST_F(Merge, StoresOfRealFlushesMergeExactly) {
  TempDir dir;
  const std::vector<std::string> stores = {MakeStore(dir, "a", 5, 3), MakeStore(dir, "b", 7, 0),
                                           MakeStore(dir, "c", 11, 2)};
  Db db;
  EXPECT_EQ(MergedValue(db, stores, "calls", kInsert), "23");
  EXPECT_EQ(MergedValue(db, stores, "rows", kInsert), "23");
  EXPECT_EQ(MergedValue(db, stores, "sources", kInsert), "3");
  EXPECT_EQ(MergedValue(db, stores, "calls", kSelect), "5");
  EXPECT_EQ(MergedValue(db, stores, "sources", kSelect), "2");
  EXPECT_EQ(MergedValue(db, stores, "db", kInsert), "app.db");  // the file name merges
  // min, max and the histogram against each store read alone.
  double min = 1e300, max = 0, total = 0;
  std::vector<uint64_t> sum(62, 0);
  for (const std::string& s : stores) {
    min = std::min(min, std::stod(MergedValue(db, {s}, "min_ms", kInsert)));
    max = std::max(max, std::stod(MergedValue(db, {s}, "max_ms", kInsert)));
    total += std::stod(MergedValue(db, {s}, "total_ms", kInsert));
    std::vector<uint64_t> b = ParseBuckets(MergedValue(db, {s}, "buckets", kInsert));
    ASSERT_EQ(b.size(), 62u);
    for (size_t i = 0; i < b.size(); ++i) sum[i] += b[i];
  }
  EXPECT_EQ(std::stod(MergedValue(db, stores, "min_ms", kInsert)), min);
  EXPECT_EQ(std::stod(MergedValue(db, stores, "max_ms", kInsert)), max);
  EXPECT_NEAR(std::stod(MergedValue(db, stores, "total_ms", kInsert)), total, 1e-9);
  EXPECT_EQ(ParseBuckets(MergedValue(db, stores, "buckets", kInsert)), sum);
  // A single path (not an array) is accepted too.
  EXPECT_EQ(db.One("SELECT calls FROM query_stats_merge('" + stores[1] + "') WHERE query = '" +
                   kInsert + "'"),
            "7");
}

// Figures chosen per store: the merge of three equals one store holding all their runs.
struct Figures {
  timing::Counters c;
  std::string errors = "0";
  int64_t minmax_reset_ms = 0;  // the store's 'minmax_reset_at_ms' (0: none)
};

std::string Histogram(const timing::Buckets& b) {
  std::string out = "[";
  for (size_t i = 0; i < b.size(); ++i) out += (i ? "," : "") + std::to_string(b[i]);
  return out + "]";
}

// Sets the figures of `query`'s row in a copy of `tmpl` written to `path` (other rows deleted),
// with a store id of its own.
void WriteFigures(const std::string& tmpl, const std::string& path, const std::string& query,
                  const Figures& f) {
  std::filesystem::copy_file(tmpl, path, std::filesystem::copy_options::overwrite_existing);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "UPDATE doctor_query_stats SET calls = ?1, total_ms = ?2,"
                               " sumsq_ms = ?3, min_ms = ?4, max_ms = ?5, rows = ?6, errors = ?7,"
                               " histogram = ?8, first_seen_ms = ?9, last_seen_ms = ?10,"
                               " stats_since_ms = ?9 WHERE query = ?11",
                               -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_bind_int64(st, 1, f.c.calls);
  sqlite3_bind_double(st, 2, f.c.total_ms);
  sqlite3_bind_double(st, 3, f.c.sumsq_ms);
  if (f.c.has_minmax()) {
    sqlite3_bind_double(st, 4, f.c.min_ms);
    sqlite3_bind_double(st, 5, f.c.max_ms);
  }  // else NULL: no run since a min/max-only reset
  sqlite3_bind_int64(st, 6, f.c.rows);
  if (f.errors == "0") {
    sqlite3_bind_int(st, 7, 0);
  } else {
    sqlite3_bind_text(st, 7, f.errors.c_str(), -1, SQLITE_TRANSIENT);
  }
  const std::string h = Histogram(f.c.buckets);
  sqlite3_bind_text(st, 8, h.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 9, f.c.first_seen_ms);
  sqlite3_bind_int64(st, 10, f.c.last_seen_ms);
  sqlite3_bind_text(st, 11, query.c_str(), -1, SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(raw);
  EXPECT_EQ(sqlite3_changes(raw), 1);
  sqlite3_finalize(st);
  const std::string others = "DELETE FROM doctor_query_stats WHERE query <> '" + query + "'";
  EXPECT_EQ(sqlite3_exec(raw, others.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  // Another machine's store, not a copy of the template (CopiesOfOneStoreAreRefused).
  EXPECT_EQ(sqlite3_exec(raw,
                         "UPDATE doctor_sidecar SET value = 1 + (random() & 9007199254740991)"
                         " WHERE key = 'store_id'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  if (f.minmax_reset_ms > 0) {  // as query_stats_reset('minmax') records it
    const std::string key = "INSERT OR REPLACE INTO doctor_sidecar VALUES ('minmax_reset_at_ms', " +
                            std::to_string(f.minmax_reset_ms) + ")";
    EXPECT_EQ(sqlite3_exec(raw, key.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }
  sqlite3_close_v2(raw);
}

TEST_F(Merge, PercentilesEqualThoseOfOneStoreThatSawEveryRun) {
  TempDir dir;
  const std::string tmpl = MakeStore(dir, "tmpl", 1, 0);
  std::mt19937 rng(15);
  std::lognormal_distribution<double> slow(0.0, 1.5), fast(-3.0, 0.5);
  Figures parts[3], all;
  const int sizes[3] = {400, 1000, 50};
  for (int s = 0; s < 3; ++s) {
    for (int i = 0; i < sizes[s]; ++i) {
      const double ms = s == 1 ? fast(rng) : slow(rng);
      parts[s].c.AddRun(ms, 1, 0, 0, 0, 0);
      all.c.AddRun(ms, 1, 0, 0, 0, 0);
    }
    parts[s].c.first_seen_ms = all.c.first_seen_ms = 1700000000000 + s;
    parts[s].c.last_seen_ms = all.c.last_seen_ms = 1700000000000 + s;
  }
  all.c.first_seen_ms = 1700000000000;
  parts[0].errors = R"({"BUSY": 2})";
  parts[2].errors = R"({"BUSY": 1, "BUSY_SNAPSHOT": 3})";
  all.errors = R"({"BUSY": 3, "BUSY_SNAPSHOT": 3})";
  std::vector<std::string> stores;
  for (int s = 0; s < 3; ++s) {
    stores.push_back(dir.File("part" + std::to_string(s) + ".db-doctor"));
    WriteFigures(tmpl, stores.back(), kInsert, parts[s]);
  }
  const std::string one = dir.File("all.db-doctor");
  WriteFigures(tmpl, one, kInsert, all);
  Db db;
  for (const char* column : {"calls", "rows", "min_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms",
                             "buckets", "histogram", "errors", "first_seen", "last_seen",
                             "stats_since"}) {
    EXPECT_EQ(MergedValue(db, stores, column, kInsert), MergedValue(db, {one}, column, kInsert))
        << column;
  }
  EXPECT_EQ(MergedValue(db, stores, "errors", kInsert), R"({"BUSY": 3, "BUSY_SNAPSHOT": 3})");
  EXPECT_NEAR(std::stod(MergedValue(db, stores, "stddev_ms", kInsert)),
              std::stod(MergedValue(db, {one}, "stddev_ms", kInsert)), 1e-9);
  EXPECT_EQ(MergedValue(db, stores, "sources", kInsert), "3");
  EXPECT_EQ(MergedValue(db, {one}, "sources", kInsert), "1");
}

// Reads the whole file (to check that a merge never changes it).
std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Sql(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(raw);
  sqlite3_close_v2(raw);
}

TEST_F(Merge, HostilePathsGiveAnErrorNamingThem) {
  TempDir dir;
  const std::string good = MakeStore(dir, "good", 2, 0);
  const std::string before = Bytes(good);
  const auto copy = [&](const std::string& name, const std::string& sql) {
    const std::string path = dir.File(name);
    std::filesystem::copy_file(good, path);
    if (!sql.empty()) Sql(path, sql);
    return path;
  };
  const std::string link = dir.File("link.db-doctor");
  ASSERT_EQ(symlink(good.c_str(), link.c_str()), 0);
  const std::string fifo = dir.File("fifo.db-doctor");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string other = dir.File("other.db");
  Sql(other, "CREATE TABLE x(a)");
  const std::string empty = dir.File("empty.db-doctor");
  std::ofstream(empty).close();
  const std::string text = dir.File("text.db-doctor");
  std::ofstream(text) << "not a database, just some text that is long enough to look like one";
  struct Case {
    std::string path;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {link, "is a symbolic link"},
      {fifo, "is not a regular file"},
      {dir.File("missing.db-doctor"), "no such file"},
      {dir.path(), "is not a regular file"},
      {other, "unexpected table 'x'"},
      {empty, "is not a sqlite-doctor store"},
      {text, "not a database"},
      {copy("v9.db-doctor", "UPDATE doctor_sidecar SET value = 9 WHERE key = 'format'"),
       "format 9, expected 4"},
      {copy("neg.db-doctor", "UPDATE doctor_query_stats SET calls = -1"), "calls -1"},
      {copy("wal.db-doctor", "PRAGMA journal_mode = WAL"), "is in WAL mode"},
      {copy("view.db-doctor", "CREATE VIEW v AS SELECT 1"), "unexpected view 'v'"},
      {copy("plan.db-doctor", "INSERT INTO doctor_query_plans VALUES (1, 'x', 7, 'SCAN t',"
                              " NULL, 0)"),
       "plan_id 7 is not the id of its plan text"},
  };
  Db db;
  for (const Case& c : cases) {
    const double t0 = NowMs();
    const std::string error =
        db.Error("SELECT * FROM query_stats_merge('" + JsonArray({good, c.path}) + "')");
    EXPECT_THAT(error, AllOf(HasSubstr(c.path), HasSubstr(c.expect)));
    EXPECT_LT(NowMs() - t0, 1000) << c.path;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.File("missing.db-doctor"))) << "created";
  EXPECT_FALSE(std::filesystem::exists(dir.File("wal.db-doctor-shm"))) << "created";
  // The same file twice, or through another name, would count twice.
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('" + JsonArray({good, good}) + "')"),
              HasSubstr("count twice"));
  const std::string dotted = dir.File("good/./app.db-doctor");
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('" + JsonArray({good, dotted}) + "')"),
              AllOf(HasSubstr("is the same file as"), HasSubstr(dotted)));
  // Bad arguments.
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('[]')"), HasSubstr("non-empty JSON"));
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('[1]')"), HasSubstr("every element"));
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('')"), HasSubstr("stores"));
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge"), HasSubstr("stores"));
  // Found by probing: a store over the size limit said only "out of memory" (its status was
  // ResourceExhausted, which the SQL boundary reports as SQLITE_NOMEM), and a 100,000-deep array
  // was quoted whole in the error (dump() recursed until the stack overflowed: SIGSEGV).
  const std::string big = dir.File("big.db-doctor");
  std::ofstream(big).close();
  std::filesystem::resize_file(big, (uintmax_t{1} << 30) + 1);  // sparse
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('" + big + "')"),
              AllOf(HasSubstr(big), HasSubstr("is 1073741825 bytes, more than the")));
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('[" + deep + "]')"),
              HasSubstr("every element must be a non-empty path text, got [[[[[...]]]]]"));
  // Never changed by a read.
  EXPECT_TRUE(Bytes(good) == before) << "the store changed";
  EXPECT_FALSE(std::filesystem::exists(good + "-journal"));
  // More shapes than stats_max: refused rather than merged partly.
  const std::string two = MakeStore(dir, "two", 1, 1);
  db.Exec("SELECT doctor_set('stats_max', 1)");
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('" + two + "')"),
              AllOf(HasSubstr(two), HasSubstr("raise it")));
  db.Exec("SELECT doctor_set('stats_max', 5000)");
}

// minmax_since (pg_stat_statements 1.11) in the fleet view: per store as query_stats shows it
// (stats_since, or the store's last query_stats_reset('minmax') when later); merged, the earliest
// of the stores', as stats_since: min/max come from no run before it, and a store not reset with
// the others pulls it back. Before, query_stats_merge had no minmax_since column.
TEST_F(Merge, MinMaxSinceIsTheEarliestOfTheStores) {
  TempDir dir;
  {  // A real min/max-only reset: the store read alone says what query_stats says.
    std::filesystem::create_directory(dir.File("live"));
    const std::string app = dir.File("live/app.db");
    Db live(app);
    live.Exec("CREATE TABLE t(a); INSERT INTO t VALUES (1)");
    live.One("SELECT query_stats_flush()");
    usleep(5 * 1000);
    live.One("SELECT query_stats_reset('minmax')");
    live.Exec("INSERT INTO t VALUES (2)");
    live.One("SELECT query_stats_flush()");
    const std::string q = std::string(" WHERE query = '") + kInsert + "'";
    const std::string since = live.One("SELECT minmax_since FROM query_stats" + q);
    EXPECT_EQ(live.One("SELECT minmax_since > stats_since FROM query_stats" + q), "1");
    EXPECT_EQ(live.One("SELECT minmax_since FROM query_stats_merge('" + app + "-doctor')" + q),
              since);
  }
  const std::string tmpl = MakeStore(dir, "tmpl", 1, 0);
  constexpr int64_t kHour = 3600 * 1000, t0 = 1700000000000;
  const auto store = [&](const std::string& name, int64_t since, int64_t minmax_reset,
                         bool runs_since_reset) {
    Figures f;
    f.c.AddRun(2.0, 1, 0, 0, 0, 0);
    f.c.AddRun(runs_since_reset ? 7.0 : 9.0, 1, 0, 0, 0, 0);
    if (!runs_since_reset) f.c.ForgetMinMax();
    f.c.first_seen_ms = since;
    f.c.last_seen_ms = since + 10 * kHour;
    f.minmax_reset_ms = minmax_reset;
    const std::string path = dir.File(name + ".db-doctor");
    WriteFigures(tmpl, path, kInsert, f);
    return path;
  };
  const std::string a = store("a", t0, 0, true);                   // never reset
  const std::string b = store("b", t0 + kHour, t0 + 3 * kHour, true);  // reset after its start
  const std::string c = store("c", t0 + 2 * kHour, t0 + 5 * kHour, true);
  const std::string d = store("d", t0 + 4 * kHour, t0 + kHour, true);  // reset before its start
  const std::string e = store("e", t0, t0 + 6 * kHour, false);     // reset, no run since
  Db db;
  const auto iso = [](int64_t ms) { return IsoTime(ms); };
  // Alone: as query_stats.
  EXPECT_EQ(MergedValue(db, {a}, "minmax_since", kInsert), iso(t0));
  EXPECT_EQ(MergedValue(db, {b}, "minmax_since", kInsert), iso(t0 + 3 * kHour));
  EXPECT_EQ(MergedValue(db, {b}, "stats_since", kInsert), iso(t0 + kHour));
  EXPECT_EQ(MergedValue(db, {d}, "minmax_since", kInsert), iso(t0 + 4 * kHour));
  EXPECT_EQ(MergedValue(db, {e}, "minmax_since || ' ' || typeof(min_ms)", kInsert),
            iso(t0 + 6 * kHour) + " null");
  // Merged: the earliest. a was not reset: its runs from t0 are in min/max, and minmax_since says so.
  EXPECT_EQ(MergedValue(db, {a, b}, "minmax_since", kInsert), iso(t0));
  EXPECT_EQ(MergedValue(db, {a, b}, "minmax_since = stats_since", kInsert), "1");
  EXPECT_EQ(MergedValue(db, {b, c}, "minmax_since", kInsert), iso(t0 + 3 * kHour));
  EXPECT_EQ(MergedValue(db, {b, c}, "stats_since", kInsert), iso(t0 + kHour));
  EXPECT_EQ(MergedValue(db, {c, d}, "minmax_since", kInsert), iso(t0 + 4 * kHour));
  EXPECT_EQ(MergedValue(db, {c, e}, "minmax_since || ' ' || min_ms || ' ' || max_ms", kInsert),
            iso(t0 + 5 * kHour) + " 2.0 7.0");
  // e's 9 ms run is in the histogram, not in max_ms: p99 is not clamped to 7 (it was).
  EXPECT_EQ(MergedValue(db, {c, e}, "p99_ms > 8", kInsert), "1");
  // Validated like every value of a store: the file is named.
  for (const char* bad : {"'x'", "-5", "4611686018427387904", "NULL"}) {
    const std::string path = dir.File("bad.db-doctor");
    std::filesystem::copy_file(b, path, std::filesystem::copy_options::overwrite_existing);
    Sql(path, std::string("UPDATE doctor_sidecar SET value = ") + bad +
                  " WHERE key = 'minmax_reset_at_ms'");
    EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('" + JsonArray({a, path}) + "')"),
                AllOf(HasSubstr(path), HasSubstr("'minmax_reset_at_ms'"),
                      HasSubstr("is not a valid value")))
        << bad;
  }
}

// Stores copied hours ago (or from machines that stopped writing): hours_ago counts from the
// newest hour in the stores, not from the reader's clock. Before, the newest hour of stores
// written 5 hours ago was hours_ago 5, and "the last hour against the one before" found nothing.
TEST_F(Merge, HoursAgoCountsFromTheStoresNewestHour) {
  TempDir dir;
  const std::vector<std::string> stores = {MakeStore(dir, "a", 5, 0), MakeStore(dir, "b", 7, 0),
                                           MakeStore(dir, "c", 11, 0)};
  const int64_t hour = UnixMs() / (3600 * 1000);
  // As if copied 5 hours after their last write (c: 7 hours, its machine idle since); a has an
  // hour before that too. (Absolute hours: the three flushes may straddle an hour's end.)
  const auto shift = [&](const std::string& path, int hours) {
    const std::string h = std::to_string(hour - hours);
    const std::string ms = std::to_string((hour - hours) * int64_t{3600000} + 60000);
    Sql(path, "UPDATE doctor_query_buckets SET hour = " + h +
                  "; UPDATE doctor_query_stats SET first_seen_ms = " + ms + ", last_seen_ms = " +
                  ms + ", stats_since_ms = " + ms);
  };
  shift(stores[0], 5);
  shift(stores[1], 5);
  shift(stores[2], 7);
  Sql(stores[0], "INSERT INTO doctor_query_buckets SELECT query_id, db, hour - 1, calls,"
                 " total_ms, min_ms, max_ms, histogram FROM doctor_query_buckets");
  Db db;
  const std::string rows =
      "SELECT hours_ago || ' ' || sources || ' ' || calls || ' ' || hour FROM "
      "query_stats_buckets_merge('" + JsonArray(stores) + "') WHERE query = '" + kInsert +
      "' ORDER BY hours_ago";
  const auto iso_hour = [](int64_t h) { return IsoTime(h * 3600 * 1000); };
  EXPECT_EQ(db.Rows(rows), (std::vector<std::vector<std::string>>{
                               {"0 2 12 " + iso_hour(hour - 5)},
                               {"1 1 5 " + iso_hour(hour - 6)},
                               {"2 1 11 " + iso_hour(hour - 7)}}));
  // The "what got slower" join finds the last hour and the one before.
  EXPECT_EQ(db.One("SELECT count(*) FROM query_stats_buckets_merge('" + JsonArray(stores) +
                   "') cur JOIN query_stats_buckets_merge('" + JsonArray(stores) +
                   "') prev USING (query_id, db) WHERE cur.hours_ago = 0 AND prev.hours_ago = 1"
                   " AND cur.query = '" + kInsert + "'"),
            "1");
  // A bucket later than its query's last run is damage (and hour 2^53 overflowed hour x 3600000).
  const std::string bad = dir.File("bad.db-doctor");
  std::filesystem::copy_file(stores[1], bad);
  Sql(bad, "UPDATE doctor_query_buckets SET hour = 9007199254740992");
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_buckets_merge('" + JsonArray({stores[0], bad}) +
                       "')"),
              AllOf(HasSubstr(bad), HasSubstr("hour 9007199254740992 is later than its query's")));
}

// Copies of one store (one copied at 10:00 and again at 11:00, or into two folders) hold the same
// runs: refused like the same file named twice. Before, their calls added up (3, not 2).
TEST_F(Merge, CopiesOfOneStoreAreRefused) {
  TempDir dir;
  const std::string other = MakeStore(dir, "b", 3, 0);
  std::filesystem::create_directory(dir.File("a"));
  const std::string app = dir.File("a/app.db"), store = app + "-doctor";
  const std::string early = dir.File("early.db-doctor");
  Db live(app);
  live.Exec("CREATE TABLE t(a); INSERT INTO t VALUES (1)");
  live.One("SELECT query_stats_flush()");
  std::filesystem::copy_file(store, early);  // the copy at 10:00
  live.Exec("INSERT INTO t VALUES (2)");
  live.One("SELECT query_stats_flush()");  // at 11:00 the store holds both runs
  Db db;
  for (const char* table :
       {"query_stats_merge", "query_stats_buckets_merge", "slow_queries_merge"}) {
    EXPECT_THAT(db.Error(std::string("SELECT * FROM ") + table + "('" +
                         JsonArray({early, other, store}) + "')"),
                AllOf(HasSubstr("store " + store + ": is a copy of the same store as " + early),
                      HasSubstr("count twice")))
        << table;
  }
  // A store of an earlier release has no id: merged (nothing can tell a copy of it).
  const std::string old = dir.File("old.db-doctor");
  std::filesystem::copy_file(early, old);
  Sql(old, "DELETE FROM doctor_sidecar WHERE key = 'store_id'");
  EXPECT_EQ(MergedValue(db, {other, old}, "calls", kInsert), "4");
  // Its next flush gives it one; a damaged one is named.
  EXPECT_EQ(timing::testing::OnStore(app, "DELETE FROM doctor_sidecar WHERE key = 'store_id'"), "");
  live.Exec("INSERT INTO t VALUES (2)");
  live.One("SELECT query_stats_flush()");
  EXPECT_EQ(timing::testing::StoreValue(app, "SELECT value > 0 FROM doctor_sidecar"
                                             " WHERE key = 'store_id'"),
            "1");
  Sql(old, "INSERT INTO doctor_sidecar VALUES ('store_id', 'x')");
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('" + old + "')"),
              AllOf(HasSubstr(old), HasSubstr("'store_id' x is not a valid value")));
  // A full reset starts new figures under a new id: the copy from before it merges with them.
  live.One("SELECT query_stats_reset()");
  live.Exec("INSERT INTO t VALUES (3)");
  live.One("SELECT query_stats_flush()");
  EXPECT_EQ(MergedValue(db, {early, store}, "calls || ' ' || sources", kInsert), "2 2");
}

// The stores' hourly buckets and slow rings merge too (query_stats_buckets_merge,
// slow_queries_merge), with the same checks; before, neither table existed.
TEST_F(Merge, BucketsAndSlowRingsMergeToo) {
  TempDir dir;
  Db db;
  db.Exec("SELECT doctor_set('slow_ms', 0)");  // every statement goes to the slow ring
  const std::vector<std::string> stores = {MakeStore(dir, "a", 5, 3), MakeStore(dir, "b", 7, 0),
                                           MakeStore(dir, "c", 11, 2)};
  const std::string arg = "('" + JsonArray(stores) + "')";
  const std::string insert = std::string("query = '") + kInsert + "'";
  // Each store flushed once: one hour per store, so the sources add up to 3 in any case.
  EXPECT_EQ(db.One("SELECT sum(calls) || ' ' || sum(sources) || ' ' || (min(hours_ago) >= 0)"
                   " FROM query_stats_buckets_merge" + arg + " WHERE " + insert),
            "23 3 1");
  EXPECT_EQ(db.One("SELECT min(min_ms) = (SELECT min_ms FROM query_stats_merge" + arg + " WHERE " +
                   insert + ") FROM query_stats_buckets_merge" + arg + " WHERE " + insert),
            "1");
  EXPECT_EQ(db.One("SELECT count(*) || ' ' || count(DISTINCT store) || ' ' || min(db)"
                   " FROM slow_queries_merge" + arg + " WHERE sql = '" + kInsert + "'"),
            "23 3 app.db");
  // Newest first, at most slow_max.
  db.Exec("SELECT doctor_set('slow_max', 4)");
  EXPECT_EQ(db.One("SELECT count(*) FROM slow_queries_merge" + arg), "4");
  EXPECT_EQ(db.One("SELECT (SELECT at FROM slow_queries_merge" + arg + " LIMIT 1) = "
                   "(SELECT max(at) FROM slow_queries_merge" + arg + ")"),
            "1");
  db.Exec("SELECT doctor_set('slow_max', 1000); SELECT doctor_set('slow_ms', 100)");
  // Every value checked, the file named; the same file twice refused.
  const auto copy = [&](const std::string& name, const std::string& sql) {
    const std::string path = dir.File(name);
    std::filesystem::copy_file(stores[0], path);
    Sql(path, sql);
    return path;
  };
  const std::string bad_bucket = copy("bucket.db-doctor", "UPDATE doctor_query_buckets SET calls = -1");
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_buckets_merge('" +
                       JsonArray({stores[1], bad_bucket}) + "')"),
              AllOf(HasSubstr(bad_bucket), HasSubstr("calls -1"),
                    ::testing::Not(HasSubstr(bad_bucket + ": sidecar"))));  // named once
  const std::string bad_slow = copy("slow.db-doctor", "UPDATE doctor_slow_queries SET ms = -1");
  EXPECT_THAT(db.Error("SELECT * FROM slow_queries_merge('" + JsonArray({stores[1], bad_slow}) +
                       "')"),
              AllOf(HasSubstr(bad_slow), HasSubstr("ms -1")));
  EXPECT_THAT(db.Error("SELECT * FROM slow_queries_merge('" +
                       JsonArray({stores[1], stores[1]}) + "')"),
              HasSubstr("count twice"));
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_buckets_merge('[]')"),
              HasSubstr("non-empty JSON"));
}

// A format-2 store (before shared plans), e.g. copied from a machine that runs an older release:
// merged with its figures, without plans.
TEST_F(Merge, AFormat2StoreMergesWithoutPlans) {
  TempDir dir;
  const std::string a = MakeStore(dir, "a", 2, 1), b = MakeStore(dir, "b", 3, 1);
  Sql(b, "DROP TABLE doctor_query_plans; DROP TABLE doctor_plan_changes;"
         " UPDATE doctor_sidecar SET value = 2 WHERE key = 'format'");
  Db db;
  EXPECT_EQ(MergedValue(db, {a, b}, "calls", kInsert), "5");
  EXPECT_EQ(MergedValue(db, {b}, "plan_id IS NULL", kSelect), "1");
  EXPECT_EQ(MergedValue(db, {a, b}, "plan_sqlite = sqlite_version()", kSelect), "1");
  EXPECT_THAT(MergedValue(db, {a, b}, "plan", kSelect), HasSubstr("USING COVERING INDEX t_a"));
}

// A store another process holds locked: an error within a second, never a hang.
TEST_F(Merge, ALockedStoreFailsFast) {
  TempDir dir;
  const std::string store = MakeStore(dir, "a", 2, 0);
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(store.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN EXCLUSIVE; DELETE FROM doctor_slow_queries", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  Db db;
  const double t0 = NowMs();
  EXPECT_THAT(db.Error("SELECT * FROM query_stats_merge('" + store + "')"),
              AllOf(HasSubstr(store), HasSubstr("locked")));
  EXPECT_LT(NowMs() - t0, 1000);
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close_v2(holder);
  EXPECT_EQ(db.One("SELECT calls FROM query_stats_merge('" + store + "') WHERE query = '" +
                   kInsert + "'"),
            "2");
}

// Plans through the store: a worker process captures its plan (with the index); the reader, in
// another process where the index is gone, shows the worker's plan with its id, not its own.
TEST_F(Merge, AnotherProcessesPlanIsShownThroughTheStore) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSAN stops a child that starts threads after fork";
#endif
  TempDir dir;
  const std::string app = dir.File("app.db");
  {
    Db setup(app);
    setup.Exec("CREATE TABLE t(a, b); CREATE INDEX t_a ON t(a)");
  }
  const pid_t child = fork();
  if (child == 0) {
    sqlite3* own = nullptr;
    sqlite3_open(app.c_str(), &own);
    sqlite3_exec(own, "SELECT b FROM t WHERE a = 5", nullptr, nullptr, nullptr);
    // The plan is taken at the next statement's start, then flushed with the figures.
    sqlite3_exec(own, "SELECT query_stats_flush()", nullptr, nullptr, nullptr);
    sqlite3_close_v2(own);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  Db db(app);
  db.Exec("DROP INDEX t_a");
  const std::string q = "SELECT b FROM t WHERE a = ?";
  EXPECT_EQ(db.One("SELECT calls FROM query_stats WHERE query = '" + q + "'"), "1");
  EXPECT_THAT(db.One("SELECT plan FROM query_stats WHERE query = '" + q + "'"),
              HasSubstr("USING INDEX t_a"));
  EXPECT_NE(db.One("SELECT plan_id FROM query_stats WHERE query = '" + q + "'"), "NULL");
  // With the worker's SQLite version and when it captured the plan (a worker of another SQLite
  // stands in: this test's processes share one library).
  EXPECT_EQ(db.One("SELECT plan_sqlite = sqlite_version() AND plan_captured IS NOT NULL FROM "
                   "query_stats WHERE query = '" + q + "'"),
            "1");
  ASSERT_EQ(timing::testing::OnStore(app, "UPDATE doctor_query_plans SET sqlite = '3.53.2'"), "");
  EXPECT_EQ(db.One("SELECT plan_sqlite FROM query_stats WHERE query = '" + q + "'"), "3.53.2");
  // The same plan in the fleet view.
  EXPECT_THAT(db.One("SELECT plan FROM query_stats_merge('" + app + "-doctor') WHERE query = '" +
                     q + "'"),
              HasSubstr("USING INDEX t_a"));
  EXPECT_EQ(db.One("SELECT plan_id FROM query_stats_merge('" + app +
                   "-doctor') WHERE query = '" + q + "'"),
            db.One("SELECT plan_id FROM query_stats WHERE query = '" + q + "'"));
}

}  // namespace
}  // namespace doctor
