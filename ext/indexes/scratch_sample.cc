#include "ext/indexes/scratch_sample.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "nlohmann/json.hpp"

namespace doctor::indexes {
namespace {

constexpr int64_t kMinSampleRows = 200;

// How one table is read: `limit` rows, every `stride`-th, by rowid seeks when `seek`.
struct SamplePlan {
  int64_t limit = 0, stride = 1;
  bool seek = false;
  int64_t min_rowid = 0, max_rowid = -1;
};

absl::StatusOr<SamplePlan> PlanSample(Connection& user, const TableInfo& t, double rate) {
  SamplePlan p;
  p.limit = std::max<int64_t>(
      std::min(t.real_rows, kMinSampleRows),
      static_cast<int64_t>(std::ceil(rate * static_cast<double>(t.real_rows))));
  if (p.limit <= 0) return p;
  p.stride = std::max<int64_t>(1, (t.real_rows + p.limit - 1) / p.limit);
  const bool rowid_table = !t.without_rowid && !t.is_virtual;
  if (!rowid_table || p.stride <= 1) return p;
  // Two statements: min() and max() together would scan the table.
  const std::string from = absl::StrCat(" FROM main.", QuoteIdentifier(t.name));
  ASSIGN_OR_RETURN(Rows lo, Query(user, absl::StrCat("SELECT min(_rowid_)", from)));
  ASSIGN_OR_RETURN(Rows hi, Query(user, absl::StrCat("SELECT max(_rowid_)", from)));
  if (!lo.empty() && !hi.empty()) {
    p.min_rowid = lo[0][0].AsInt();
    p.max_rowid = hi[0][0].AsInt();
  }
  // Rowids dense enough: seek evenly spaced ones.
  p.seek = p.max_rowid >= p.min_rowid && static_cast<double>(p.max_rowid) -
                                                 static_cast<double>(p.min_rowid) <
                                             4.0 * static_cast<double>(t.real_rows);
  return p;
}

absl::Status CopyTableSample(Connection& user, sqlite3* db, const SamplePlan& plan,
                             TableInfo* t) {
  const StoredColumns cols = StoredColumnsOf(*t);
  const std::string list = absl::StrJoin(cols.names, ", ");
  std::string select = absl::StrCat("SELECT ", list, " FROM main.", QuoteIdentifier(t->name));
  if (plan.seek) {
    select = absl::StrCat("SELECT ", list, ", _rowid_ FROM main.", QuoteIdentifier(t->name),
                          " WHERE _rowid_ >= ? ORDER BY _rowid_ LIMIT 1");
  }
  const std::string insert = absl::StrCat("INSERT INTO ", QuoteIdentifier(t->name), "(", list,
                                          ") VALUES(", absl::StrJoin(cols.marks, ", "), ")");
  Connection::InternalScope internal(user);
  Finalizer sel, ins;
  if (sqlite3_prepare_v2(user.db(), select.c_str(), -1, &sel.stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("reading ", t->name, ": ", sqlite3_errmsg(user.db())));
  }
  if (sqlite3_prepare_v2(db, insert.c_str(), -1, &ins.stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(
        absl::StrCat("copying rows of ", t->name, ": ", sqlite3_errmsg(db)));
  }
  const int ncols = static_cast<int>(cols.names.size());
  auto copy_row = [&] {
    for (int i = 0; i < ncols; ++i) {
      sqlite3_bind_value(ins.stmt, i + 1, sqlite3_column_value(sel.stmt, i));
    }
    sqlite3_step(ins.stmt);  // a row the copy rejects (constraint) is simply not sampled
    sqlite3_reset(ins.stmt);
    ++t->sample_rows;
  };
  if (plan.seek) {
    const double span =
        static_cast<double>(plan.max_rowid) - static_cast<double>(plan.min_rowid) + 1;
    int64_t last = plan.min_rowid - 1;
    for (int64_t i = 0; i < plan.limit; ++i) {
      int64_t target = plan.min_rowid + static_cast<int64_t>(span * static_cast<double>(i) /
                                                             static_cast<double>(plan.limit));
      if (target <= last) target = last + 1;
      sqlite3_reset(sel.stmt);
      sqlite3_bind_int64(sel.stmt, 1, target);
      if (sqlite3_step(sel.stmt) != SQLITE_ROW) break;
      last = sqlite3_column_int64(sel.stmt, ncols);
      copy_row();
    }
  } else {
    int64_t seen = 0;
    while (t->sample_rows < plan.limit && sqlite3_step(sel.stmt) == SQLITE_ROW) {
      if ((seen++ % plan.stride) != 0) continue;
      copy_row();
    }
  }
  return absl::OkStatus();
}

}  // namespace

StoredColumns StoredColumnsOf(const TableInfo& t) {
  StoredColumns out;
  for (const ColumnInfo& c : t.columns) {
    if (c.generated) continue;
    out.names.push_back(QuoteIdentifier(c.name));
    out.marks.push_back("?");
  }
  return out;
}

absl::StatusOr<double> CopySample(Connection& user, sqlite3* db, int64_t sample_rows,
                                  std::vector<TableInfo>* tables,
                                  std::vector<LeftOutTable>* left_out) {
  int64_t total_rows = 0;
  for (TableInfo& t : *tables) {
    ASSIGN_OR_RETURN(Rows count, Query(user, absl::StrCat("SELECT count(*) FROM main.",
                                                          QuoteIdentifier(t.name))));
    t.real_rows = count.empty() ? 0 : count[0][0].AsInt();
    total_rows += t.real_rows;
  }
  std::vector<LeftOutTable> none;
  std::vector<LeftOutTable>& others = left_out != nullptr ? *left_out : none;
  for (size_t i = 0; i < others.size();) {
    LeftOutTable& t = others[i];
    absl::StatusOr<Rows> count =
        Query(user, absl::StrCat("SELECT count(*) FROM main.", QuoteIdentifier(t.name)));
    if (!count.ok() && t.is_virtual &&
        absl::StrContains(count.status().message(), "no such module")) {
      others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));  // as ReadTables does
      continue;
    }
    RETURN_IF_ERROR(count.status());
    t.real_rows = count->empty() ? 0 : (*count)[0][0].AsInt();
    total_rows += t.real_rows;
    ++i;
  }
  const double rate = total_rows <= sample_rows ? 1.0
                                                : static_cast<double>(sample_rows) /
                                                      static_cast<double>(total_rows);
  // Rows of sqlite_sequence for the left-out tables before each copied one (both lists are in
  // name order, as the whole copy samples its tables), when the copy has the table at all.
  ASSIGN_OR_RETURN(Rows sequence, Query(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' "
                                            "AND name = 'sqlite_sequence'"));
  size_t next_other = 0;
  auto sequence_rows_before = [&](const std::string* name) -> absl::Status {
    for (; next_other < others.size() && (name == nullptr || others[next_other].name < *name);
         ++next_other) {
      const LeftOutTable& o = others[next_other];
      if (sequence.empty() || !o.autoincrement || o.real_rows == 0) continue;
      RETURN_IF_ERROR(Query(db, "INSERT INTO sqlite_sequence(name, seq) VALUES (?, 0)",
                            {Value(o.name)}).status());
    }
    return absl::OkStatus();
  };
  for (TableInfo& t : *tables) {
    RETURN_IF_ERROR(sequence_rows_before(&t.name));
    if (StoredColumnsOf(t).names.empty()) continue;
    ASSIGN_OR_RETURN(SamplePlan plan, PlanSample(user, t, rate));
    if (plan.limit <= 0) continue;
    RETURN_IF_ERROR(CopyTableSample(user, db, plan, &t));
  }
  RETURN_IF_ERROR(sequence_rows_before(nullptr));
  return rate;
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
  const StoredColumns stored = StoredColumnsOf(*t);
  const std::vector<std::string>& names = stored.names;
  const std::vector<std::string>& marks = stored.marks;
  auto rows = Query(user, absl::StrCat("SELECT ", absl::StrJoin(names, ", "), " FROM main.",
                                       QuoteIdentifier(t->name), " WHERE ", c, " = ? LIMIT ?"),
                    {value, Value(want)});
  if (!rows.ok()) return;
  sqlite3_exec(db_, "PRAGMA foreign_keys=OFF", nullptr, nullptr, nullptr);
  const std::string insert = absl::StrCat("INSERT OR IGNORE INTO ", QuoteIdentifier(t->name), "(",
                                          absl::StrJoin(names, ", "), ") VALUES(",
                                          absl::StrJoin(marks, ", "), ")");
  for (const Row& r : *rows) Query(db_, insert, r).IgnoreError();
  if (!rows->empty()) ++sample_version_;
  sqlite3_exec(db_, options_.foreign_keys ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF",
               nullptr, nullptr, nullptr);
}

void Scratch::SeedAll(Connection& user, const std::string& table, const std::string& column,
                      const std::vector<Value>& values, int64_t limit) {
  const TableInfo* t = FindTable(table);
  if (t == nullptr || t->is_virtual || values.empty() || t->Column(column) < 0) return;
  // One statement (one scan at most) for all the values, bound through json_each.
  nlohmann::json list = nlohmann::json::array();
  for (const Value& v : values) {
    if (std::holds_alternative<int64_t>(v.storage())) {
      list.push_back(v.AsInt());
    } else if (std::holds_alternative<double>(v.storage())) {
      list.push_back(v.AsDouble());
    } else if (std::holds_alternative<std::string>(v.storage())) {
      list.push_back(v.AsText());
    }
  }
  const StoredColumns stored = StoredColumnsOf(*t);
  std::string select = absl::StrCat("SELECT ", absl::StrJoin(stored.names, ", "), " FROM main.",
                                    QuoteIdentifier(t->name), " WHERE ", QuoteIdentifier(column));
  std::vector<Value> binds = {Value(list.dump()), Value(limit)};
  // One integer or text value (an FK action on one parent row): compared as such, the same rows
  // without building the IN list (a double keeps its JSON round trip).
  if (values.size() == 1 && (std::holds_alternative<int64_t>(values[0].storage()) ||
                             std::holds_alternative<std::string>(values[0].storage()))) {
    absl::StrAppend(&select, " = ? LIMIT ?");
    binds[0] = values[0];
  } else {
    absl::StrAppend(&select, " IN (SELECT value FROM json_each(?)) LIMIT ?");
  }
  auto rows = Query(user, select, binds);
  if (!rows.ok()) return;
  sqlite3_exec(db_, "PRAGMA foreign_keys=OFF", nullptr, nullptr, nullptr);
  const std::string insert = absl::StrCat("INSERT OR IGNORE INTO ", QuoteIdentifier(t->name), "(",
                                          absl::StrJoin(stored.names, ", "), ") VALUES(",
                                          absl::StrJoin(stored.marks, ", "), ")");
  for (const Row& r : *rows) Query(db_, insert, r).IgnoreError();
  if (!rows->empty()) ++sample_version_;
  sqlite3_exec(db_, options_.foreign_keys ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF",
               nullptr, nullptr, nullptr);
}

std::vector<Value> Scratch::TouchedValues(const std::string& sql, const std::vector<Value>& params,
                                          const std::string& table, const std::string& column,
                                          bool is_delete) {
  std::vector<Value> out;
  GrowthBound bound(*this);  // the write runs here as in Run, bounded alike
  const std::string setup = absl::StrCat(
      "PRAGMA foreign_keys=OFF; SAVEPOINT doctor_touched;"
      "CREATE TEMP TABLE doctor_touched(v);"
      "CREATE TEMP TRIGGER doctor_touched_t AFTER ",
      is_delete ? "DELETE" : "UPDATE", " ON main.", QuoteIdentifier(table),
      " BEGIN INSERT INTO doctor_touched VALUES(OLD.", QuoteIdentifier(column), "); END;");
  if (sqlite3_exec(db_, setup.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) {
    // Run here, not with Run(): that rolls its own savepoint back before the touched rows are read.
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    for (int i = 0; rc == SQLITE_OK && i < sqlite3_bind_parameter_count(stmt) &&
                    i < static_cast<int>(params.size());
         ++i) {
      BindValue(stmt, i + 1, params[i]);
    }
    int64_t rows_left = 100000;  // a write that returns rows (RETURNING) is read at most this far
    while (rc == SQLITE_OK && stmt != nullptr && (rc = sqlite3_step(stmt)) == SQLITE_ROW &&
           --rows_left > 0) {
      rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE) {
      auto rows = Query(db_, "SELECT DISTINCT v FROM doctor_touched WHERE v IS NOT NULL LIMIT 200");
      if (rows.ok()) {
        for (const Row& r : *rows) out.push_back(r[0]);
      }
    }
  }
  sqlite3_exec(db_, "ROLLBACK TO doctor_touched; RELEASE doctor_touched", nullptr, nullptr,
               nullptr);
  sqlite3_exec(db_, options_.foreign_keys ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF",
               nullptr, nullptr, nullptr);
  return out;
}

}  // namespace doctor::indexes
