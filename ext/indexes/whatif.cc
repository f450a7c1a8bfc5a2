// index_whatif: the statements' plans and costs on the scratch copy before and after
// user-written CREATE INDEX statements (see advise_engine.h).
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/query_plan.h"
#include "ext/core/status_macros.h"
#include "ext/indexes/advise_engine.h"
#include "ext/indexes/probe.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/sql_text.h"
#include "ext/indexes/write_effects.h"

namespace doctor::indexes {
namespace {

// Rows the statements look up by constant are seeded into the sample first.
absl::Status SeedLookups(Connection& connection, Scratch& scratch,
                         const std::vector<std::string>& statements) {
  ASSIGN_OR_RETURN(std::unique_ptr<Probe> probe, Probe::Build(scratch));
  for (const std::string& s : statements) {
    std::vector<ProbeScan> scans;
    if (!probe->Capture(s, &scans).ok()) continue;
    for (const ProbeScan& ps : scans) {
      const TableInfo& t = scratch.tables()[ps.table];
      for (const ProbeConstraint& pc : ps.constraints) {
        if (pc.has_value && pc.eq) {
          scratch.Seed(connection, t.name, t.columns[pc.column].name, pc.value);
        }
      }
    }
  }
  return absl::OkStatus();
}

// A literal as PartialIndexEqualities gives it, as a value.
Value LiteralValue(const std::string& literal) {
  if (!literal.empty() && literal[0] == '\'') {
    return Value(absl::StrReplaceAll(literal.substr(1, literal.size() - 2), {{"''", "'"}}));
  }
  int64_t i = 0;
  if (absl::SimpleAtoi(literal, &i)) return Value(i);
  double d = 0;
  if (absl::SimpleAtod(literal, &d)) return Value(d);
  return Value(literal);
}

// A parameter compared with a column a hypothetical partial index's WHERE fixes is bound to
// that value, before and after (SQLite re-prepares a statement on bind, so a partial index
// serves the bound value it names: "WHERE state = ?" bound to 'queued' uses "... WHERE state =
// 'queued'").
ParameterHints PartialIndexHints(const std::vector<std::string>& index_ddl) {
  ParameterHints hints;
  for (const std::string& ddl : index_ddl) {
    for (const ColumnLiteral& e : PartialIndexEqualities(ddl)) {
      hints.emplace(absl::AsciiStrToLower(e.column), LiteralValue(e.literal));
    }
  }
  return hints;
}

// Builds the hypothetical indexes on the copy; their names.
absl::StatusOr<std::vector<std::string>> BuildHypothetical(
    Scratch& scratch, const std::vector<std::string>& index_ddl) {
  std::vector<std::string> names;
  for (size_t i = 0; i < index_ddl.size(); ++i) {
    auto created = scratch.ApplyIndexDdl(index_ddl[i]);
    if (!created.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("index_ddl ", i + 1, ": ", created.status().message()));
    }
    names.insert(names.end(), created->begin(), created->end());
  }
  return names;
}

}  // namespace

absl::StatusOr<std::vector<WhatIfResult>> WhatIf(Connection& connection, const std::string& sql,
                                                 const std::vector<std::string>& index_ddl,
                                                 bool analyze_sample) {
  ScratchOptions so;
  so.analyze_sample = analyze_sample;
  so.workload = {sql};  // its joins priced as on the data, as index_advise prices them
  so.also_named = index_ddl;  // the copy holds the tables the indexes are on (scratch_scope.h)
  // As index_advise: a foreign key to a missing table means the application runs without them.
  ASSIGN_OR_RETURN(const std::string dangling, ForeignKeyToMissingTable(connection, "main"));
  so.foreign_keys = dangling.empty();
  ASSIGN_OR_RETURN(std::unique_ptr<Scratch> scratch, Scratch::Build(connection, so));
  ASSIGN_OR_RETURN(std::vector<std::string> statements, SplitAdvisable(*scratch, sql, true));
  if (statements.empty()) {
    return absl::InvalidArgumentError("sql: no query or write statement to analyse");
  }
  RETURN_IF_ERROR(SeedLookups(connection, *scratch, statements));
  const ParameterHints hints = PartialIndexHints(index_ddl);
  std::vector<WorkloadItem> items;
  for (const std::string& s : statements) {
    ASSIGN_OR_RETURN(WorkloadItem item, LoadStatement(*scratch, s, 1, hints));
    items.push_back(std::move(item));
  }
  // The rows a write's FK actions change, copied as index_advise copies them, before anything is
  // measured (before and after run on the same rows). Before, only the children the sample held
  // by chance were there: `DELETE FROM film WHERE film_id = 3990` on a Sakila port saved 0.9985
  // without payment(rental_id) on the copy, 0.57 on the data.
  if (so.foreign_keys) {
    for (const WorkloadItem& item : items) SeedCascades(connection, *scratch, item);
  }
  std::vector<WhatIfResult> results;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& s = statements[i];
    WhatIfResult r;
    r.statement.sql = s;
    ASSIGN_OR_RETURN(QueryPlan before, ExplainQueryPlan(scratch->db(), s, items[i].params));
    r.statement.plan_before = PlanText(before);
    StepCount m = scratch->Run(s, items[i].params);
    r.statement.cost_before = m.steps;
    r.statement.error = m.error;
    results.push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> names, BuildHypothetical(*scratch, index_ddl));
  for (size_t i = 0; i < items.size(); ++i) {
    RETURN_IF_ERROR(scratch->CheckInterrupted());
    ASSIGN_OR_RETURN(QueryPlan after,
                     ExplainQueryPlan(scratch->db(), items[i].sql, items[i].params));
    results[i].statement.plan_after = PlanText(after);
    StepCount m = scratch->Run(items[i].sql, items[i].params);
    results[i].statement.cost_after = m.steps;
    for (const std::string& n : names) {
      if (after.UsesIndex(n)) results[i].used.push_back(n);
    }
  }
  return results;
}

}  // namespace doctor::indexes
