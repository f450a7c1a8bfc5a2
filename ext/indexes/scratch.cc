#include "ext/indexes/scratch.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/sql.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/indexes/scratch_partners.h"
#include "ext/indexes/scratch_sample.h"
#include "ext/indexes/scratch_schema.h"
#include "ext/indexes/scratch_scope.h"
#include "ext/indexes/standin_collations.h"

namespace doctor::indexes {
namespace {

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

// Wall time the join step of the sample may take (scratch_partners.h): a safety net, far above
// what it takes (0.2-0.6 s for 20,000 rows), so that a busy machine does not change the sample.
constexpr double kPartnersMaxMs = 3000;

// What a write on the copy may add at least (BoundMemory): far above any write of a workload on
// a sample (a batch of rows, a cascade), far below what a hostile one took (2.3 GB).
constexpr int64_t kMinGrowthBytes = int64_t{64} << 20;

}  // namespace

int TableInfo::Column(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (absl::EqualsIgnoreCase(columns[i].name, column)) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> TableInfo::KeyWithin(const std::vector<std::string>& within) const {
  auto named = [&](const std::string& c) {
    for (const std::string& x : within) {
      if (absl::EqualsIgnoreCase(x, c)) return true;
    }
    return false;
  };
  for (const ColumnInfo& c : columns) {
    if (integer_pk && c.pk == 1 && named(c.name)) return {c.name};
  }
  for (const IndexDef& d : indexes) {
    if (!d.unique || !d.where.empty() || d.parts.empty()) continue;
    std::vector<std::string> key;
    for (const KeyPart& p : d.parts) {
      if (p.expression || !named(p.column)) break;
      key.push_back(p.column);
    }
    if (key.size() == d.parts.size()) return key;
  }
  return {};
}

std::vector<std::string> TableInfo::PrimaryKey() const {
  std::vector<std::string> key;
  for (int position = 1;; ++position) {
    const size_t before = key.size();
    for (const ColumnInfo& c : columns) {
      if (c.pk == position) key.push_back(c.name);
    }
    if (key.size() == before) break;
  }
  if (key.empty()) key.push_back("rowid");
  return key;
}

absl::StatusOr<std::unique_ptr<Scratch>> Scratch::Build(Connection& user,
                                                        const ScratchOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Scratch> s, BuildCopy(user, options, options.whole_schema));
  if (!s->scoped()) return s;
  const std::string missed = s->MissedByScope();
  if (missed.empty()) return s;
  if (getenv("DOCTOR_INDEXES_TRACE") != nullptr) {
    fprintf(stderr, "scratch: the whole schema after all: %s\n", missed.c_str());
  }
  s.reset();  // its memory before the whole copy's
  return BuildCopy(user, options, true);
}

absl::StatusOr<std::unique_ptr<Scratch>> Scratch::BuildCopy(Connection& user,
                                                            const ScratchOptions& options,
                                                            bool whole) {
  std::unique_ptr<Scratch> s(new Scratch());
  s->options_ = options;
  absl::StatusOr<std::unique_ptr<PrivateDb>> opened = PrivateDb::Open(user, ":memory:");
  if (!opened.ok()) return absl::InternalError("cannot open the in-memory scratch database");
  s->private_ = *std::move(opened);
  s->db_ = s->private_->db();
  if (Connection* c = Connection::Find(s->db_)) {
    s->internal_ = std::make_unique<Connection::InternalScope>(*c);
  }
  UseStandInCollations(s->db_);  // the application's own COLLATE names, before any CREATE TABLE
  // LIKE as the user's connection runs it. PRAGMA case_sensitive_like cannot be read back, but
  // its effect can: with it on, 'a' LIKE 'A' is false, and only a BINARY index serves a LIKE.
  auto like = Query(user, "SELECT 'a' LIKE 'A'");
  if (like.ok() && !like->empty() && !(*like)[0][0].is_null() && (*like)[0][0].AsInt() == 0) {
    s->case_sensitive_like_ = Exec(s->db_, "PRAGMA case_sensitive_like=ON").ok();
  }
  const double t0 = MonotonicMs();
  RETURN_IF_ERROR(s->CopySchemaAndSample(user, whole));
  const double t1 = MonotonicMs();
  for (const auto& [name, rows] : options.expected_rows) {
    TableInfo* t = nullptr;
    for (TableInfo& candidate : s->tables_) {
      if (absl::EqualsIgnoreCase(candidate.name, name)) t = &candidate;
    }
    bool left_out = false;  // a table of main all the same: nothing of it is measured
    for (const LeftOutTable& o : s->left_out_) left_out |= absl::EqualsIgnoreCase(o.name, name);
    if (t == nullptr && !left_out) {
      return absl::InvalidArgumentError(
          absl::StrCat("options: 'rows' names '", name, "', which is no table of main"));
    }
    if (t != nullptr) t->expected_rows = rows;
  }
  RETURN_IF_ERROR(s->LoadStatistics(user));
  s->BoundMemory();
  if (getenv("DOCTOR_INDEXES_TRACE") != nullptr) {
    fprintf(stderr, "scratch: copy %.1fms, statistics %.1fms, %zu of %zu tables copied\n",
            t1 - t0, MonotonicMs() - t1, s->tables_.size(),
            s->tables_.size() + s->left_out_.size());
  }
  RETURN_IF_ERROR(
      Exec(s->db_, options.foreign_keys ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF"));
  return s;
}

Scratch::~Scratch() {
  internal_.reset();  // before the connection (and its Connection) goes away
  private_.reset();
}

const TableInfo* Scratch::FindTable(const std::string& name) const {
  for (const TableInfo& t : tables_) {
    if (absl::EqualsIgnoreCase(t.name, name)) return &t;
  }
  return nullptr;
}

// Scope, schema, then sample, then the objects that must not exist while rows are copied.
absl::Status Scratch::CopySchemaAndSample(Connection& user, bool whole) {
  ASSIGN_OR_RETURN(std::vector<SchemaObject> objects, ReadSchemaObjects(user));
  // Without an authorizer (a build that omits it) Touched takes every table as touched: the
  // copy has them all.
  CopyScope scope;
  scope.whole = whole || (options_.workload.empty() && !options_.named_only) ||
                sqlite3_api->set_authorizer == nullptr;
  if (!scope.whole) {
    ASSIGN_OR_RETURN(const std::vector<ForeignKey> keys, ForeignKeysOfSchema(user, "main"));
    std::vector<std::string> texts = options_.workload;
    texts.insert(texts.end(), options_.also_named.begin(), options_.also_named.end());
    scope = ScopeOf(objects, keys, texts);
    for (const std::string& n : options_.scope_leaves_out) scope.names.erase(n);
    if (scope.whole && getenv("DOCTOR_INDEXES_TRACE") != nullptr) {
      fprintf(stderr, "scratch: the whole schema: the workload %s\n", scope.why_whole.c_str());
    }
  }
  const std::set<std::string>* only = scope.whole ? nullptr : &scope.names;
  ASSIGN_OR_RETURN(tables_, ReadTables(user, objects, only, &left_out_));
  for (const SchemaObject& o : objects) {
    if (o.type == "view") views_.push_back(o.name);
  }
  if (only != nullptr) {
    std::set<std::string> left_out_tables;
    for (const LeftOutTable& t : left_out_) left_out_tables.insert(absl::AsciiStrToLower(t.name));
    left_out_names_ = left_out_tables;
    for (const SchemaObject& o : objects) {
      const std::string name = Lower(o.name);
      if (o.type == "view" && only->count(name) == 0) left_out_names_.insert(name);
      if (o.type == "index" && left_out_tables.count(Lower(o.table)) > 0) {
        IndexDef d;
        d.table = o.table;
        d.name = o.name;
        left_out_indexes_.push_back(std::move(d));
      }
    }
  }
  RETURN_IF_ERROR(Exec(db_, "PRAGMA foreign_keys=OFF; BEGIN"));
  for (const TableInfo& t : tables_) RETURN_IF_ERROR(CreateTable(db_, t, objects));
  ASSIGN_OR_RETURN(rate_, CopySample(user, db_, options_.sample_rows, &tables_, &left_out_));
  if (rate_ < 1 && !options_.workload.empty()) {
    ASSIGN_OR_RETURN(int64_t partners,
                     CopyJoinPartners(user, db_, options_.workload, options_.sample_rows,
                                      kPartnersMaxMs, &tables_));
    if (getenv("DOCTOR_INDEXES_TRACE") != nullptr) {
      fprintf(stderr, "scratch: %lld join partner rows\n", static_cast<long long>(partners));
      for (const TableInfo& t : tables_) {
        fprintf(stderr, "  %s: %lld of %lld\n", t.name.c_str(),
                static_cast<long long>(t.sample_rows), static_cast<long long>(t.real_rows));
      }
    }
  }
  CreateDependentObjects(db_, objects, only);
  return Exec(db_, "COMMIT");
}

bool Scratch::NamesLeftOut(const std::string& error) const {
  if (left_out_names_.empty() || error.empty()) return false;
  for (const std::string& n : NamesIn(error)) {
    if (left_out_names_.count(n) > 0) return true;
  }
  return false;
}

std::string Scratch::MissedByScope() {
  std::vector<std::string> texts = options_.workload;
  texts.insert(texts.end(), options_.also_named.begin(), options_.also_named.end());
  std::string missed;
  for (const std::string& text : texts) {
    const char* p = text.c_str();
    while (missed.empty() && *p != '\0') {
      sqlite3_stmt* stmt = nullptr;
      const char* tail = nullptr;
      const int rc = sqlite3_prepare_v2(db_, p, -1, &stmt, &tail);
      sqlite3_finalize(stmt);
      if (rc == SQLITE_OK) {
        p = tail;
        continue;
      }
      const std::string message = sqlite3_errmsg(db_);
      if (NamesLeftOut(message)) {
        missed = message;
        break;
      }
      // Not for want of a table: the whole copy fails alike. On after it, as the user's
      // connection splits it (the workload's loader goes on there too: workload.cc).
      if (!IsAdvisable(KindOfStatement(p))) break;
      Connection::InternalScope internal(caller());
      const char* user_tail = nullptr;
      stmt = nullptr;
      const bool split = sqlite3_prepare_v2(caller().db(), p, -1, &stmt, &user_tail) == SQLITE_OK;
      sqlite3_finalize(stmt);
      if (!split || user_tail == p) break;
      p = user_tail;
    }
  }
  // A PRAGMA of the workload acts as it is prepared (foreign_keys): as Build left it.
  Exec(db_, options_.foreign_keys ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF")
      .IgnoreError();
  return missed;
}

// A workload statement runs on the copy (INSERT INTO t(a) WITH RECURSIVE c(i) AS (... LIMIT 20)
// SELECT zeroblob(100000000) FROM c took 2.3 GB of RAM): a write may add as much as the sample
// holds, at least kMinGrowthBytes, and no value (string, blob, row) may be longer than the sample
// and that together, so what the sample legitimately needs (sample_rows up to 10^8) scales with
// it. Per connection: SQLITE_LIMIT_LENGTH and max_page_count; sqlite3_hard_heap_limit64 is the
// whole process's, the application's.
void Scratch::BoundMemory() {
  auto pages = Query(db_, "SELECT page_count, page_size, max_page_count FROM pragma_page_count, "
                          "pragma_page_size, pragma_max_page_count");
  if (!pages.ok() || pages->empty()) return;
  max_page_count_ = (*pages)[0][2].AsInt();
  page_size_ = std::max<int64_t>(512, (*pages)[0][1].AsInt());
  const int64_t sample_bytes = (*pages)[0][0].AsInt() * page_size_;
  growth_bytes_ = std::max(kMinGrowthBytes, sample_bytes);
  const int64_t longest = std::min<int64_t>(sample_bytes + growth_bytes_,
                                            sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, -1));
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, static_cast<int>(longest));
}

Scratch::GrowthBound::GrowthBound(Scratch& s) : s_(s) {
  if (s_.growth_bytes_ <= 0) return;
  auto pages = Query(s_.db_, "PRAGMA page_count");
  if (!pages.ok() || pages->empty()) return;
  set_ = Exec(s_.db_, absl::StrCat("PRAGMA max_page_count = ",
                                   (*pages)[0][0].AsInt() + s_.growth_bytes_ / s_.page_size_))
             .ok();
}

Scratch::GrowthBound::~GrowthBound() {
  if (set_) {
    Exec(s_.db_, absl::StrCat("PRAGMA max_page_count = ", s_.max_page_count_)).IgnoreError();
  }
}

bool Scratch::StoppedByMemoryBound(const StepCount& run) {
  return run.code == SQLITE_FULL || run.code == SQLITE_TOOBIG;
}

StepCount Scratch::Run(const std::string& sql, const std::vector<Value>& params, int64_t cap) {
  const int64_t limit = cap > 0 ? std::min(cap, options_.step_cap) : options_.step_cap;
  std::unique_ptr<GrowthBound> bound;
  if (IsWrite(KindOfStatement(sql))) bound = std::make_unique<GrowthBound>(*this);
  StepCount run = RunWithStepBudget(db_, private_.get(), sql, params, limit, Writes::kRolledBack);
  if (StoppedByMemoryBound(run)) {
    const int64_t mb = growth_bytes_ >> 20;
    run.error = run.code == SQLITE_FULL
                    ? absl::StrCat("stopped at the copy's memory bound: it writes more than ", mb,
                                   " MB on the sample (", run.error, ")")
                    : absl::StrCat("stopped at the copy's memory bound: a value longer than ",
                                   sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, -1) >> 20,
                                   " MB (", run.error, ")");
  }
  return run;
}

namespace {

struct TouchState {
  std::set<std::string>* tables;
  std::string* written;
};

int Authorize(void* arg, int code, const char* a, const char*, const char*, const char*) {
  auto* st = static_cast<TouchState*>(arg);
  if (a == nullptr || absl::StartsWithIgnoreCase(a, "sqlite_")) return SQLITE_OK;
  switch (code) {
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
      if (st->written->empty()) *st->written = Lower(a);
      st->tables->insert(Lower(a));
      break;
    case SQLITE_READ:
      st->tables->insert(Lower(a));
      break;
    default:
      break;
  }
  return SQLITE_OK;
}

}  // namespace

absl::Status Scratch::Touched(const std::string& sql, std::set<std::string>* tables,
                              std::string* written) {
  RETURN_IF_ERROR(CheckInterrupted());  // every statement of a workload passes here first
  TouchState st{tables, written};
  // Without an authorizer (a build that omits it) every table counts as touched.
  const bool authorizer = sqlite3_api->set_authorizer != nullptr;
  if (authorizer) sqlite3_set_authorizer(db_, Authorize, &st);
  Finalizer f;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &f.stmt, nullptr);
  if (authorizer) sqlite3_set_authorizer(db_, nullptr, nullptr);
  if (rc != SQLITE_OK) return absl::InvalidArgumentError(sqlite3_errmsg(db_));
  for (const std::string& t : UsingJoinTables(sql, tables_)) tables->insert(t);
  if (!authorizer) {
    for (const TableInfo& t : tables_) tables->insert(Lower(t.name));
    if (f.stmt != nullptr && !sqlite3_stmt_readonly(f.stmt)) {
      // The written table: the first table named after INSERT INTO / UPDATE / DELETE FROM.
      std::string lower = Lower(sql);
      for (const TableInfo& t : tables_) {
        const std::string n = Lower(t.name);
        for (const char* verb : {"into ", "update ", "from "}) {
          if (written->empty() && absl::StrContains(lower, absl::StrCat(verb, n))) *written = n;
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Scratch::DirectTables(const std::string& sql, std::set<std::string>* tables) {
  RETURN_IF_ERROR(Exec(db_, "PRAGMA foreign_keys=OFF"));
  std::string written;
  absl::Status touched = Touched(sql, tables, &written);
  RETURN_IF_ERROR(
      Exec(db_, options_.foreign_keys ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF"));
  return touched;
}

bool Scratch::HasTriggers(const std::set<std::string>& tables) {
  auto rows = Query(db_, "SELECT lower(tbl_name) FROM sqlite_schema WHERE type = 'trigger'");
  if (!rows.ok()) return true;
  for (const Row& r : *rows) {
    if (tables.count(r[0].AsText())) return true;
  }
  return false;
}

absl::Status Scratch::AddIndex(const IndexDef& index) {
  IndexDef d = index;
  if (d.name.empty()) d.name = d.StableName();
  parked_.erase(d.name);  // a parked copy (its b-tree) is left behind: this one is new
  RETURN_IF_ERROR(Exec(db_, d.Ddl()));
  if (!has_stats_) return absl::OkStatus();
  RETURN_IF_ERROR(Exec(db_, absl::StrCat("ANALYZE ", QuoteIdentifier(d.name))));
  RETURN_IF_ERROR(ScaleStatRow(d.table, d.name));
  return Exec(db_, "ANALYZE sqlite_schema");
}

absl::StatusOr<std::vector<std::string>> Scratch::ApplyIndexDdl(const std::string& ddl) {
  std::vector<std::string> names;
  const char* p = ddl.c_str();
  while (*p != '\0') {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_, p, -1, &stmt, &tail) != SQLITE_OK) {
      return absl::InvalidArgumentError(sqlite3_errmsg(db_));
    }
    if (stmt == nullptr) break;
    std::string text(p, tail - p);
    p = tail;
    std::string words = Lower(std::string(absl::StripLeadingAsciiWhitespace(text)));
    if (!absl::StartsWith(words, "create index") && !absl::StartsWith(words, "create unique index")) {
      sqlite3_finalize(stmt);
      return absl::InvalidArgumentError(
          absl::StrCat("only CREATE INDEX statements are accepted, got: ", text.substr(0, 60)));
    }
    ASSIGN_OR_RETURN(Rows before, Query(db_, "SELECT name FROM sqlite_schema WHERE type = 'index'"));
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return absl::InvalidArgumentError(sqlite3_errmsg(db_));
    ASSIGN_OR_RETURN(Rows after, Query(db_, "SELECT name, tbl_name FROM sqlite_schema WHERE "
                                            "type = 'index'"));
    for (const Row& a : after) {
      bool old = false;
      for (const Row& b : before) old |= b[0].AsText() == a[0].AsText();
      if (old) continue;
      names.push_back(a[0].AsText());
      if (!has_stats_) continue;
      RETURN_IF_ERROR(Exec(db_, absl::StrCat("ANALYZE ", QuoteIdentifier(a[0].AsText()))));
      RETURN_IF_ERROR(ScaleStatRow(a[1].AsText(), a[0].AsText()));
    }
  }
  if (names.empty()) return absl::InvalidArgumentError("no CREATE INDEX statement given");
  RETURN_IF_ERROR(Exec(db_, "ANALYZE sqlite_schema"));
  return names;
}

void Scratch::AddIndexes(const std::vector<IndexDef>& indexes) {
  for (const IndexDef& index : indexes) {
    IndexDef d = index;
    if (d.name.empty()) d.name = d.StableName();
    parked_.erase(d.name);
    if (!Exec(db_, d.Ddl()).ok() || !has_stats_) continue;
    if (Exec(db_, absl::StrCat("ANALYZE ", QuoteIdentifier(d.name))).ok()) {
      ScaleStatRow(d.table, d.name).IgnoreError();
    }
  }
  Exec(db_, "ANALYZE sqlite_schema").IgnoreError();
}

IndexNamer Scratch::Namer() const {
  std::vector<SchemaTable> tables;
  std::vector<IndexDef> existing;
  for (const TableInfo& t : tables_) {
    SchemaTable st{t.name, {}};
    for (const ColumnInfo& c : t.columns) st.columns.push_back(c.name);
    tables.push_back(std::move(st));
    existing.insert(existing.end(), t.indexes.begin(), t.indexes.end());
  }
  // The names of what the copy left out are taken all the same (no index is proposed on those
  // tables, so their columns do not matter; their indexes are other tables' keys).
  for (const LeftOutTable& t : left_out_) tables.push_back(SchemaTable{t.name, {}});
  existing.insert(existing.end(), left_out_indexes_.begin(), left_out_indexes_.end());
  return IndexNamer(tables, existing, views_);
}

absl::Status Scratch::DropIndex(const IndexDef& index) {
  const std::string name = index.Name();
  parked_.erase(name);
  return Exec(db_, absl::StrCat("DROP INDEX IF EXISTS ", QuoteIdentifier(name)));
}

}  // namespace doctor::indexes
