// SQL glue of the "indexes" area: argument checks, the captured workload, and rows out. The
// engine (advise_engine.h), the lint (lint.h) and the pure pieces they use do the work.
#include "ext/indexes/indexes_sql.h"

#include <algorithm>

#include <cctype>
#include <map>
#include <set>
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
#include "ext/core/extension_objects.h"
#include "ext/core/json_text.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/status_macros.h"
#include "ext/core/table.h"
#include "ext/core/table_rows.h"
#include "nlohmann/json.hpp"

namespace doctor {
namespace {

using indexes::AdviseOptions;
using indexes::InputStatement;

// Up to 3 distinct expanded statements (bound values written in) per query_id that the timing
// area kept for slow runs when slow_params is on; empty when it kept none or is not readable.
std::map<int64_t, std::vector<std::string>> CapturedValues(Connection& connection) {
  std::map<int64_t, std::vector<std::string>> out;
  auto rows = Query(connection,
                    "SELECT query_id, params FROM slow_queries WHERE params IS NOT NULL "
                    "ORDER BY at DESC LIMIT 1000");
  if (!rows.ok()) return out;
  for (const Row& r : *rows) {
    std::vector<std::string>& list = out[r[0].AsInt()];
    const std::string sql = r[1].AsText();
    if (list.size() < 3 && std::find(list.begin(), list.end(), sql) == list.end()) {
      list.push_back(sql);
    }
  }
  return out;
}

// The workload captured by the timing area, weighted by calls (the literal example is measured
// when there is one, else the normalized text with guessed parameter values).
absl::StatusOr<std::vector<InputStatement>> CapturedWorkload(Connection& connection) {
  auto rows = Query(connection, "SELECT query, example, calls, query_id FROM query_stats");
  if (!rows.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no captured workload: query_stats is not readable here (", rows.status().message(),
        "); capture queries with the timing area first, or pass the workload as SQL text: "
        "index_advise('SELECT ...; UPDATE ...')"));
  }
  const std::map<int64_t, std::vector<std::string>> captured = CapturedValues(connection);
  std::vector<InputStatement> out;
  for (const Row& r : *rows) {
    // A statement that calls the extension is the user asking the doctor, not the workload.
    std::string sql = RunnableQuery(r[0].AsText(), r[1].is_null() ? "" : r[1].AsText());
    if (CallsTheExtension(connection, sql)) continue;
    const double calls = static_cast<double>(std::max<int64_t>(1, r[2].AsInt()));
    auto values = captured.find(r[3].AsInt());
    if (values == captured.end() || values->second.empty()) {
      out.push_back({sql, calls, false});
      continue;
    }
    // Measured with the values it was run with, its weight shared between them.
    for (const std::string& expanded : values->second) {
      if (CallsTheExtension(connection, expanded)) continue;
      out.push_back({expanded, calls / static_cast<double>(values->second.size()), false,
                     "values captured by slow_queries (slow_params)"});
    }
  }
  if (out.empty()) {
    return absl::FailedPreconditionError(
        "no captured workload: query_stats holds no application statement yet");
  }
  return out;
}

constexpr Column kAdviseColumns[] = {
    {"index_sql", "TEXT", "The CREATE INDEX statement to run, ending with ';' (NULL on the row that only reports limits)."},
    {"table_name", "TEXT", "The table it indexes."},
    {"columns", "TEXT", "Its key, as in the statement: \"a, b DESC\", with \" WHERE ...\" for a partial index."},
    {"benefit", "REAL",
     "Share of the workload's weighted cost (VM steps) without any index that this index saves "
     "within the set (what removing it would add back), 0..1; capped at 1 when removing it "
     "would cost more than having no index at all (the planner then picks worse among the "
     "others), so the shares of a set can add up to more than 1."},
    {"statements", "INTEGER", "How many workload statements it helps."},
    {"detail", "TEXT", "JSON per statement helped: sql, weight, cost and plan before and after, and a limit when one cut it."},
    {"est_bytes", "INTEGER", "Estimated size of the index on your data, in bytes."},
    {"drizzle", "TEXT", "The index as a Drizzle schema line: index('name').on(t.col, ...)[.where(sql`...`)]."},
    {"limits", "TEXT", "What cut the advice short (step cap, time limit, memory bound, candidate cap, max_indexes, budget_bytes) and the statements not advised, each with why (a table outside main: attached, temp); NULL when it is complete."},
    {"basis", "TEXT", "measured (VM steps on the sample) | structural (an empty table: from the statement's shape alone, benefit 0)."},
    {"assumed", "TEXT", "The values its measurement bound to the parameters of the statements it helps (column = value (how it was picked)), '; '-separated; NULL when they have none, and for structural advice (nothing was measured)."},
};

constexpr Column kWhatIfColumns[] = {
    {"statement", "TEXT", "One statement of sql."},
    {"plan_before", "TEXT", "Its query plan without the hypothetical indexes."},
    {"plan_after", "TEXT", "Its query plan with them."},
    {"cost_before", "INTEGER", "VM steps on the sampled copy without them."},
    {"cost_after", "INTEGER", "VM steps with them."},
    {"saving", "REAL", "1 - cost_after / cost_before."},
    {"uses", "TEXT", "The hypothetical indexes the new plan uses, comma-separated (NULL: none)."},
    {"error", "TEXT", "Why the statement could not run on the copy (NULL when it ran)."},
};

constexpr Column kLintColumns[] = {
    {"kind", "TEXT", "duplicate | prefix | low_selectivity | unused | fk_without_index | not_checked (a check left out, and why)."},
    {"table_name", "TEXT", "The table concerned (NULL for not_checked)."},
    {"index_name", "TEXT", "The index concerned (NULL for fk_without_index)."},
    {"finding", "TEXT", "What is wrong, in one sentence, with the figures behind it."},
    {"fix_sql", "TEXT", "The DROP INDEX or CREATE INDEX that fixes it, naming the index in main (\"main\".name: never a temp one of that name), ending with ';' (NULL for not_checked)."},
    {"covered_by", "TEXT", "duplicate and prefix: the index that serves the same lookups, which stays (NULL for the other kinds)."},
};

// The JSON detail of one statement.
nlohmann::json StatementDetail(const indexes::StatementResult& st) {
  nlohmann::json d = {{"sql", st.sql},
                      {"weight", st.weight},
                      {"cost_before", st.cost_before},
                      {"cost_after", st.cost_after},
                      {"plan_before", st.plan_before},
                      {"plan_after", st.plan_after}};
  if (!st.limit.empty()) d["limit"] = st.limit;
  if (!st.assumed.empty()) d["assumed"] = st.assumed;
  return d;
}

absl::StatusOr<Rows> AdviceRows(const indexes::AdviceResult& result) {
  const Value limits = result.limits.empty() ? Value::Null()
                                              : Value(absl::StrJoin(result.limits, "; "));
  RowBuilder rows(kAdviseColumns);
  for (const indexes::Recommendation& rec : result.recommendations) {
    nlohmann::json detail = nlohmann::json::array();
    std::vector<std::string> assumed;
    // A statement with parameters is measured once per set of values (detail keeps each);
    // it is still one workload statement.
    std::set<int> helped;
    for (int s : rec.statements) {
      detail.push_back(StatementDetail(result.statements[s]));
      helped.insert(result.statements[s].source);
      const std::string& a = result.statements[s].assumed;
      if (!a.empty() && std::find(assumed.begin(), assumed.end(), a) == assumed.end()) {
        assumed.push_back(a);
      }
    }
    rows.NewRow();
    rows.Set("index_sql", AsScriptStatement(rec.index.Ddl()));
    rows.Set("table_name", rec.index.table);
    rows.Set("columns", rec.index.ColumnsText() +
                            (rec.index.where.empty() ? "" : " WHERE " + rec.index.where));
    rows.Set("benefit", rec.benefit);
    rows.Set("statements", static_cast<int64_t>(helped.size()));
    rows.Set("detail", JsonText(detail));
    rows.Set("est_bytes", static_cast<int64_t>(rec.bytes));
    rows.Set("drizzle", indexes::DrizzleIndexLine(rec.index));
    rows.Set("limits", limits);
    rows.Set("basis", rec.basis);
    // Structural advice measured nothing: no value was assumed for it.
    if (!assumed.empty() && rec.basis != "structural") {
      rows.Set("assumed", absl::StrJoin(assumed, "; "));
    }
  }
  // Nothing recommended because a limit cut the advice short: one row says so, rather than an
  // empty answer that looks complete.
  if (result.recommendations.empty() && !result.limits.empty()) {  // (no basis: no advice)
    nlohmann::json detail = nlohmann::json::array();
    for (const indexes::StatementResult& st : result.statements) {
      if (!st.limit.empty()) detail.push_back(StatementDetail(st));
    }
    rows.NewRow();
    rows.Set("benefit", 0.0);
    rows.Set("statements", 0);
    rows.Set("detail", JsonText(detail));
    rows.Set("est_bytes", 0);
    rows.Set("limits", limits);
  }
  return rows.Finish();
}

absl::StatusOr<Rows> AdviseRows(TableCall& call) {
  const Args& args = call.args();
  std::vector<InputStatement> workload;
  if (args.size() >= 1 && !args.Missing(0)) {
    ASSIGN_OR_RETURN(std::string text, args.Text(0, "workload"));
    workload.push_back({text, 1.0, true});
  } else if (args.size() >= 1) {
    return absl::InvalidArgumentError(
        "argument 'workload' must be SQL text, got NULL (readfile() gives NULL for a file it "
        "cannot read); omit it to use the captured workload");
  }
  std::string options_text;
  if (args.size() >= 2 && !args.Missing(1)) {
    ASSIGN_OR_RETURN(options_text, args.Text(1, "options"));
  }
  ASSIGN_OR_RETURN(AdviseOptions options, indexes::ParseAdviseOptions(options_text));
  const bool given = !workload.empty();
  if (!given) {
    ASSIGN_OR_RETURN(workload, CapturedWorkload(call.connection()));
  }
  ASSIGN_OR_RETURN(indexes::AdviceResult result,
                   indexes::Advise(call.connection(), workload, options));
  // No rows would read as "no index needed": say that there was nothing to advise on.
  if (result.statements.empty()) {
    if (!given) {
      return absl::FailedPreconditionError(
          "no captured workload: query_stats holds no query or write statement yet (DDL, "
          "PRAGMA and transaction statements are skipped)");
    }
    return absl::InvalidArgumentError(
        "workload: no query or write statement to advise on (DDL, PRAGMA and transaction "
        "statements are skipped; omit the argument to use the captured workload)");
  }
  return AdviceRows(result);
}

absl::StatusOr<Rows> WhatIfRows(TableCall& call) {
  const Args& args = call.args();
  ASSIGN_OR_RETURN(std::string sql, args.Text(0, "sql"));
  std::vector<std::string> ddl;
  constexpr int kOptions = 6;  // after sql and the five index_ddl
  for (int i = 1; i < kOptions && i < args.size(); ++i) {
    if (args.Missing(i)) continue;
    ASSIGN_OR_RETURN(std::string d, args.Text(i, i == 1 ? "index_ddl" : "index_ddl (more)"));
    ddl.push_back(d);
  }
  indexes::AdviseOptions options;
  if (args.size() > kOptions && !args.Missing(kOptions)) {
    ASSIGN_OR_RETURN(std::string text, args.Text(kOptions, "options"));
    ASSIGN_OR_RETURN(options, indexes::ParseWhatIfOptions(text));
  }
  ASSIGN_OR_RETURN(std::vector<indexes::WhatIfResult> results,
                   indexes::WhatIf(call.connection(), sql, ddl, options.analyze_sample));
  RowBuilder rows(kWhatIfColumns);
  for (const indexes::WhatIfResult& r : results) {
    const indexes::StatementResult& s = r.statement;
    rows.NewRow();
    rows.Set("statement", s.sql);
    rows.Set("plan_before", s.plan_before);
    rows.Set("plan_after", s.plan_after);
    rows.Set("cost_before", s.cost_before);
    rows.Set("cost_after", s.cost_after);
    rows.Set("saving", s.cost_before > 0 ? 1.0 - static_cast<double>(s.cost_after) /
                                                    static_cast<double>(s.cost_before)
                                         : 0.0);
    if (!r.used.empty()) rows.Set("uses", absl::StrJoin(r.used, ", "));
    if (!s.error.empty()) rows.Set("error", s.error);
  }
  return rows.Finish();
}

absl::StatusOr<Rows> LintRows(TableCall& call) {
  ASSIGN_OR_RETURN(std::vector<indexes::LintFinding> findings, indexes::Lint(call.connection()));
  RowBuilder rows(kLintColumns);
  for (const indexes::LintFinding& f : findings) {
    rows.NewRow();
    rows.Set("kind", f.kind);
    if (!f.table.empty()) rows.Set("table_name", f.table);
    if (!f.index.empty()) rows.Set("index_name", f.index);
    rows.Set("finding", f.finding);
    if (!f.fix_sql.empty()) rows.Set("fix_sql", AsScriptStatement(f.fix_sql));
    if (!f.covered_by.empty()) rows.Set("covered_by", f.covered_by);
  }
  return rows.Finish();
}

const TableArg kAdviseArgs[] = {{"workload", false}, {"options", false}};
const TableArg kWhatIfArgs[] = {{"sql", true},         {"index_ddl", true},
                                {"index_ddl2", false}, {"index_ddl3", false},
                                {"index_ddl4", false}, {"index_ddl5", false},
                                {"options", false}};

// All three open private in-memory connections and can run for a while, so they are
// DIRECTONLY: a schema (view, trigger) can never make them run.
const TableSpec kTables[] = {
    {"index_advise", nullptr, kAdviseArgs, true, AdviseRows,
     "SELECT * FROM index_advise([workload TEXT [, options JSON]])",
     "Recommended indexes for a workload (SQL text, or the statements captured in query_stats "
     "weighted by calls), measured in VM steps on a sampled private copy. When a limit (step "
     "cap, time limit, max_indexes, budget_bytes) left nothing to recommend, one row with NULL "
     "index_sql says so. Options: "
     "max_indexes, budget_bytes, allow_partial, allow_covering, sample_rows, foreign_keys, "
     "statistics, time_limit_s, step_cap.",
     kAdviseColumns},
    {"index_whatif", nullptr, kWhatIfArgs, true, WhatIfRows,
     "SELECT * FROM index_whatif(sql TEXT, index_ddl TEXT [, index_ddl ... [, options JSON]])",
     "Plan and cost (VM steps on a sampled private copy) of each statement in sql before and "
     "after hypothetical CREATE INDEX statements, without building them in your database. Up "
     "to 5 index_ddl arguments, each holding one or more CREATE INDEX statements (NULL for one "
     "not used); a 7th, options, '{\"statistics\": \"sample\"}', plans as after ANALYZE when "
     "the database has no sqlite_stat1 (as index_advise's option of that name).",
     kWhatIfColumns},
    {"index_lint", nullptr, {}, true, LintRows, "SELECT * FROM index_lint",
     "Findings about existing indexes: duplicate, prefix (redundant), low_selectivity, unused "
     "(by the queries in query_stats, once lint_unused_min_calls / _queries / _hours of traffic "
     "were captured), and foreign keys without a child index; each with fix_sql.",
     kLintColumns},
};

Setting* const kSettings[] = {&indexes::kUnusedMinCalls, &indexes::kUnusedMinQueries,
                              &indexes::kUnusedMinHours};

}  // namespace

const Area kIndexesArea = {"indexes", {}, kTables, kSettings, nullptr};

}  // namespace doctor
