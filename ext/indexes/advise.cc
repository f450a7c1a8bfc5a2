#include "ext/indexes/advise.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/indexes/candidates.h"
#include "ext/indexes/probe.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/select.h"
#include "ext/indexes/sql_text.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "nlohmann/json.hpp"

namespace doctor::indexes {
namespace {

using Clock = std::chrono::steady_clock;

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

// Statements worth advising on: queries and writes (not DDL, PRAGMA, transaction control).
bool Advisable(const std::string& sql) {
  std::string head = Lower(std::string(absl::StripLeadingAsciiWhitespace(sql)).substr(0, 10));
  for (const char* k : {"select", "with", "insert", "update", "delete", "replace", "values"}) {
    if (absl::StartsWith(head, k)) return true;
  }
  return false;
}

// Splits `text` into statements by preparing them on the copy (so every statement is checked
// against the schema). Errors name the statement's position.
absl::StatusOr<std::vector<std::string>> Split(sqlite3* db, const std::string& text, bool strict) {
  std::vector<std::string> out;
  const char* p = text.c_str();
  int n = 0;
  while (*p != '\0') {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, p, -1, &stmt, &tail);
    ++n;
    if (rc != SQLITE_OK) {
      std::string message = sqlite3_errmsg(db);
      if (!strict) return out;  // a captured statement the copy cannot run is skipped
      return absl::InvalidArgumentError(absl::StrCat("statement ", n, ": ", message));
    }
    std::string one(p, tail - p);
    p = tail;
    if (stmt == nullptr) continue;
    sqlite3_finalize(stmt);
    std::string trimmed(absl::StripAsciiWhitespace(one));
    while (!trimmed.empty() && trimmed.back() == ';') trimmed.pop_back();
    if (Advisable(trimmed)) out.push_back(trimmed);
  }
  return out;
}

std::string Literal(const Value& v) {
  if (std::holds_alternative<int64_t>(v.storage())) return v.AsText();
  if (std::holds_alternative<double>(v.storage())) return v.AsText();
  if (std::holds_alternative<std::string>(v.storage())) return QuoteLiteral(v.AsText());
  return "";
}

// One workload statement as the engine sees it.
struct Item {
  std::string sql;
  double weight = 1;
  std::vector<Value> params;
  std::set<std::string> tables;
  std::string written;
  std::string error;
};

std::vector<Value> GuessParameters(Scratch& scratch, const Item& item) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(scratch.db(), item.sql.c_str(), -1, &stmt, nullptr);
  const int count = stmt ? sqlite3_bind_parameter_count(stmt) : 0;
  sqlite3_finalize(stmt);
  std::vector<Value> out;
  if (count == 0) return out;
  std::vector<std::string> cols = ParameterColumns(item.sql);
  for (int i = 0; i < count; ++i) {
    std::string col = i < static_cast<int>(cols.size()) ? cols[i] : "";
    if (col == "#limit") {
      out.push_back(Value(10));
      continue;
    }
    Value v = Value(1);
    for (const std::string& t : item.tables) {
      const TableInfo* info = scratch.FindTable(t);
      if (info != nullptr && !col.empty() && info->Column(col) >= 0) {
        v = scratch.Typical(info->name, col);
        break;
      }
    }
    out.push_back(v);
  }
  return out;
}

// Everything the engine does for one request.
class Engine {
 public:
  Engine(Connection& user, Scratch& scratch, Probe& probe, const AdviseOptions& options)
      : user_(user), scratch_(scratch), probe_(probe), options_(options), start_(Clock::now()) {}

  absl::Status Load(const std::vector<InputStatement>& workload) {
    for (const InputStatement& in : workload) {
      ASSIGN_OR_RETURN(std::vector<std::string> parts, Split(scratch_.db(), in.sql, in.strict));
      for (std::string& sql : parts) {
        Item item;
        item.sql = std::move(sql);
        item.weight = std::max(0.0, in.weight);
        absl::Status touched = scratch_.Touched(item.sql, &item.tables, &item.written);
        if (!touched.ok()) {
          if (in.strict) return touched;
          continue;
        }
        item.params = GuessParameters(scratch_, item);
        items_.push_back(std::move(item));
      }
    }
    return absl::OkStatus();
  }

  // Probes every statement (and what its writes fire) and builds the candidate list.
  absl::Status Generate() {
    CandidateOptions copts;
    copts.allow_partial = options_.allow_partial;
    copts.allow_covering = options_.allow_covering;
    std::set<std::string> seen;
    for (Item& item : items_) {
      std::vector<ProbeScan> scans;
      if (!probe_.Capture(item.sql, &scans).ok()) {
        probe_.Capture(WithoutUpsert(item.sql), &scans).IgnoreError();
      }
      const size_t own_scans = scans.size();
      if (!item.written.empty()) ProbeWriteEffects(&item, &scans);
      // The first candidate of each of the statement's own scans of a table: together they
      // form a bundle (an OR with a branch per column needs an index per branch).
      std::map<std::string, std::set<int>> firsts;
      for (size_t i = 0; i < scans.size(); ++i) {
        const ProbeScan& ps = scans[i];
        const TableInfo& t = scratch_.tables()[ps.table];
        if (t.is_virtual) continue;
        Scan scan = ToScan(ps, t);
        auto distinct = [&](const std::string& c) { return scratch_.Distinct(t.name, c); };
        bool first = true;
        for (IndexDef& d : CandidatesForScan(scan, distinct, copts)) {
          int id = AddCandidate(d, &seen);
          if (id >= 0 && i >= own_scans) effects_.insert(id);
          if (first && id >= 0 && i < own_scans) firsts[t.name].insert(id);
          first = false;
        }
      }
      for (const auto& [table, ids] : firsts) {
        std::vector<int> bundle(ids.begin(), ids.end());
        if (bundle.size() >= 2 && bundle.size() <= 4 &&
            std::find(bundles_.begin(), bundles_.end(), bundle) == bundles_.end()) {
          bundles_.push_back(bundle);
        }
      }
      for (const ExpressionUse& e : ExpressionPredicates(item.sql)) {
        for (const std::string& tn : item.tables) {
          const TableInfo* t = scratch_.FindTable(tn);
          if (t == nullptr || t->is_virtual || t->Column(e.column) < 0) continue;
          IndexDef d{t->name, {{e.expression, "", false, true}}, ""};
          AddCandidate(d, &seen);
        }
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<AdviceResult> Run() {
    AdviceResult result;
    result.candidates = static_cast<int>(candidates_.size());
    // Baseline: plans and costs with no new index.
    for (size_t s = 0; s < items_.size(); ++s) {
      StatementResult r;
      r.sql = items_[s].sql;
      r.weight = items_[s].weight;
      auto plan = scratch_.Plan(items_[s].sql);
      r.plan_before = plan.ok() ? *plan : "";
      r.cost_before = static_cast<int64_t>(Cost(static_cast<int>(s), {}));
      r.error = items_[s].error;
      result.statements.push_back(std::move(r));
    }
    if (getenv("DOCTOR_INDEXES_TRACE")) {
      fprintf(stderr, "baseline done, cpu %.0fms\n",
              1000.0 * static_cast<double>(std::clock() - cpu_start_) / CLOCKS_PER_SEC);
    }
    Prune();
    if (getenv("DOCTOR_INDEXES_TRACE")) {
      fprintf(stderr, "pruned, cpu %.0fms\n",
              1000.0 * static_cast<double>(std::clock() - cpu_start_) / CLOCKS_PER_SEC);
    }
    std::vector<WorkloadStatement> ws;
    for (const Item& item : items_) ws.push_back({item.weight, item.tables});
    SelectOptions sopts;
    sopts.max_indexes = options_.max_indexes;
    sopts.budget_bytes = options_.budget_bytes;
    std::vector<Choice> chosen = GreedySelect(
        candidates_, bytes_, ws,
        [this](int s, const std::vector<int>& config) { return Cost(s, config); }, sopts,
        bundles_);

    // Final state: exactly the chosen indexes built; plans and costs after.
    std::vector<int> config;
    for (const Choice& c : chosen) config.push_back(c.candidate);
    double base_total = 0;
    for (size_t s = 0; s < items_.size(); ++s) {
      base_total += items_[s].weight * result.statements[s].cost_before;
    }
    for (size_t s = 0; s < items_.size(); ++s) {
      std::vector<int> relevant = Relevant(candidates_, config, ws[s]);
      result.statements[s].cost_after = static_cast<int64_t>(Cost(static_cast<int>(s), relevant));
      Ensure(ws[s].tables, relevant);
      auto plan = scratch_.Plan(items_[s].sql);
      result.statements[s].plan_after = plan.ok() ? *plan : "";
    }
    for (const Choice& c : chosen) {
      Recommendation rec;
      rec.index = candidates_[c.candidate];
      rec.index.name = rec.index.StableName();
      rec.benefit = base_total > 0 ? c.benefit / base_total : 0;
      rec.bytes = bytes_[c.candidate];
      // It helps a statement when taking it out of the final set makes the statement dearer.
      std::vector<int> without;
      for (int k : config) {
        if (k != c.candidate) without.push_back(k);
      }
      for (size_t s = 0; s < items_.size(); ++s) {
        if (!ws[s].tables.count(Lower(rec.index.table))) continue;
        const int id = static_cast<int>(s);
        if (Cost(id, Relevant(candidates_, without, ws[s])) >
            Cost(id, Relevant(candidates_, config, ws[s]))) {
          rec.statements.push_back(id);
        }
      }
      result.recommendations.push_back(std::move(rec));
    }
    std::stable_sort(result.recommendations.begin(), result.recommendations.end(),
                     [](const Recommendation& a, const Recommendation& b) {
                       return a.benefit > b.benefit;
                     });
    return result;
  }

  const std::vector<Item>& items() const { return items_; }

 private:
  Scan ToScan(const ProbeScan& ps, const TableInfo& t) {
    Scan scan;
    scan.table = t.name;
    scan.table_columns = t.columns.size() - (t.integer_pk ? 1 : 0);
    for (const ProbeConstraint& pc : ps.constraints) {
      const ColumnInfo& col = t.columns[pc.column];
      if (pc.rowid) {
        if (pc.has_value && pc.eq) scratch_.Seed(user_, t.name, col.name, pc.value);
        continue;
      }
      ScanConstraint c;
      c.column = col.name;
      c.eq = pc.eq;
      const std::string declared = col.collation.empty() ? "BINARY" : col.collation;
      // The mirror only knows built-in collations: a column with the application's own one
      // shows up as BINARY there, and means the column's own.
      const bool builtin = col.collation.empty() || absl::EqualsIgnoreCase(declared, "NOCASE") ||
                           absl::EqualsIgnoreCase(declared, "RTRIM");
      if (!absl::EqualsIgnoreCase(pc.collation, declared) &&
          (builtin || !absl::EqualsIgnoreCase(pc.collation, "BINARY"))) {
        c.collation = pc.collation;
      }
      if (pc.has_value && pc.eq) {
        scratch_.Seed(user_, t.name, col.name, pc.value);
        c.constant = Literal(pc.value);
        if (!c.constant.empty()) c.constant_share = scratch_.Frequency(t.name, col.name, pc.value);
      }
      scan.constraints.push_back(std::move(c));
    }
    for (const auto& [col, desc] : ps.order_by) scan.order_by.push_back({t.columns[col].name, desc});
    for (size_t i = 0; i < t.columns.size() && i < 63; ++i) {
      if (!(ps.columns_used & (uint64_t{1} << i))) continue;
      if (t.integer_pk && t.columns[i].pk == 1) continue;
      scan.used_columns.push_back(t.columns[i].name);
    }
    return scan;
  }

  // Keeps the candidates the planner picks when it may choose among all of them (kPrunePasses
  // > 1 repeats this among those it passed over; one pass measured as good on the benchmarks),
  // their prefixes, and those that serve FK actions and triggers (which EXPLAIN QUERY PLAN does
  // not show). The greedy search then measures far fewer.
  static constexpr int kPrunePasses = 1;
  void Prune() {
    if (getenv("DOCTOR_INDEXES_TRACE")) fprintf(stderr, "%zu candidates\n", candidates_.size());
    if (candidates_.size() <= 12) return;
    std::set<int> keep = effects_;
    std::vector<int> remaining;
    for (size_t c = 0; c < candidates_.size(); ++c) {
      if (!keep.count(static_cast<int>(c))) remaining.push_back(static_cast<int>(c));
    }
    for (int pass = 0; pass < kPrunePasses && !remaining.empty(); ++pass) {
      std::vector<IndexDef> defs;
      for (int c : remaining) {
        defs.push_back(candidates_[c]);
        defs.back().name = defs.back().StableName();
      }
      scratch_.AddIndexes(defs);
      std::vector<int> next;
      std::string plans;
      for (const Item& item : items_) {
        auto plan = scratch_.Plan(item.sql);
        if (plan.ok()) absl::StrAppend(&plans, *plan, "\n");
      }
      for (size_t i = 0; i < remaining.size(); ++i) {
        const std::string& name = defs[i].name;
        if (absl::StrContains(plans, absl::StrCat("INDEX ", name, " ")) ||
            absl::StrContains(plans, absl::StrCat("INDEX ", name, "\n")) ||
            absl::StrContains(plans, absl::StrCat("INDEX ", name, ";"))) {
          keep.insert(remaining[i]);
        } else {
          next.push_back(remaining[i]);
        }
      }
      for (const IndexDef& d : defs) scratch_.DropIndex(d).IgnoreError();
      remaining = next;
    }
    // A kept covering or longer index keeps its prefixes too: the smaller one may pay better
    // per byte.
    for (int c : remaining) {
      for (int k : std::set<int>(keep)) {
        if (IsPrefixOf(candidates_[c], candidates_[k])) keep.insert(c);
      }
    }
    // Renumber the kept candidates and the bundles.
    std::map<int, int> renumber;
    std::vector<IndexDef> candidates;
    std::vector<double> bytes;
    for (int c : keep) {
      renumber[c] = static_cast<int>(candidates.size());
      candidates.push_back(candidates_[c]);
      bytes.push_back(bytes_[c]);
    }
    std::vector<std::vector<int>> bundles;
    for (const auto& b : bundles_) {
      std::vector<int> nb;
      for (int c : b) {
        if (renumber.count(c)) nb.push_back(renumber[c]);
      }
      if (nb.size() >= 2) bundles.push_back(nb);
    }
    candidates_ = std::move(candidates);
    bytes_ = std::move(bytes);
    bundles_ = std::move(bundles);
    if (getenv("DOCTOR_INDEXES_TRACE")) {
      fprintf(stderr, "pruned to %zu\n", candidates_.size());
      for (size_t c = 0; c < candidates_.size(); ++c) {
        fprintf(stderr, "  %zu %s %.0f\n", c, candidates_[c].Ddl().c_str(), bytes_[c]);
      }
    }
  }

  // Trigger bodies and foreign-key child lookups a write to `item.written` runs.
  void ProbeWriteEffects(Item* item, std::vector<ProbeScan>* scans) {
    auto triggers = Query(scratch_.db(),
                          "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND "
                          "lower(tbl_name) = ?",
                          {Value(item->written)});
    if (triggers.ok()) {
      for (const Row& r : *triggers) {
        for (const std::string& body : TriggerBodyStatements(r[0].AsText())) {
          probe_.Capture(body, scans).IgnoreError();
        }
      }
    }
    const std::string head = Lower(item->sql.substr(0, 8));
    if (!options_.foreign_keys || absl::StartsWith(head, "insert")) return;
    const bool is_delete = absl::StartsWith(head, "delete");
    // Parents whose rows change; a CASCADE / SET NULL / SET DEFAULT action changes the child's
    // rows too, so its own children are looked up in turn.
    std::vector<std::string> queue = {item->written};
    std::set<std::string> visited = {item->written};
    for (size_t q = 0; q < queue.size() && q < 32; ++q) {
      for (const TableInfo& child : scratch_.tables()) {
        auto fks = Query(scratch_.db(),
                         "SELECT id, \"from\", on_delete, on_update FROM "
                         "pragma_foreign_key_list(?) WHERE lower(\"table\") = ? ORDER BY id, seq",
                         {Value(child.name), Value(queue[q])});
        if (!fks.ok() || fks->empty()) continue;
        std::map<int64_t, std::vector<std::string>> by_id;
        bool changes_child = false;
        for (const Row& r : *fks) {
          by_id[r[0].AsInt()].push_back(QuoteIdentifier(r[1].AsText()));
          const std::string action = r[is_delete ? 2 : 3].AsText();
          changes_child |= action == "CASCADE" || action == "SET NULL" || action == "SET DEFAULT";
        }
        for (const auto& [id, cols] : by_id) {
          std::string sql = absl::StrCat("SELECT 1 FROM ", QuoteIdentifier(child.name), " WHERE ",
                                         absl::StrJoin(cols, " = ? AND "), " = ?");
          probe_.Capture(sql, scans).IgnoreError();
        }
        const std::string lower = Lower(child.name);
        item->tables.insert(lower);
        if (changes_child && visited.insert(lower).second) queue.push_back(lower);
      }
    }
  }

  // The candidate's id (an existing one when already known), or -1 when it is not a candidate.
  int AddCandidate(IndexDef d, std::set<std::string>* seen) {
    auto known = ids_.find(d.Key());
    if (known != ids_.end()) return known->second;
    if (candidates_.size() >= options_.max_candidates) return -1;
    const TableInfo* t = scratch_.FindTable(d.table);
    if (t == nullptr) return -1;
    for (const IndexDef& existing : t->indexes) {
      if (IsPrefixOf(d, existing)) return -1;  // never recommend what exists
    }
    if (!seen->insert(d.Key()).second) return -1;
    double key_bytes = 0;
    for (const KeyPart& p : d.parts) key_bytes += p.expression ? 8 : scratch_.AvgBytes(t->name, p.column);
    double rows = static_cast<double>(t->real_rows);
    if (!d.where.empty()) {
      // A partial index holds only the matching rows: measure the share on the sample.
      auto share = Query(scratch_.db(), absl::StrCat("SELECT avg(CASE WHEN ", d.where,
                                                     " THEN 1 ELSE 0 END) FROM ",
                                                     QuoteIdentifier(t->name)));
      if (share.ok() && !share->empty()) rows *= (*share)[0][0].AsDouble();
    }
    bytes_.push_back(EstimateIndexBytes(rows, key_bytes));
    ids_[d.Key()] = static_cast<int>(candidates_.size());
    candidates_.push_back(std::move(d));
    return static_cast<int>(candidates_.size()) - 1;
  }

  // Builds exactly `config` among the candidates on `tables`.
  bool Ensure(const std::set<std::string>& tables, const std::vector<int>& config) {
    for (auto it = built_.begin(); it != built_.end();) {
      if (tables.count(Lower(candidates_[*it].table)) &&
          std::find(config.begin(), config.end(), *it) == config.end()) {
        scratch_.DropIndex(candidates_[*it]).IgnoreError();
        it = built_.erase(it);
      } else {
        ++it;
      }
    }
    for (int c : config) {
      if (built_.count(c)) continue;
      if (broken_.count(c) || !scratch_.AddIndex(candidates_[c]).ok()) {
        broken_.insert(c);
        scratch_.DropIndex(candidates_[c]).IgnoreError();
        return false;
      }
      built_.insert(c);
    }
    return true;
  }

  double Cost(int s, const std::vector<int>& config) {
    auto key = std::make_pair(s, config);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    Item& item = items_[s];
    // The search is bounded in CPU time (a busy machine must not starve it of results).
    const double elapsed = static_cast<double>(std::clock() - cpu_start_) / CLOCKS_PER_SEC;
    if (!config.empty() && elapsed > options_.time_limit_s) return Cost(s, {});
    double cost;
    auto t0 = Clock::now();
    bool built = Ensure(item.tables, config);
    auto t1 = Clock::now();
    if (built && !config.empty() && item.written.empty()) {
      // A query's plan that uses only some of the indexes costs what those alone cost: the
      // planner's best plan over more indexes that ignores the others is its best plan without
      // them too. EXPLAIN is far cheaper than running the statement.
      auto plan = scratch_.Plan(item.sql);
      if (plan.ok()) {
        std::vector<int> used;
        const std::string text = *plan + ";";
        for (int k : config) {
          const std::string name = candidates_[k].StableName();
          if (absl::StrContains(text, absl::StrCat("INDEX ", name, " ")) ||
              absl::StrContains(text, absl::StrCat("INDEX ", name, ";"))) {
            used.push_back(k);
          }
        }
        if (used.size() < config.size()) {
          cost = Cost(s, used);
          cache_[key] = cost;
          return cost;
        }
      }
    }
    if (!built) {
      cost = 1e18;  // an index that cannot be built is never chosen
    } else {
      // A configuration worse than twice the baseline is simply "worse": stop measuring there.
      const int64_t cap = config.empty() ? 0 : static_cast<int64_t>(2 * Cost(s, {})) + 10000;
      Measurement m = scratch_.Run(item.sql, item.params, cap);
      if (!m.error.empty() && config.empty()) item.error = m.error;
      cost = static_cast<double>(m.steps);
    }
    auto t2 = Clock::now();
    if (getenv("DOCTOR_INDEXES_TRACE")) {
      fprintf(stderr, "cost s=%d n=%zu build=%.1fms run=%.1fms steps=%.0f\n", s, config.size(),
              std::chrono::duration<double, std::milli>(t1 - t0).count(),
              std::chrono::duration<double, std::milli>(t2 - t1).count(), cost);
    }
    cache_[key] = cost;
    return cost;
  }

  Connection& user_;
  Scratch& scratch_;
  Probe& probe_;
  AdviseOptions options_;
  Clock::time_point start_;
  std::clock_t cpu_start_ = std::clock();
  std::vector<Item> items_;
  std::vector<IndexDef> candidates_;
  std::vector<double> bytes_;
  std::map<std::string, int> ids_;
  std::set<int> effects_;  // candidates from FK actions and trigger bodies
  std::vector<std::vector<int>> bundles_;
  std::set<int> built_, broken_;
  std::map<std::pair<int, std::vector<int>>, double> cache_;
};

}  // namespace

absl::StatusOr<AdviseOptions> ParseAdviseOptions(const std::string& text) {
  AdviseOptions o;
  if (text.empty()) return o;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(
        "options must be a JSON object, e.g. '{\"max_indexes\": 3, \"budget_bytes\": 1000000, "
        "\"allow_partial\": true, \"allow_covering\": false}'");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const nlohmann::json& v = it.value();
    auto bad = [&](const char* accepts) {
      return absl::InvalidArgumentError(absl::StrCat("options: '", k, "' must be ", accepts,
                                                     ", got ", v.dump()));
    };
    if (k == "max_indexes") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1000) {
        return bad("an integer from 0 to 1000");
      }
      o.max_indexes = v.get<int>();
    } else if (k == "budget_bytes") {
      if (!v.is_number() || v.get<double>() < 0) return bad("a number of bytes >= 0 (0: none)");
      o.budget_bytes = v.get<double>();
    } else if (k == "allow_partial" || k == "allow_covering" || k == "foreign_keys") {
      if (!v.is_boolean()) return bad("true or false");
      (k == "allow_partial" ? o.allow_partial
                            : k == "allow_covering" ? o.allow_covering : o.foreign_keys) =
          v.get<bool>();
    } else if (k == "statistics") {
      if (!v.is_string() || (v.get<std::string>() != "auto" && v.get<std::string>() != "sample")) {
        return bad("\"auto\" (your sqlite_stat1, or none as your database has) or \"sample\" "
                   "(ANALYZE a sample when sqlite_stat1 is missing)");
      }
      o.analyze_sample = v.get<std::string>() == "sample";
    } else if (k == "sample_rows") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1000 || v.get<int64_t>() > 100000000) {
        return bad("an integer from 1000 to 100000000");
      }
      o.sample_rows = v.get<int64_t>();
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "options: unknown key '", k,
          "'; accepted: max_indexes, budget_bytes, allow_partial, allow_covering, sample_rows, "
          "foreign_keys, statistics"));
    }
  }
  return o;
}

absl::StatusOr<AdviceResult> Advise(Connection& connection,
                                    const std::vector<InputStatement>& workload,
                                    const AdviseOptions& options) {
  ScratchOptions so;
  so.sample_rows = options.sample_rows;
  so.foreign_keys = options.foreign_keys;
  so.analyze_sample = options.analyze_sample;
  const bool trace = getenv("DOCTOR_INDEXES_TRACE") != nullptr;
  auto t0 = Clock::now();
  auto ms = [&] { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); };
  ASSIGN_OR_RETURN(std::unique_ptr<Scratch> scratch, Scratch::Build(connection, so));
  if (trace) fprintf(stderr, "scratch built %.1fms\n", ms());
  ASSIGN_OR_RETURN(std::unique_ptr<Probe> probe, Probe::Build(*scratch));
  Engine engine(connection, *scratch, *probe, options);
  RETURN_IF_ERROR(engine.Load(workload));
  if (trace) fprintf(stderr, "loaded %.1fms\n", ms());
  RETURN_IF_ERROR(engine.Generate());
  if (trace) fprintf(stderr, "candidates %.1fms\n", ms());
  auto result = engine.Run();
  if (trace) fprintf(stderr, "done %.1fms\n", ms());
  return result;
}

absl::StatusOr<std::vector<WhatIfResult>> WhatIf(Connection& connection, const std::string& sql,
                                                 const std::vector<std::string>& index_ddl) {
  ScratchOptions so;
  ASSIGN_OR_RETURN(std::unique_ptr<Scratch> scratch, Scratch::Build(connection, so));
  ASSIGN_OR_RETURN(std::vector<std::string> statements, Split(scratch->db(), sql, true));
  if (statements.empty()) {
    return absl::InvalidArgumentError("sql: no query or write statement to analyse");
  }
  // Rows the statements look up by constant are seeded into the sample first.
  ASSIGN_OR_RETURN(std::unique_ptr<Probe> probe, Probe::Build(*scratch));
  for (const std::string& s : statements) {
    std::vector<ProbeScan> scans;
    if (!probe->Capture(s, &scans).ok()) continue;
    for (const ProbeScan& ps : scans) {
      const TableInfo& t = scratch->tables()[ps.table];
      for (const ProbeConstraint& pc : ps.constraints) {
        if (pc.has_value && pc.eq) scratch->Seed(connection, t.name, t.columns[pc.column].name, pc.value);
      }
    }
  }
  std::vector<Item> items;
  std::vector<WhatIfResult> results;
  for (const std::string& s : statements) {
    Item item;
    item.sql = s;
    RETURN_IF_ERROR(scratch->Touched(s, &item.tables, &item.written));
    item.params = GuessParameters(*scratch, item);
    WhatIfResult r;
    r.statement.sql = s;
    ASSIGN_OR_RETURN(r.statement.plan_before, scratch->Plan(s));
    Measurement m = scratch->Run(s, item.params);
    r.statement.cost_before = m.steps;
    r.statement.error = m.error;
    items.push_back(std::move(item));
    results.push_back(std::move(r));
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < index_ddl.size(); ++i) {
    auto created = scratch->ApplyIndexDdl(index_ddl[i]);
    if (!created.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("index_ddl ", i + 1, ": ", created.status().message()));
    }
    names.insert(names.end(), created->begin(), created->end());
  }
  for (size_t i = 0; i < items.size(); ++i) {
    ASSIGN_OR_RETURN(results[i].statement.plan_after, scratch->Plan(items[i].sql));
    Measurement m = scratch->Run(items[i].sql, items[i].params);
    results[i].statement.cost_after = m.steps;
    for (const std::string& n : names) {
      if (absl::StrContains(results[i].statement.plan_after, absl::StrCat("INDEX ", n))) {
        results[i].used.push_back(n);
      }
    }
  }
  return results;
}

}  // namespace doctor::indexes
