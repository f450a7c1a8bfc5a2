// Statistics step of the scratch copy (scratch.h): the user's sqlite_stat1 where it has rows,
// else ANALYZE of the sample scaled to the real row counts; and per-column figures of the sample
// that the candidates phase uses.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/indexes/scratch.h"

namespace doctor::indexes {
namespace {

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

}  // namespace

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
  // A SQLite built with STAT4 (better-sqlite3's) wrote sqlite_stat4 here too, and plans ranges
  // and equalities on known values with it: the copy plans as your database does when it holds
  // your sqlite_stat4 rows beside your sqlite_stat1 rows (none for an index that has none there:
  // ANALYZE by a SQLite without STAT4), and scaled ones where it uses the sample's. Before, the
  // copy dropped every sqlite_stat4 row while the database planned with them: on a WordPress port,
  // an index advised for one join was taken on the data by another (the popular-posts query,
  // 297,114 -> 799,334 VM steps) whose plan the copy kept.
  ASSIGN_OR_RETURN(Rows stat4, Query(db_, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                          "AND name = 'sqlite_stat4'"));
  has_stat4_ = !stat4.empty() && stat4[0][0].AsInt() > 0;
  Rows user_stat4;
  absl::flat_hash_map<std::string, std::vector<const Row*>> stat4_of;  // lower-case index name
  if (has_stat4_ && !user_stats.empty()) {
    ASSIGN_OR_RETURN(Rows has4, Query(user,
                                      "SELECT count(*) FROM main.sqlite_schema WHERE type = "
                                      "'table' AND name = 'sqlite_stat4'"));
    if (!has4.empty() && has4[0][0].AsInt() > 0) {
      // SQLite's ANALYZE keeps 24 samples an index (SQLITE_STAT4_SAMPLES); the bound keeps a
      // hand-edited table from growing the copy.
      ASSIGN_OR_RETURN(user_stat4, Query(user,
                                         "SELECT idx, neq, nlt, ndlt, sample FROM "
                                         "main.sqlite_stat4 LIMIT 100000"));
    }
    for (const Row& u : user_stat4) stat4_of[Lower(u[0].AsText())].push_back(&u);
  }
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
    if (!replaced) {
      RETURN_IF_ERROR(ScaleStatRow(tbl, idx.AsText()));
    } else if (has_stat4_ && !idx.is_null()) {
      RETURN_IF_ERROR(Query(db_, "DELETE FROM sqlite_stat4 WHERE idx = ?", {idx}).status());
      auto samples = stat4_of.find(Lower(idx.AsText()));
      if (samples == stat4_of.end()) continue;
      for (const Row* u : samples->second) {
        RETURN_IF_ERROR(Query(db_,
                              "INSERT INTO sqlite_stat4(tbl, idx, neq, nlt, ndlt, sample) "
                              "VALUES (?, ?, ?, ?, ?, ?)",
                              {Value(tbl), idx, (*u)[1], (*u)[2], (*u)[3], (*u)[4]})
                            .status());
      }
    }
  }
  return Exec(db_, "ANALYZE sqlite_schema");
}

absl::Status Scratch::ScaleStatRow(const std::string& table, const std::string& index) {
  const TableInfo* t = FindTable(table);
  if (t == nullptr || t->sample_rows <= 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(db_,
                                    "SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND "
                                    "coalesce(idx, '') = ?",
                                    {Value(table), Value(index)}));
  const double sample_rows = static_cast<double>(t->sample_rows);
  const double real_rows = static_cast<double>(t->PlannedRows());
  for (const Row& r : rows) {
    std::string scaled = ScaleStat(r[0].AsText(), sample_rows, real_rows);
    RETURN_IF_ERROR(Query(db_,
                          "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND "
                          "coalesce(idx, '') = ?",
                          {Value(scaled), Value(table), Value(index)})
                        .status());
    if (!has_stat4_ || index.empty()) continue;
    ASSIGN_OR_RETURN(Rows samples, Query(db_,
                                         "SELECT rowid, neq, nlt, ndlt FROM sqlite_stat4 WHERE "
                                         "idx = ?",
                                         {Value(index)}));
    for (const Row& s : samples) {
      const Stat4Counts counts = ScaleStat4({s[1].AsText(), s[2].AsText(), s[3].AsText()},
                                            r[0].AsText(), sample_rows, real_rows);
      RETURN_IF_ERROR(Query(db_,
                            "UPDATE sqlite_stat4 SET neq = ?, nlt = ?, ndlt = ? WHERE rowid = ?",
                            {Value(counts.neq), Value(counts.nlt), Value(counts.ndlt), s[0]})
                          .status());
    }
  }
  return absl::OkStatus();
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

void Scratch::AvgBytesOfColumns(const std::string& table) {
  // One scan for every column not yet known, counted as AvgBytes's query counts it (the same
  // sum of the same whole numbers, so the same average), instead of one query per column.
  const TableInfo* t = FindTable(table);
  if (t == nullptr || t->is_virtual) return;
  std::vector<std::string> keys, columns;
  for (const ColumnInfo& c : t->columns) {
    std::string key = absl::StrCat("b|", Lower(table), "|", Lower(c.name));
    if (stat_cache_.count(key) || std::find(keys.begin(), keys.end(), key) != keys.end()) {
      continue;
    }
    keys.push_back(std::move(key));
    columns.push_back(QuoteIdentifier(c.name));
  }
  if (keys.size() < 2) return;
  auto encoding = Query(db_, "PRAGMA encoding");  // text bytes are UTF-8 bytes only in UTF-8
  if (!encoding.ok() || encoding->empty() || (*encoding)[0][0].AsText() != "UTF-8") return;
  const std::string sql = absl::StrCat("SELECT ", absl::StrJoin(columns, ", "), " FROM ",
                                       QuoteIdentifier(table));
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return;
  }
  std::vector<double> sums(keys.size(), 0);
  int64_t rows = 0;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    ++rows;
    for (size_t i = 0; i < keys.size(); ++i) {
      const int ci = static_cast<int>(i);
      switch (sqlite3_column_type(stmt, ci)) {
        case SQLITE_INTEGER: sums[i] += 3; break;
        case SQLITE_FLOAT: sums[i] += 8; break;
        case SQLITE_NULL: break;
        default: sums[i] += sqlite3_column_bytes(stmt, ci); break;
      }
    }
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return;
  for (size_t i = 0; i < keys.size(); ++i) {
    // avg() of no rows is NULL, and NULL + 1 reads as 0.
    const double v = rows == 0 ? 0 : sums[i] / static_cast<double>(rows) + 1;
    stat_cache_[keys[i]] = std::max(1.0, v);
  }
}

absl::StatusOr<Rows> Scratch::SampleQuery(const std::string& sql,
                                          const std::vector<Value>& params) {
  std::string key = absl::StrCat(sample_version_, "\x1f", sql);
  for (const Value& v : params) {
    const std::string text = v.AsText();
    absl::StrAppend(&key, "\x1f", v.storage().index(), ":", text.size(), ":", text);
  }
  auto it = sample_queries_.find(key);
  if (it != sample_queries_.end()) return it->second;
  ASSIGN_OR_RETURN(Rows rows, Query(db_, sql, params));
  return sample_queries_[key] = std::move(rows);
}

double Scratch::Frequency(const std::string& table, const std::string& column,
                          const Value& value) {
  auto rows = SampleQuery(absl::StrCat("SELECT avg(", QuoteIdentifier(column), " = ?) FROM ",
                                       QuoteIdentifier(table)),
                          {value});
  return rows.ok() && !rows->empty() ? (*rows)[0][0].AsDouble() : 1.0;
}

double Scratch::Share(const std::string& table, const std::string& where) {
  auto share = SampleQuery(absl::StrCat("SELECT avg(CASE WHEN ", where, " THEN 1 ELSE 0 END) FROM ",
                                        QuoteIdentifier(table)));
  if (!share.ok() || share->empty()) return -1;
  return (*share)[0][0].AsDouble();
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

Value Scratch::Frequent(const std::string& table, const std::string& column, bool rarest) {
  const std::string c = QuoteIdentifier(column);
  auto rows = SampleQuery(absl::StrCat("SELECT ", c, " FROM ", QuoteIdentifier(table), " WHERE ",
                                      c, " IS NOT NULL GROUP BY ", c, " ORDER BY count(*) ",
                                      rarest ? "ASC" : "DESC", ", ", c, rarest ? " DESC" : "",
                                      " LIMIT 1"));
  return rows.ok() && !rows->empty() ? (*rows)[0][0] : Value::Null();
}

Value Scratch::Quantile(const std::string& table, const std::string& column, double q) {
  const std::string c = QuoteIdentifier(column);
  const std::string from =
      absl::StrCat(" FROM ", QuoteIdentifier(table), " WHERE ", c, " IS NOT NULL");
  auto count = SampleQuery(absl::StrCat("SELECT count(*)", from));
  if (!count.ok() || count->empty() || (*count)[0][0].AsInt() == 0) return Value::Null();
  const int64_t at = static_cast<int64_t>(q * static_cast<double>((*count)[0][0].AsInt() - 1));
  auto rows = SampleQuery(absl::StrCat("SELECT ", c, from, " ORDER BY 1 LIMIT 1 OFFSET ?"),
                          {Value(at)});
  return rows.ok() && !rows->empty() ? (*rows)[0][0] : Value::Null();
}

}  // namespace doctor::indexes
