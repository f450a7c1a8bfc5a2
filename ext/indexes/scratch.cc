#include "ext/indexes/scratch.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor::indexes {
namespace {

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

struct Finalizer {
  sqlite3_stmt* stmt = nullptr;
  ~Finalizer() { sqlite3_finalize(stmt); }
};

absl::Status ScratchError(sqlite3* db, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", sqlite3_errmsg(db)));
}

// The WHERE clause of a CREATE INDEX statement ("" when it has none).
std::string PartialWhere(const std::string& sql) {
  std::string lower = Lower(sql);
  size_t close = lower.rfind(')');
  size_t where = lower.rfind(" where ");
  if (where == std::string::npos || (close != std::string::npos && where < close &&
                                     lower.find("where", close) == std::string::npos)) {
    return "";
  }
  return std::string(absl::StripAsciiWhitespace(sql.substr(where + 7)));
}

int ProgressCallback(void* arg) {
  auto* ticks = static_cast<int64_t*>(arg);
  return --*ticks < 0 ? 1 : 0;
}

}  // namespace

int TableInfo::Column(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (absl::EqualsIgnoreCase(columns[i].name, column)) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<std::unique_ptr<Scratch>> Scratch::Build(Connection& user,
                                                        const ScratchOptions& options) {
  std::unique_ptr<Scratch> s(new Scratch());
  s->options_ = options;
  absl::StatusOr<std::unique_ptr<PrivateDb>> opened = PrivateDb::Open(user, ":memory:");
  if (!opened.ok()) return absl::InternalError("cannot open the in-memory scratch database");
  s->private_ = *std::move(opened);
  s->db_ = s->private_->db();
  if (Connection* c = Connection::Find(s->db_)) {
    s->internal_ = std::make_unique<Connection::InternalScope>(*c);
  }
  auto t0 = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(s->CopySchemaAndSample(user));
  auto t1 = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(s->LoadStatistics(user));
  auto t2 = std::chrono::steady_clock::now();
  if (getenv("DOCTOR_INDEXES_TRACE") != nullptr) {
    fprintf(stderr, "scratch: copy %.1fms, statistics %.1fms\n",
            std::chrono::duration<double, std::milli>(t1 - t0).count(),
            std::chrono::duration<double, std::milli>(t2 - t1).count());
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

absl::Status Scratch::CopySchemaAndSample(Connection& user) {
  sqlite3* udb = user.db();
  ASSIGN_OR_RETURN(Rows list, Query(user,
                                    "SELECT name, type FROM pragma_table_list "
                                    "WHERE schema = 'main' AND type IN ('table', 'virtual') "
                                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"));
  ASSIGN_OR_RETURN(Rows schema, Query(user,
                                      "SELECT type, name, tbl_name, sql FROM main.sqlite_schema "
                                      "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' "
                                      "ESCAPE '\\' ORDER BY rowid"));
  RETURN_IF_ERROR(Exec(db_, "PRAGMA foreign_keys=OFF; BEGIN"));
  for (const Row& row : list) {
    TableInfo t;
    t.name = row[0].AsText();
    t.is_virtual = row[1].AsText() == "virtual";
    std::string create;
    for (const Row& s : schema) {
      if (s[0].AsText() == "table" && absl::EqualsIgnoreCase(s[1].AsText(), t.name)) {
        create = s[3].AsText();
      }
    }
    ASSIGN_OR_RETURN(Rows cols, Query(user,
                                      "SELECT name, pk, hidden, type FROM pragma_table_xinfo(?, "
                                      "'main') ORDER BY cid",
                                      {Value(t.name)}));
    int pk_count = 0;
    std::string pk_type;
    for (const Row& c : cols) {
      ColumnInfo col;
      col.name = c[0].AsText();
      col.pk = static_cast<int>(c[1].AsInt());
      int hidden = static_cast<int>(c[2].AsInt());
      if (hidden == 1) {  // a virtual table's hidden column
        t.hidden.push_back(col.name);
        continue;
      }
      col.generated = hidden >= 2;
      if (col.pk > 0) {
        ++pk_count;
        pk_type = c[3].AsText();
      }
      if (!t.is_virtual) {
        const char* coll = nullptr;
        if (sqlite3_table_column_metadata(udb, "main", t.name.c_str(), col.name.c_str(), nullptr,
                                          &coll, nullptr, nullptr, nullptr) == SQLITE_OK &&
            coll != nullptr && !absl::EqualsIgnoreCase(coll, "BINARY")) {
          col.collation = coll;
        }
      }
      t.columns.push_back(std::move(col));
    }
    t.without_rowid = absl::StrContains(Lower(create), "without rowid");
    t.integer_pk = !t.without_rowid && pk_count == 1 && absl::EqualsIgnoreCase(pk_type, "INTEGER");
    // Create the table on the copy; a virtual table whose module is missing here becomes a
    // plain table with the same columns (it is never indexed anyway).
    int rc = create.empty() ? SQLITE_ERROR : sqlite3_exec(db_, create.c_str(), nullptr, nullptr,
                                                          nullptr);
    if (rc != SQLITE_OK) {
      // The same for a table whose definition needs something only the user's connection has
      // (a collation or function of the application): its columns without the constraints.
      std::vector<std::string> names;
      for (const ColumnInfo& c : t.columns) names.push_back(QuoteIdentifier(c.name));
      RETURN_IF_ERROR(Exec(db_, absl::StrCat("CREATE TABLE ", QuoteIdentifier(t.name), "(",
                                             absl::StrJoin(names, ", "), ")")));
    }
    // Existing indexes.
    ASSIGN_OR_RETURN(Rows idx, Query(user,
                                     "SELECT name, \"unique\", partial FROM "
                                     "pragma_index_list(?, 'main') ORDER BY name",
                                     {Value(t.name)}));
    for (const Row& i : idx) {
      IndexDef d;
      d.table = t.name;
      d.name = i[0].AsText();
      d.unique = i[1].AsInt() != 0;
      ASSIGN_OR_RETURN(Rows parts, Query(user,
                                         "SELECT cid, name, desc, coll FROM "
                                         "pragma_index_xinfo(?, 'main') WHERE key ORDER BY seqno",
                                         {Value(d.name)}));
      for (const Row& p : parts) {
        KeyPart k;
        k.expression = p[0].AsInt() == -2;
        k.column = k.expression ? absl::StrCat("<expression ", d.parts.size() + 1, ">")
                                : p[1].AsText();
        k.desc = p[2].AsInt() != 0;
        std::string coll = p[3].AsText();
        int ci = t.Column(k.column);
        std::string declared = ci >= 0 ? t.columns[ci].collation : "";
        if (!absl::EqualsIgnoreCase(coll, declared.empty() ? "BINARY" : declared)) {
          k.collation = coll;
        }
        d.parts.push_back(std::move(k));
      }
      if (i[2].AsInt() != 0) {
        for (const Row& s : schema) {
          if (s[0].AsText() == "index" && s[1].AsText() == d.name) d.where = PartialWhere(s[3].AsText());
        }
      }
      t.indexes.push_back(std::move(d));
    }
    tables_.push_back(std::move(t));
  }

  // Sample rows: the same share of every table (so costs on the copy keep the tables'
  // proportions: a scan of a big table stays dearer than one of a small table), at least
  // kMinSampleRows of each table, sample_rows in all.
  int64_t total_rows = 0;
  for (TableInfo& t : tables_) {
    ASSIGN_OR_RETURN(Rows count,
                     Query(user, absl::StrCat("SELECT count(*) FROM main.", QuoteIdentifier(t.name))));
    t.real_rows = count.empty() ? 0 : count[0][0].AsInt();
    total_rows += t.real_rows;
  }
  const double rate = total_rows <= options_.sample_rows
                          ? 1.0
                          : static_cast<double>(options_.sample_rows) / static_cast<double>(total_rows);
  rate_ = rate;
  constexpr int64_t kMinSampleRows = 200;
  for (TableInfo& t : tables_) {
    std::vector<std::string> names, marks;
    for (const ColumnInfo& c : t.columns) {
      if (c.generated) continue;
      names.push_back(QuoteIdentifier(c.name));
      marks.push_back("?");
    }
    if (names.empty()) continue;
    const int64_t limit = std::max<int64_t>(
        std::min(t.real_rows, kMinSampleRows),
        static_cast<int64_t>(std::ceil(rate * static_cast<double>(t.real_rows))));
    if (limit <= 0) continue;
    const int64_t stride = std::max<int64_t>(1, (t.real_rows + limit - 1) / limit);
    const bool rowid_table = !t.without_rowid && !t.is_virtual;
    int64_t min_rowid = 0, max_rowid = -1;
    if (rowid_table && stride > 1) {
      // Two statements: min() and max() together would scan the table.
      const std::string from = absl::StrCat(" FROM main.", QuoteIdentifier(t.name));
      ASSIGN_OR_RETURN(Rows lo, Query(user, absl::StrCat("SELECT min(_rowid_)", from)));
      ASSIGN_OR_RETURN(Rows hi, Query(user, absl::StrCat("SELECT max(_rowid_)", from)));
      if (!lo.empty() && !hi.empty()) {
        min_rowid = lo[0][0].AsInt();
        max_rowid = hi[0][0].AsInt();
      }
    }
    // Rowid tables whose rowids are dense enough are sampled by seeking evenly spaced rowids
    // (no full scan); others keep every stride-th row of a scan.
    const bool seek = rowid_table && stride > 1 && max_rowid >= min_rowid &&
                      static_cast<double>(max_rowid) - static_cast<double>(min_rowid) <
                          4.0 * static_cast<double>(t.real_rows);
    std::string select = absl::StrCat("SELECT ", absl::StrJoin(names, ", "), ", _rowid_ FROM main.",
                                      QuoteIdentifier(t.name));
    if (seek) {
      absl::StrAppend(&select, " WHERE _rowid_ >= ? ORDER BY _rowid_ LIMIT 1");
    } else {
      select = absl::StrCat("SELECT ", absl::StrJoin(names, ", "), " FROM main.",
                            QuoteIdentifier(t.name));
    }
    std::string insert = absl::StrCat("INSERT INTO ", QuoteIdentifier(t.name), "(",
                                      absl::StrJoin(names, ", "), ") VALUES(",
                                      absl::StrJoin(marks, ", "), ")");
    Connection::InternalScope internal(user);
    Finalizer sel, ins;
    if (sqlite3_prepare_v2(udb, select.c_str(), -1, &sel.stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("reading ", t.name, ": ", sqlite3_errmsg(udb)));
    }
    if (sqlite3_prepare_v2(db_, insert.c_str(), -1, &ins.stmt, nullptr) != SQLITE_OK) {
      return ScratchError(db_, absl::StrCat("copying rows of ", t.name));
    }
    const int ncols = static_cast<int>(names.size());
    auto copy_row = [&] {
      for (int i = 0; i < ncols; ++i) {
        sqlite3_bind_value(ins.stmt, i + 1, sqlite3_column_value(sel.stmt, i));
      }
      sqlite3_step(ins.stmt);  // a row the copy rejects (constraint) is simply not sampled
      sqlite3_reset(ins.stmt);
      ++t.sample_rows;
    };
    if (seek) {
      const double span = static_cast<double>(max_rowid) - static_cast<double>(min_rowid) + 1;
      int64_t last = min_rowid - 1;
      for (int64_t i = 0; i < limit; ++i) {
        int64_t target = min_rowid + static_cast<int64_t>(span * static_cast<double>(i) /
                                                          static_cast<double>(limit));
        if (target <= last) target = last + 1;
        sqlite3_reset(sel.stmt);
        sqlite3_bind_int64(sel.stmt, 1, target);
        if (sqlite3_step(sel.stmt) != SQLITE_ROW) break;
        last = sqlite3_column_int64(sel.stmt, ncols);
        copy_row();
      }
    } else {
      int64_t seen = 0;
      while (t.sample_rows < limit && sqlite3_step(sel.stmt) == SQLITE_ROW) {
        if ((seen++ % stride) != 0) continue;
        copy_row();
      }
    }
  }
  // Indexes, views and triggers after the rows (triggers must not fire while copying).
  for (const char* type : {"index", "view", "trigger"}) {
    for (const Row& s : schema) {
      if (s[0].AsText() != type) continue;
      std::string sql = s[3].AsText();
      // Objects that need functions only the user's connection has are left out.
      sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    }
  }
  return Exec(db_, "COMMIT");
}

absl::Status Scratch::LoadStatistics(Connection& user) {
  ASSIGN_OR_RETURN(Rows has, Query(user,
                                   "SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' "
                                   "AND name = 'sqlite_stat1'"));
  Rows user_stats;
  if (!has.empty() && has[0][0].AsInt() > 0) {
    ASSIGN_OR_RETURN(user_stats, Query(user, "SELECT tbl, idx, stat FROM main.sqlite_stat1"));
  }
  if (user_stats.empty() && !options_.analyze_sample) return absl::OkStatus();
  has_stats_ = true;
  RETURN_IF_ERROR(Exec(db_, "ANALYZE"));
  ASSIGN_OR_RETURN(Rows mine, Query(db_, "SELECT tbl, idx FROM sqlite_stat1"));
  for (const Row& r : mine) {
    const std::string tbl = r[0].AsText();
    const Value idx = r[1];
    bool replaced = false;
    for (const Row& u : user_stats) {
      if (absl::EqualsIgnoreCase(u[0].AsText(), tbl) && u[1].is_null() == idx.is_null() &&
          absl::EqualsIgnoreCase(u[1].AsText(), idx.AsText())) {
        RETURN_IF_ERROR(Query(db_, "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx IS ?",
                              {u[2], Value(tbl), idx})
                            .status());
        replaced = true;
      }
    }
    if (!replaced) RETURN_IF_ERROR(ScaleStatRow(tbl, idx.AsText()));
  }
  sqlite3_exec(db_, "DELETE FROM sqlite_stat4", nullptr, nullptr, nullptr);  // if it exists
  return Exec(db_, "ANALYZE sqlite_schema");
}

absl::Status Scratch::ScaleStatRow(const std::string& table, const std::string& index) {
  const TableInfo* t = FindTable(table);
  if (t == nullptr || t->sample_rows <= 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(db_,
                                    "SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND "
                                    "coalesce(idx, '') = ?",
                                    {Value(table), Value(index)}));
  for (const Row& r : rows) {
    std::string scaled = ScaleStat(r[0].AsText(), static_cast<double>(t->sample_rows),
                                   static_cast<double>(t->real_rows));
    RETURN_IF_ERROR(Query(db_,
                          "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND "
                          "coalesce(idx, '') = ?",
                          {Value(scaled), Value(table), Value(index)})
                        .status());
  }
  return absl::OkStatus();
}

Measurement Scratch::Run(const std::string& sql, const std::vector<Value>& params, int64_t cap) {
  Measurement m;
  Finalizer f;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &f.stmt, nullptr) != SQLITE_OK ||
      f.stmt == nullptr) {
    m.error = f.stmt == nullptr && sqlite3_errcode(db_) == SQLITE_OK ? "empty statement"
                                                                     : sqlite3_errmsg(db_);
    return m;
  }
  const int n = sqlite3_bind_parameter_count(f.stmt);
  for (int i = 0; i < n && i < static_cast<int>(params.size()); ++i) {
    BindValue(f.stmt, i + 1, params[i]);
  }
  const bool write = !sqlite3_stmt_readonly(f.stmt);
  if (write) sqlite3_exec(db_, "SAVEPOINT doctor_advisor", nullptr, nullptr, nullptr);
  const int64_t limit = cap > 0 ? std::min(cap, options_.step_cap) : options_.step_cap;
  int64_t ticks = limit / 100 + 1;
  // Some builds omit the progress callback (better-sqlite3 does: its API slot is NULL); then the
  // cap is checked between rows only.
  const bool progress = sqlite3_api->progress_handler != nullptr;
  if (progress) private_->SetProgressHook(ProgressCallback, &ticks);
  int rc;
  while ((rc = sqlite3_step(f.stmt)) == SQLITE_ROW) {
    if (!progress && sqlite3_stmt_status(f.stmt, SQLITE_STMTSTATUS_VM_STEP, 0) > limit) {
      rc = SQLITE_INTERRUPT;
      break;
    }
  }
  if (progress) private_->SetProgressHook(nullptr, nullptr);
  m.steps = sqlite3_stmt_status(f.stmt, SQLITE_STMTSTATUS_VM_STEP, 0);
  if (rc == SQLITE_INTERRUPT) {
    m.capped = true;
  } else if (rc != SQLITE_DONE) {
    m.error = sqlite3_errmsg(db_);
  }
  sqlite3_reset(f.stmt);
  if (write) {
    sqlite3_exec(db_, "ROLLBACK TO doctor_advisor; RELEASE doctor_advisor", nullptr, nullptr,
                 nullptr);
  }
  return m;
}

absl::StatusOr<std::string> Scratch::Plan(const std::string& sql) {
  ASSIGN_OR_RETURN(Rows rows, Query(db_, absl::StrCat("EXPLAIN QUERY PLAN ", sql)));
  std::vector<std::string> lines;
  for (const Row& r : rows) lines.push_back(r[3].AsText());
  return absl::StrJoin(lines, "; ");
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
  TouchState st{tables, written};
  // Without an authorizer (a build that omits it) every table counts as touched.
  const bool authorizer = sqlite3_api->set_authorizer != nullptr;
  if (authorizer) sqlite3_set_authorizer(db_, Authorize, &st);
  Finalizer f;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &f.stmt, nullptr);
  if (authorizer) sqlite3_set_authorizer(db_, nullptr, nullptr);
  if (rc != SQLITE_OK) return absl::InvalidArgumentError(sqlite3_errmsg(db_));
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

absl::Status Scratch::AddIndex(const IndexDef& index) {
  IndexDef d = index;
  if (d.name.empty()) d.name = d.StableName();
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
    if (!Exec(db_, d.Ddl()).ok() || !has_stats_) continue;
    if (Exec(db_, absl::StrCat("ANALYZE ", QuoteIdentifier(d.name))).ok()) {
      ScaleStatRow(d.table, d.name).IgnoreError();
    }
  }
  Exec(db_, "ANALYZE sqlite_schema").IgnoreError();
}

absl::Status Scratch::DropIndex(const IndexDef& index) {
  return Exec(db_, absl::StrCat("DROP INDEX IF EXISTS ",
                                QuoteIdentifier(index.name.empty() ? index.StableName()
                                                                   : index.name)));
}

void Scratch::Seed(Connection& user, const std::string& table, const std::string& column,
                    const Value& value) {
  const TableInfo* t = FindTable(table);
  if (t == nullptr || t->is_virtual || t->sample_rows >= t->real_rows || value.is_null()) return;
  const int ci = t->Column(column);
  if (ci < 0) return;
  bool searchable = t->integer_pk && t->columns[ci].pk == 1;
  for (const IndexDef& d : t->indexes) {
    searchable |= d.where.empty() && !d.parts.empty() && !d.parts[0].expression &&
                  d.parts[0].collation.empty() && absl::EqualsIgnoreCase(d.parts[0].column, column);
  }
  if (!searchable) return;
  const std::string c = QuoteIdentifier(column);
  auto have = Query(db_, absl::StrCat("SELECT count(*) FROM ", QuoteIdentifier(t->name), " WHERE ",
                                      c, " = ?"),
                    {value});
  if (!have.ok() || have->empty() || (*have)[0][0].AsInt() > 0) return;
  auto count = Query(user, absl::StrCat("SELECT count(*) FROM main.", QuoteIdentifier(t->name),
                                        " WHERE ", c, " = ?"),
                     {value});
  if (!count.ok() || count->empty() || (*count)[0][0].AsInt() == 0) return;
  const int64_t want = std::min<int64_t>(
      1000, std::max<int64_t>(1, static_cast<int64_t>(std::ceil(
                                     rate_ * static_cast<double>((*count)[0][0].AsInt())))));
  std::vector<std::string> names, marks;
  for (const ColumnInfo& col : t->columns) {
    if (col.generated) continue;
    names.push_back(QuoteIdentifier(col.name));
    marks.push_back("?");
  }
  auto rows = Query(user, absl::StrCat("SELECT ", absl::StrJoin(names, ", "), " FROM main.",
                                       QuoteIdentifier(t->name), " WHERE ", c, " = ? LIMIT ?"),
                    {value, Value(want)});
  if (!rows.ok()) return;
  sqlite3_exec(db_, "PRAGMA foreign_keys=OFF", nullptr, nullptr, nullptr);
  const std::string insert = absl::StrCat("INSERT OR IGNORE INTO ", QuoteIdentifier(t->name), "(",
                                          absl::StrJoin(names, ", "), ") VALUES(",
                                          absl::StrJoin(marks, ", "), ")");
  for (const Row& r : *rows) Query(db_, insert, r).IgnoreError();
  sqlite3_exec(db_, options_.foreign_keys ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF",
               nullptr, nullptr, nullptr);
}

double Scratch::Distinct(const std::string& table, const std::string& column) {
  std::string key = absl::StrCat("d|", Lower(table), "|", Lower(column));
  auto it = stat_cache_.find(key);
  if (it != stat_cache_.end()) return it->second;
  auto rows = Query(db_, absl::StrCat("SELECT count(DISTINCT ", QuoteIdentifier(column),
                                      ") FROM ", QuoteIdentifier(table)));
  double v = rows.ok() && !rows->empty() ? (*rows)[0][0].AsDouble() : 1.0;
  return stat_cache_[key] = std::max(1.0, v);
}

double Scratch::AvgBytes(const std::string& table, const std::string& column) {
  std::string key = absl::StrCat("b|", Lower(table), "|", Lower(column));
  auto it = stat_cache_.find(key);
  if (it != stat_cache_.end()) return it->second;
  std::string c = QuoteIdentifier(column);
  auto rows = Query(db_, absl::StrCat("SELECT avg(CASE typeof(", c,
                                      ") WHEN 'integer' THEN 3 WHEN 'real' THEN 8 WHEN 'null' "
                                      "THEN 0 ELSE length(CAST(",
                                      c, " AS BLOB)) END) + 1 FROM ", QuoteIdentifier(table)));
  double v = rows.ok() && !rows->empty() ? (*rows)[0][0].AsDouble() : 8.0;
  return stat_cache_[key] = std::max(1.0, v);
}

double Scratch::Frequency(const std::string& table, const std::string& column,
                          const Value& value) {
  auto rows = Query(db_,
                    absl::StrCat("SELECT avg(", QuoteIdentifier(column), " = ?) FROM ",
                                 QuoteIdentifier(table)),
                    {value});
  return rows.ok() && !rows->empty() ? (*rows)[0][0].AsDouble() : 1.0;
}

Value Scratch::Typical(const std::string& table, const std::string& column) {
  std::string key = absl::StrCat(Lower(table), "|", Lower(column));
  auto it = typical_cache_.find(key);
  if (it != typical_cache_.end()) return it->second;
  const TableInfo* t = FindTable(table);
  int64_t middle = t ? t->sample_rows / 2 : 0;
  std::string c = QuoteIdentifier(column);
  auto rows = Query(db_,
                    absl::StrCat("SELECT ", c, " FROM ", QuoteIdentifier(table), " WHERE ", c,
                                 " IS NOT NULL LIMIT 1 OFFSET ?"),
                    {Value(middle)});
  Value v = rows.ok() && !rows->empty() ? (*rows)[0][0] : Value::Null();
  if (v.is_null()) {
    rows = Query(db_, absl::StrCat("SELECT ", c, " FROM ", QuoteIdentifier(table), " WHERE ", c,
                                   " IS NOT NULL LIMIT 1"));
    if (rows.ok() && !rows->empty()) v = (*rows)[0][0];
  }
  return typical_cache_[key] = v;
}

}  // namespace doctor::indexes
