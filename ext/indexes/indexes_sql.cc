// SQL glue of the "indexes" area: argument checks, the captured workload, and rows out. The
// engine (advise_engine.h), the lint (lint.h) and the pure pieces they use do the work.
#include "ext/indexes/indexes_sql.h"

#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/indexes/advise_engine.h"
#include "ext/indexes/drizzle_schema.h"
#include "ext/indexes/lint.h"
#include "ext/indexes/settings.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/table.h"
#include "nlohmann/json.hpp"

namespace doctor {
namespace {

using indexes::AdviseOptions;
using indexes::InputStatement;

// The workload captured by the timing area, weighted by calls (the literal example is measured
// when there is one, else the normalized text with guessed parameter values).
absl::StatusOr<std::vector<InputStatement>> CapturedWorkload(Connection& connection) {
  auto rows = Query(connection, "SELECT query, example, calls, total_ms FROM query_stats");
  if (!rows.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no captured workload: query_stats is not readable here (", rows.status().message(),
        "); capture queries with the timing area first, or pass the workload as SQL text: "
        "index_advise('SELECT ...; UPDATE ...')"));
  }
  // The extension's own objects (as doctor_help lists them): statements that use one are the
  // user asking the doctor, not the application's workload.
  std::vector<std::string> own;
  auto help = Query(connection, "SELECT lower(name) FROM doctor_help");
  if (help.ok()) {
    for (const Row& h : *help) own.push_back(h[0].AsText());
  }
  auto uses_own = [&](const std::string& sql) {
    const std::string lower = absl::AsciiStrToLower(sql);
    for (const std::string& name : own) {
      for (size_t at = lower.find(name); at != std::string::npos; at = lower.find(name, at + 1)) {
        auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
        const bool starts = at == 0 || !word(lower[at - 1]);
        const size_t end = at + name.size();
        if (starts && (end >= lower.size() || !word(lower[end]))) return true;
      }
    }
    return false;
  };
  std::vector<InputStatement> out;
  for (const Row& r : *rows) {
    std::string sql = r[1].is_null() ? r[0].AsText() : r[1].AsText();
    if (uses_own(sql)) continue;
    out.push_back({sql, static_cast<double>(std::max<int64_t>(1, r[2].AsInt())), false});
  }
  if (out.empty()) {
    return absl::FailedPreconditionError(
        "no captured workload: query_stats holds no application statement yet");
  }
  return out;
}

absl::StatusOr<Rows> AdviseRows(TableCall& call) {
  const Args& args = call.args();
  std::vector<InputStatement> workload;
  if (args.size() >= 1 && !args.Missing(0)) {
    ASSIGN_OR_RETURN(std::string text, args.Text(0, "workload"));
    workload.push_back({text, 1.0, true});
  } else if (args.size() >= 1) {
    return absl::InvalidArgumentError(
        "argument 'workload' must be SQL text, got NULL; omit it to use the captured workload");
  }
  std::string options_text;
  if (args.size() >= 2 && !args.Missing(1)) {
    ASSIGN_OR_RETURN(options_text, args.Text(1, "options"));
  }
  ASSIGN_OR_RETURN(AdviseOptions options, indexes::ParseAdviseOptions(options_text));
  if (workload.empty()) {
    ASSIGN_OR_RETURN(workload, CapturedWorkload(call.connection()));
  }
  ASSIGN_OR_RETURN(indexes::AdviceResult result,
                   indexes::Advise(call.connection(), workload, options));
  const Value limits = result.limits.empty() ? Value::Null()
                                              : Value(absl::StrJoin(result.limits, "; "));
  Rows rows;
  for (const indexes::Recommendation& rec : result.recommendations) {
    nlohmann::json detail = nlohmann::json::array();
    for (int s : rec.statements) {
      const indexes::StatementResult& st = result.statements[s];
      detail.push_back({{"sql", st.sql},
                        {"weight", st.weight},
                        {"cost_before", st.cost_before},
                        {"cost_after", st.cost_after},
                        {"plan_before", st.plan_before},
                        {"plan_after", st.plan_after}});
      if (!st.limit.empty()) detail.back()["limit"] = st.limit;
    }
    rows.push_back({Value(rec.index.Ddl()), Value(rec.index.table),
                    Value(rec.index.ColumnsText() +
                          (rec.index.where.empty() ? "" : " WHERE " + rec.index.where)),
                    Value(rec.benefit), Value(static_cast<int64_t>(rec.statements.size())),
                    Value(detail.dump()), Value(static_cast<int64_t>(rec.bytes)),
                    Value(indexes::DrizzleIndexLine(rec.index)), limits});
  }
  // Nothing recommended because a limit cut the advice short: one row says so, rather than an
  // empty answer that looks complete.
  if (rows.empty() && !result.limits.empty()) {
    nlohmann::json detail = nlohmann::json::array();
    for (const indexes::StatementResult& st : result.statements) {
      if (st.limit.empty()) continue;
      detail.push_back({{"sql", st.sql}, {"cost_before", st.cost_before}, {"limit", st.limit}});
    }
    rows.push_back({Value::Null(), Value::Null(), Value::Null(), Value(0.0), Value(0),
                    Value(detail.dump()), Value(0), Value::Null(), limits});
  }
  return rows;
}

absl::StatusOr<Rows> WhatIfRows(TableCall& call) {
  const Args& args = call.args();
  ASSIGN_OR_RETURN(std::string sql, args.Text(0, "sql"));
  std::vector<std::string> ddl;
  for (int i = 1; i < args.size(); ++i) {
    if (args.Missing(i)) continue;
    ASSIGN_OR_RETURN(std::string d, args.Text(i, i == 1 ? "index_ddl" : "index_ddl (more)"));
    ddl.push_back(d);
  }
  ASSIGN_OR_RETURN(std::vector<indexes::WhatIfResult> results,
                   indexes::WhatIf(call.connection(), sql, ddl));
  Rows rows;
  for (const indexes::WhatIfResult& r : results) {
    const indexes::StatementResult& s = r.statement;
    double saving = s.cost_before > 0
                        ? 1.0 - static_cast<double>(s.cost_after) / static_cast<double>(s.cost_before)
                        : 0.0;
    std::string used;
    for (const std::string& n : r.used) used += (used.empty() ? "" : ", ") + n;
    rows.push_back({Value(s.sql), Value(s.plan_before), Value(s.plan_after), Value(s.cost_before),
                    Value(s.cost_after), Value(saving),
                    used.empty() ? Value::Null() : Value(used),
                    s.error.empty() ? Value::Null() : Value(s.error)});
  }
  return rows;
}

absl::StatusOr<Rows> LintRows(TableCall& call) {
  ASSIGN_OR_RETURN(std::vector<indexes::LintFinding> findings, indexes::Lint(call.connection()));
  Rows rows;
  for (const indexes::LintFinding& f : findings) {
    rows.push_back({Value(f.kind), Value(f.table), f.index.empty() ? Value::Null() : Value(f.index),
                    Value(f.finding), Value(f.fix_sql)});
  }
  return rows;
}

const TableArg kAdviseArgs[] = {{"workload", false}, {"options", false}};
const TableArg kWhatIfArgs[] = {{"sql", true},         {"index_ddl", true},
                                {"index_ddl2", false}, {"index_ddl3", false},
                                {"index_ddl4", false}, {"index_ddl5", false}};

// All three open private in-memory connections and can run for a while, so they are
// DIRECTONLY: a schema (view, trigger) can never make them run.
const TableSpec kTables[] = {
    {"index_advise",
     "index_sql TEXT, table_name TEXT, columns TEXT, benefit REAL, statements INTEGER, "
     "detail TEXT, est_bytes INTEGER, drizzle TEXT, limits TEXT",
     kAdviseArgs, true, AdviseRows,
     "SELECT * FROM index_advise([workload TEXT [, options JSON]])",
     "Recommended indexes for a workload (SQL text, or the statements captured in query_stats "
     "weighted by calls), measured in VM steps on a sampled private copy: index_sql, "
     "table_name, columns, benefit (share of the workload's cost saved, 0..1), statements "
     "helped, detail (JSON per statement: plans and costs before/after), est_bytes, drizzle (the index as a Drizzle schema line: index('name').on(t.col, ...)), limits (what "
     "cut the advice short: step cap, time limit; NULL when complete; a row with NULL index_sql "
     "when that left nothing to recommend). Options: max_indexes, budget_bytes, allow_partial, "
     "allow_covering, sample_rows, foreign_keys, statistics, time_limit_s, step_cap."},
    {"index_whatif",
     "statement TEXT, plan_before TEXT, plan_after TEXT, cost_before INTEGER, "
     "cost_after INTEGER, saving REAL, uses TEXT, error TEXT",
     kWhatIfArgs, true, WhatIfRows,
     "SELECT * FROM index_whatif(sql TEXT, index_ddl TEXT [, index_ddl ...])",
     "Plan and cost (VM steps on a sampled private copy) of each statement in sql before and "
     "after hypothetical CREATE INDEX statements, without building them in your database."},
    {"index_lint", "kind TEXT, table_name TEXT, index_name TEXT, finding TEXT, fix_sql TEXT", {},
     true, LintRows, "SELECT * FROM index_lint",
     "Findings about existing indexes: duplicate, prefix (redundant), low_selectivity, unused "
     "(by the queries in query_stats, once lint_unused_min_calls / _queries / _hours of traffic "
     "were captured), and foreign keys without a child index; each with fix_sql."},
};

Setting* const kSettings[] = {&indexes::kUnusedMinCalls, &indexes::kUnusedMinQueries,
                              &indexes::kUnusedMinHours};

}  // namespace

const Area kIndexesArea = {"indexes", {}, kTables, kSettings, nullptr};

}  // namespace doctor
