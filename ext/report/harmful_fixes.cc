// The report's index fixes, checked together on the captured workload before they are offered.
// Each listed query gets the advisor's index for it alone, measured on that query only; built
// together (and analyzed: the fixes end with ANALYZE), one of them can be taken by another query
// whose plan gets worse. Sakila: round 1's rental(inventory_id, return_date), advised for a NOT
// EXISTS query, took the film-count query from 19,030 to 57,728 VM steps (on the sample, as on the
// data), and the next report had to give that query an index of its own.
//
// How: index_whatif of the database's costliest captured statements (weighted by calls) with
// every CREATE INDEX fix, planned as after ANALYZE when the database has no statistics. For each
// fix index the plan of a statement made dearer uses, the workload is measured again without it;
// when it is cheaper so, that fix is withheld and its finding says why.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ext/core/extension_objects.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"
#include "ext/core/text.h"
#include "ext/report/area_findings.h"
#include "ext/report/index_fixes.h"
#include "ext/report/schema_checks.h"

namespace doctor::report {
namespace {

constexpr int kStatements = 50;  // the costliest captured statements, as the report lists
constexpr int kSuspects = 5;     // fix indexes measured out one by one, at most

struct IndexFix {
  size_t finding;    // its position in the findings
  std::string name;  // lower-cased (ParseCreateIndex), as `uses` is read
  std::string ddl;
};

struct Measured {
  std::vector<double> before, after;  // VM steps a run, by statement
  std::vector<std::vector<std::string>> uses;
};

absl::StatusOr<std::optional<Measured>> WhatIf(Connection& c, const std::string& workload,
                                               const std::vector<IndexFix>& fixes,
                                               const std::string& options, size_t statements) {
  std::vector<std::string> ddl;
  for (const IndexFix& f : fixes) ddl.push_back(f.ddl);
  absl::StatusOr<Rows> rows =
      Query(c,
            "SELECT cost_before, cost_after, coalesce(uses, ''), error FROM "
            "index_whatif(?1, ?2, NULL, NULL, NULL, NULL, ?3)",
            {Value(workload), Value(absl::StrJoin(ddl, "\n")), Value(options)});
  // A captured statement the copy cannot run (a temp table's): no check, the fixes stand.
  if (!rows.ok() || rows->size() != statements) return std::optional<Measured>();
  Measured m;
  for (const Row& r : *rows) {
    if (!r[3].is_null()) return std::optional<Measured>();
    m.before.push_back(r[0].AsDouble());
    m.after.push_back(r[1].AsDouble());
    m.uses.push_back(absl::StrSplit(absl::AsciiStrToLower(r[2].AsText()), ", ", absl::SkipEmpty()));
  }
  return std::optional<Measured>(std::move(m));
}

double Total(const std::vector<double>& costs, const std::vector<double>& weights) {
  double total = 0;
  for (size_t i = 0; i < costs.size(); ++i) total += costs[i] * weights[i];
  return total;
}

bool Dearer(double before, double after) { return after > before * 1.1 + 50; }

}  // namespace

absl::Status WithholdHarmfulIndexFixes(Connection& c, const std::string& schema,
                                       std::vector<Finding>& findings) {
  if (schema != "main" || !HasTable(c, "index_whatif") || !HasTable(c, "query_stats")) {
    return absl::OkStatus();
  }
  std::vector<IndexFix> fixes;
  for (size_t i = 0; i < findings.size(); ++i) {
    if (!findings[i].fix_sql) continue;
    const std::optional<IndexShape> shape = ParseCreateIndex(*findings[i].fix_sql);
    if (shape) fixes.push_back({i, shape->name, *findings[i].fix_sql});
  }
  if (fixes.empty()) return absl::OkStatus();
  absl::StatusOr<Rows> captured =
      Query(c,
            absl::StrCat("SELECT query, example, calls FROM query_stats WHERE db = ",
                         kFileOfSchemaSql, " ORDER BY total_ms DESC LIMIT ?2"),
            {Value(schema), Value(kStatements)});
  if (!captured.ok()) return absl::OkStatus();  // the timing step says why
  std::vector<std::string> statements, texts;
  std::vector<double> weights;
  for (const Row& r : *captured) {
    const std::string query = r[0].AsText();
    if (!IsAdvisable(KindOfStatement(query)) || CallsTheExtension(c, query)) continue;
    statements.push_back(RunnableQuery(query, r[1].is_null() ? "" : r[1].AsText()));
    texts.push_back(query);
    weights.push_back(static_cast<double>(std::max<int64_t>(1, r[2].AsInt())));
  }
  if (statements.empty()) return absl::OkStatus();
  const std::string workload = absl::StrJoin(statements, ";\n");
  ASSIGN_OR_RETURN(const bool has_statistics, HasStatistics(c, schema));
  // The fixes end with ANALYZE: measured as after it.
  const std::string options = has_statistics ? "{}" : R"({"statistics": "sample"})";
  ASSIGN_OR_RETURN(std::optional<Measured> all,
                   WhatIf(c, workload, fixes, options, statements.size()));
  if (!all) return absl::OkStatus();
  // The fix indexes the plans of the statements made dearer use, most harm first.
  std::map<std::string, double> harm;
  for (size_t s = 0; s < statements.size(); ++s) {
    if (!Dearer(all->before[s], all->after[s])) continue;
    for (const std::string& name : all->uses[s]) {
      harm[name] += (all->after[s] - all->before[s]) * weights[s];
    }
  }
  std::vector<std::pair<double, std::string>> suspects;
  for (const auto& [name, h] : harm) suspects.push_back({h, name});
  std::sort(suspects.rbegin(), suspects.rend());
  if (suspects.size() > kSuspects) suspects.resize(kSuspects);
  for (const auto& suspect : suspects) {
    const std::string& name = suspect.second;  // a lambda cannot capture a structured binding
    auto it = std::find_if(fixes.begin(), fixes.end(),
                           [&](const IndexFix& f) { return f.name == name; });
    if (it == fixes.end()) continue;  // an index of the database, not of a fix
    std::vector<IndexFix> without = fixes;
    without.erase(without.begin() + (it - fixes.begin()));
    std::optional<Measured> rest;
    if (!without.empty()) {
      ASSIGN_OR_RETURN(rest, WhatIf(c, workload, without, options, statements.size()));
      if (!rest) return absl::OkStatus();
    }
    const double with_it = Total(all->after, weights);
    const double without_it = rest ? Total(rest->after, weights) : Total(all->before, weights);
    if (without_it >= with_it) continue;
    // The statement it makes dearest, for the finding.
    size_t worst = 0;
    double worst_harm = -1;
    for (size_t s = 0; s < statements.size(); ++s) {
      const double after_without = rest ? rest->after[s] : all->before[s];
      if (std::find(all->uses[s].begin(), all->uses[s].end(), name) == all->uses[s].end()) {
        continue;
      }
      const double d = (all->after[s] - after_without) * weights[s];
      if (d > worst_harm) worst_harm = d, worst = s;
    }
    Finding& f = findings[it->finding];
    f.advice = absl::StrFormat(
        "not fixed here: the index for it, %s, built with this report's other index fixes, makes "
        "%s dearer on the advisor's sample (%.0f -> %.0f VM steps a run; the captured workload "
        "costs %.0f weighted VM steps without it, %.0f with it); compare both queries' plans "
        "with it (index_whatif) before creating it",
        absl::StripSuffix(*f.fix_sql, ";"), std::string(Utf8Prefix(texts[worst], 120)),
        rest ? rest->after[worst] : all->before[worst], all->after[worst], without_it, with_it);
    f.fix_sql.reset();
    fixes.erase(it);
    if (rest) *all = std::move(*rest);
    if (fixes.empty()) break;
  }
  return absl::OkStatus();
}

}  // namespace doctor::report
