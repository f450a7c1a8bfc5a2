// The advisor's laboratory: a private in-memory database (opened through sqlite3_api, nothing
// attached to the user's connection) holding a copy of the user's schema (as far as the workload
// reaches it: scratch_scope.h) and a deterministic sample of each table's rows, with statistics
// taken from the user's sqlite_stat1 when present and otherwise from ANALYZE of the sample,
// scaled to the real row counts. Candidate indexes are built and dropped here; statements run
// here (writes inside a savepoint that is rolled back) and their cost is the number of VM steps
// (SQLITE_STMTSTATUS_VM_STEP), which is deterministic.
//
// Nothing here writes to the user's database: it is only read (schema, sample rows, stat1).
// Built in four steps, each in its own file: scope (scratch_scope.h), schema
// (scratch_schema.h), sample (scratch_sample.h, also Seed) and statistics
// (scratch_statistics.cc). Plans are read with core ExplainQueryPlan(db(), sql).
#ifndef DOCTOR_INDEXES_SCRATCH_H_
#define DOCTOR_INDEXES_SCRATCH_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/indexes/index_def.h"
#include "ext/indexes/index_names.h"
#include "ext/core/connection.h"
#include "ext/core/private_db.h"
#include "ext/core/step_budget.h"
#include "ext/core/value.h"

namespace doctor::indexes {

struct ColumnInfo {
  std::string name;
  std::string collation;  // declared collation, "" = BINARY
  bool generated = false;
  int pk = 0;             // position in the primary key, 0 = not part of it
};

struct TableInfo {
  std::string name;
  std::vector<ColumnInfo> columns;
  std::vector<std::string> hidden;  // a virtual table's hidden columns (e.g. fts5's table column)
  bool is_virtual = false;
  bool without_rowid = false;
  bool integer_pk = false;     // a rowid alias column exists
  int64_t real_rows = 0;
  int64_t sample_rows = 0;
  int64_t expected_rows = 0;   // from the "rows" option (0: not given)
  std::vector<IndexDef> indexes;  // existing indexes (with names), as read from the schema

  int Column(const std::string& name) const;  // -1 when absent
  // The one home of "a key of this table" (a parent key to a foreign key or a join): the
  // columns of a key all among `columns`, in key order; empty when no key is. A key is the rowid
  // alias, the PRIMARY KEY, a UNIQUE constraint or a CREATE UNIQUE INDEX that is not partial
  // and has no expression (the parent keys SQLite accepts for a foreign key).
  std::vector<std::string> KeyWithin(const std::vector<std::string>& columns) const;
  // The PRIMARY KEY's columns in key order (a foreign key that names no parent columns refers
  // to them); {"rowid"} when the table has none.
  std::vector<std::string> PrimaryKey() const;
  // The rows to plan and size for: the expected count when given, else the real one.
  int64_t PlannedRows() const { return expected_rows > 0 ? expected_rows : real_rows; }
  // Nothing on it can be measured: empty, or far smaller than expected (under 1%).
  bool Unmeasured() const {
    return real_rows == 0 || (expected_rows > 0 && real_rows * 100 < expected_rows);
  }
};

// A table of the user's main schema that the copy leaves out (scratch_scope.h): what the
// sample's share and the index names still need of it.
struct LeftOutTable {
  std::string name;
  bool is_virtual = false;
  bool autoincrement = false;  // declared AUTOINCREMENT: it has a row in sqlite_sequence
  int64_t real_rows = 0;
};

struct ScratchOptions {
  int64_t sample_rows = 20000;   // in all tables together, the same share of each
  bool foreign_keys = true;      // run FK actions (cascades) when measuring writes
  int64_t step_cap = 20000000;   // a statement is stopped after this many VM steps
  // Statistics when the user's database has no sqlite_stat1: false plans like the user's
  // database does today (no statistics at all); true plans as it would after ANALYZE.
  bool analyze_sample = false;
  std::map<std::string, int64_t> expected_rows;  // by table name (case-insensitive)
  // The workload's text: the parents its equi-joins reach from sampled rows are sampled too
  // (scratch_partners.h). Empty: the same share of every table only.
  // Also the copy's scope (scratch_scope.h): with a workload, the copy holds the tables its
  // statements reach; without one, every table.
  std::vector<std::string> workload;
  // More statements whose tables the copy must hold (index_whatif's index DDL), not sampled for.
  std::vector<std::string> also_named;
  // Without a workload, copy only what `also_named` reaches (index_lint: the tables with indexes
  // to judge) instead of every table.
  bool named_only = false;
  // Copy every table even with a workload (the fallback when a statement needs a table the
  // scope left out; lint and the checks that compare with a whole copy).
  bool whole_schema = false;
  // Tests only: tables (lower case) the scope leaves out although the workload names them, to
  // exercise the fallback to a whole copy.
  std::set<std::string> scope_leaves_out;
};

class Scratch {
 public:
  static absl::StatusOr<std::unique_ptr<Scratch>> Build(Connection& user,
                                                        const ScratchOptions& options);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  sqlite3* db() const { return db_; }
  Connection& caller() const { return private_->caller(); }
  // OK while the work may go on; else why it was stopped (the caller's interrupt, work_timeout_ms).
  // A loop over the statements of a workload checks it, so a stopped run ends at once.
  absl::Status CheckInterrupted() { return private_->CheckInterrupted(); }
  // The tables on the copy (scratch_scope.h: those the workload reaches, or all), by name.
  const std::vector<TableInfo>& tables() const { return tables_; }
  // Whether the copy left tables or views of the user's schema out; and whether `error` (a
  // statement's, on the copy) names one of those: it may fail here only for want of it.
  bool scoped() const { return !left_out_names_.empty(); }
  // The tables of main the copy left out (empty for a whole copy).
  const std::vector<LeftOutTable>& left_out() const { return left_out_; }
  bool NamesLeftOut(const std::string& error) const;
  bool has_stats() const { return has_stats_; }
  // Whether the user's connection runs LIKE case-sensitively (PRAGMA case_sensitive_like=ON):
  // the copy then does too, so a LIKE is served by a BINARY index there, not a NOCASE one.
  bool case_sensitive_like() const { return case_sensitive_like_; }
  const TableInfo* FindTable(const std::string& name) const;
  // The naming scheme of proposed indexes for this schema (index_names.h).
  IndexNamer Namer() const;

  // Runs `sql` with `params` bound and counts its VM steps (core RunWithStepBudget); writes are
  // rolled back. `cap` > 0 stops it after about that many steps (else options.step_cap). A write
  // may add at most growth_bytes() to the copy and no value may be longer than that plus the
  // sample (BoundMemory): one stopped there has a `code` for which StoppedByMemoryBound holds
  // and an `error` that says so.
  StepCount Run(const std::string& sql, const std::vector<Value>& params, int64_t cap = 0);
  static bool StoppedByMemoryBound(const StepCount& run);
  int64_t growth_bytes() const { return growth_bytes_; }
  // The tables a statement reads or writes (triggers and FK actions included), from the
  // authorizer during prepare (and the tables of its USING and NATURAL joins, which the
  // authorizer is not told of), lower-cased; and the table it writes, if any.
  absl::Status Touched(const std::string& sql, std::set<std::string>* tables,
                       std::string* written);
  // The tables the statement itself reads or writes: FK actions left out (triggers are not).
  absl::Status DirectTables(const std::string& sql, std::set<std::string>* tables);
  // Whether any of `tables` (lower-case names) has a trigger.
  bool HasTriggers(const std::set<std::string>& tables);

  // Builds a hypothetical index on the copy and gives it scaled statistics.
  absl::Status AddIndex(const IndexDef& index);
  absl::Status DropIndex(const IndexDef& index);
  // Builds several at once (one statistics reload); those that fail are left out.
  void AddIndexes(const std::vector<IndexDef>& indexes);
  // Takes a built index out of the schema but keeps its b-tree (scratch_park.cc), so that
  // UnparkIndex brings it back without a rebuild; false when it was dropped instead. Either
  // takes effect at ReloadSchema.
  bool ParkIndex(const IndexDef& index);
  bool UnparkIndex(const IndexDef& index);  // false: not parked (build it)
  absl::Status ReloadSchema();
  // For reading plans only (scratch_unbuilt.cc): enters `indexes` in the schema in this order,
  // reloaded; those that plan the same unbuilt are not built, the others are built. `built`:
  // the ones with a b-tree (to park or drop afterwards). False: nothing was done (statistics,
  // or a schema that cannot be edited): build them all with AddIndexes.
  bool EnterForPlanning(const std::vector<IndexDef>& indexes, std::vector<IndexDef>* built);
  // Takes the unbuilt ones out of the schema again (takes effect at ReloadSchema).
  void RemoveUnbuilt();
  // Puts these built indexes in this order in the schema (takes effect at ReloadSchema).
  void OrderIndexes(const std::vector<IndexDef>& in_order);
  // Runs user-written CREATE INDEX statements on the copy (anything else is refused) and gives
  // the new indexes scaled statistics; returns their names.
  absl::StatusOr<std::vector<std::string>> ApplyIndexDdl(const std::string& ddl);

  // Makes sure the sample holds rows with column = value when the user's table has some (a
  // statement looking up one key must find it on the copy too), keeping the sample's share of
  // them. Only for columns the user's database can search by index (no full scans there).
  void Seed(Connection& user, const std::string& table, const std::string& column,
            const Value& value);

  // Copies every row of `table` with column IN (values) from the user's database (at most
  // `limit`; a scan there when no index serves it), so the rows an FK action of a workload
  // write touches are all on the copy.
  void SeedAll(Connection& user, const std::string& table, const std::string& column,
               const std::vector<Value>& values, int64_t limit);
  // The distinct values of `column` (at most 200) in the rows of `table` that `sql`, run with
  // `params`, deletes (or updates), found on the copy and rolled back.
  std::vector<Value> TouchedValues(const std::string& sql, const std::vector<Value>& params,
                                   const std::string& table, const std::string& column,
                                   bool is_delete);

  // Sample statistics of one column: distinct values and average stored bytes.
  double Distinct(const std::string& table, const std::string& column);
  double AvgBytes(const std::string& table, const std::string& column);
  // Computes AvgBytes of every column of `table` not yet known, in one scan.
  void AvgBytesOfColumns(const std::string& table);
  // Share of sample rows where column = value (0..1).
  double Frequency(const std::string& table, const std::string& column, const Value& value);
  // Share of sample rows of `table` where `where` (SQL text) holds (0..1); < 0 on an error.
  double Share(const std::string& table, const std::string& where);
  // A query that reads the sample only (no candidate index, no write): run once while the
  // sample stays as it is (until Seed or SeedAll adds rows), its rows kept.
  absl::StatusOr<Rows> SampleQuery(const std::string& sql, const std::vector<Value>& params = {});
  // A typical value of a column in the sample (the middle row's), for binding parameters.
  Value Typical(const std::string& table, const std::string& column);
  // The column's most frequent value in the sample, or with `rarest` its least frequent one
  // (ties: the most frequent is the smallest value, the rarest the largest, so that evenly spread
  // values are measured with two of them); NULL when the column holds none.
  Value Frequent(const std::string& table, const std::string& column, bool rarest);
  // The value at quantile q (0..1) of the column's sorted non-NULL sample values.
  Value Quantile(const std::string& table, const std::string& column, double q);

 private:
  Scratch() = default;
  // The copy, of the workload's scope unless `whole`.
  static absl::StatusOr<std::unique_ptr<Scratch>> BuildCopy(Connection& user,
                                                            const ScratchOptions& options,
                                                            bool whole);
  absl::Status CopySchemaAndSample(Connection& user, bool whole);
  // The first error of a statement of the workload (also_named too) that does not prepare on
  // the copy for want of a table or view it left out; "" when none.
  std::string MissedByScope();
  // Bounds the memory the workload's statements can take on the copy (they run here, writes
  // rolled back): per connection, as the process-wide heap limits are the application's.
  void BoundMemory();
  // While one lives, a write may add at most growth_bytes_ to the copy (max_page_count); lifted
  // at its end, as candidate indexes are built between runs.
  class GrowthBound {
   public:
    explicit GrowthBound(Scratch& s);
    ~GrowthBound();
    GrowthBound(const GrowthBound&) = delete;
    GrowthBound& operator=(const GrowthBound&) = delete;

   private:
    Scratch& s_;
    bool set_ = false;
  };
  absl::Status LoadStatistics(Connection& user);
  absl::Status ScaleStatRow(const std::string& table, const std::string& index);
  // An index that plans unbuilt exactly as built and whose CREATE INDEX cannot fail on data.
  bool PlansUnbuilt(const IndexDef& index) const;
  bool EmptyIndexRoots(size_t n);  // at least n in empty_roots_ (false: cannot here)

  std::unique_ptr<PrivateDb> private_;  // stops at the caller's interrupt or the deadline
  sqlite3* db_ = nullptr;              // private_->db()
  // When the extension is auto-loaded into every connection, the copy's statements are marked
  // as the extension's own, so query timing never counts them as the application's workload.
  std::unique_ptr<Connection::InternalScope> internal_;
  ScratchOptions options_;
  double rate_ = 1.0;  // share of each table's rows in the sample
  int64_t growth_bytes_ = 0;  // what a write may add to the copy (0: unbounded)
  int64_t page_size_ = 4096;
  int64_t max_page_count_ = 0;  // the copy's own, restored after each bounded write
  bool case_sensitive_like_ = false;  // see case_sensitive_like()
  bool has_stats_ = false;  // the copy plans with sqlite_stat1 (candidates get scaled rows)
  bool has_stat4_ = false;  // ... and with sqlite_stat4 (this SQLite has STAT4)
  std::vector<TableInfo> tables_;
  std::vector<std::string> views_;  // their names: an index may not take one (Namer)
  // What the scope left out: the tables (Namer, the sample's share), the indexes on them (by
  // name and table: Namer), and the lower-case names of those tables and views (NamesLeftOut).
  std::vector<LeftOutTable> left_out_;
  std::vector<IndexDef> left_out_indexes_;
  std::set<std::string> left_out_names_;
  std::map<std::string, double> stat_cache_;
  // +1 each time Seed or SeedAll adds rows: what SampleQuery keeps is valid for one version.
  int sample_version_ = 0;
  std::map<std::string, Rows> sample_queries_;
  // Parked indexes by name: their sqlite_schema row and sqlite_stat1 rows.
  struct Parked {
    Row schema;
    Rows stats;
  };
  std::map<std::string, Parked> parked_;
  bool parking_ = true;         // false once the schema could not be edited
  bool parking_checked_ = false;  // a reload was seen to take a parked index out
  bool schema_edited_ = false;  // parked or unparked since the last reload
  std::map<std::string, Value> typical_cache_;
  std::vector<int64_t> empty_roots_;  // root pages of empty b-trees, under unbuilt indexes
  int unbuilt_ = 0;         // unbuilt indexes in the schema
};

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SCRATCH_H_
