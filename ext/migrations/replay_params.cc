#include "ext/migrations/replay_params.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/status_macros.h"
#include "ext/indexes/index_def.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/workload.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

// The parameter count of `sql` on `db` (-1 when it does not prepare: a captured text cut at
// its length limit, say).
int ParameterCount(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  const int n = stmt == nullptr ? -1 : sqlite3_bind_parameter_count(stmt);
  sqlite3_finalize(stmt);
  return n;
}

// The SQL of the latest slow run of the query with its values (slow_queries.params), or "".
std::string CapturedRun(Connection& caller, int64_t query_id) {
  if (query_id == 0) return "";
  absl::StatusOr<Rows> rows = Query(caller,
                                    "SELECT params FROM slow_queries WHERE query_id = ?1 AND "
                                    "params IS NOT NULL ORDER BY at DESC LIMIT 1",
                                    {Value(query_id)});
  if (!rows.ok() || rows->empty()) return "";
  return (*rows)[0][0].AsText();
}

// `column = literal` of a partial index's WHERE as (lower-case column, value), else nothing.
std::optional<std::pair<std::string, Value>> EqualityOf(const std::string& where) {
  std::vector<Token> t = Tokenize(where);
  if (t.size() != 3 || (t[1].text != "=" && t[1].text != "==")) return std::nullopt;
  if (t[0].kind != Token::kWord && t[0].kind != Token::kIdent) return std::nullopt;
  const std::string column = absl::AsciiStrToLower(
      t[0].kind == Token::kIdent ? UnquoteSql(t[0].text) : std::string(t[0].text));
  if (t[2].kind == Token::kString) return std::make_pair(column, Value(UnquoteSql(t[2].text)));
  int64_t i = 0;
  double d = 0;
  if (t[2].kind == Token::kNumber && absl::SimpleAtoi(t[2].text, &i)) {
    return std::make_pair(column, Value(i));
  }
  if (t[2].kind == Token::kNumber && absl::SimpleAtod(t[2].text, &d)) {
    return std::make_pair(column, Value(d));
  }
  return std::nullopt;
}

// Partial indexes `WHERE column = literal` of main: lower-case table -> column -> value (the
// value a query must be run with for the index to serve it).
std::map<std::string, indexes::ParameterHints> PartialIndexHints(Connection& caller) {
  std::map<std::string, indexes::ParameterHints> out;
  absl::StatusOr<Rows> rows = Query(caller, "SELECT lower(tbl_name), sql FROM main.sqlite_schema "
                                            "WHERE type = 'index' AND sql IS NOT NULL");
  if (!rows.ok()) return out;
  for (const Row& r : *rows) {
    auto eq = EqualityOf(indexes::PartialIndexWhere(r[1].AsText()));
    if (eq) out[r[0].AsText()].emplace(eq->first, eq->second);  // the first one per column
  }
  return out;
}

// Guessed values from the sample copy: with the hints of the partial indexes of the tables
// it reads, when there are any.
void Guess(indexes::Scratch& scratch,
           const std::map<std::string, indexes::ParameterHints>& partial, HotQuery* q) {
  absl::StatusOr<indexes::WorkloadItem> item = indexes::LoadStatement(scratch, q->sql, 1);
  if (!item.ok()) return;
  indexes::ParameterHints hints;
  for (const std::string& table : item->tables) {
    auto it = partial.find(table);
    if (it != partial.end()) hints.insert(it->second.begin(), it->second.end());
  }
  if (!hints.empty()) {
    absl::StatusOr<indexes::WorkloadItem> hinted = indexes::LoadStatement(scratch, q->sql, 1, hints);
    if (hinted.ok()) item = std::move(hinted);
  }
  q->params = item->params;
  q->assumed = item->assumed;
}

}  // namespace

absl::Status ChooseParameters(Connection& caller, std::vector<HotQuery>* hot) {
  std::unique_ptr<indexes::Scratch> scratch;  // built for the first query that needs a guess
  std::map<std::string, indexes::ParameterHints> partial;
  for (HotQuery& q : *hot) {
    if (ParameterCount(caller.db(), q.sql) <= 0) continue;
    const std::string captured = CapturedRun(caller, q.query_id);
    if (!captured.empty() && ParameterCount(caller.db(), captured) == 0) {
      q.sql = captured;
      q.assumed = "the values of a captured slow run (slow_params)";
      continue;
    }
    if (scratch == nullptr) {
      absl::StatusOr<std::unique_ptr<indexes::Scratch>> built =
          indexes::Scratch::Build(caller, indexes::ScratchOptions());
      if (!built.ok()) return absl::OkStatus();  // no guesses: NULL, as the detail says
      scratch = *std::move(built);
      partial = PartialIndexHints(caller);
    }
    Guess(*scratch, partial, &q);
  }
  return absl::OkStatus();
}

}  // namespace doctor::migrations
