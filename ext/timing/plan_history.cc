#include "ext/timing/plan_history.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ext/core/query_plan.h"
#include "ext/core/setting.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"

namespace doctor::timing {

int64_t PlanId(absl::string_view plan_text) { return static_cast<int64_t>(Fnv1a64(plan_text)); }

PlanHistory& PlanHistory::Global() {
  static PlanHistory* history = new PlanHistory;  // never destroyed, like the Stats store
  return *history;
}

PlanRecord& PlanHistory::AddPlan(Shape& shape, PlanRecord record) {
  if (shape.plans.size() >= kMaxPlans) {
    // Drop the plan least recently current, never the current one.
    size_t victim = shape.current == 0 ? 1 : 0;
    for (size_t i = 0; i < shape.plans.size(); ++i) {
      if (i != shape.current && shape.plans[i].last_ms < shape.plans[victim].last_ms) victim = i;
    }
    shape.plans.erase(shape.plans.begin() + victim);
    if (victim < shape.current) --shape.current;
  }
  shape.plans.push_back(std::move(record));
  return shape.plans.back();
}

void PlanHistory::EvictShapeLocked() {
  auto oldest = shapes_.begin();
  for (auto it = shapes_.begin(); it != shapes_.end(); ++it) {
    if (it->second.last_ms < oldest->second.last_ms) oldest = it;
  }
  if (oldest != shapes_.end()) shapes_.erase(oldest);
}

bool PlanHistory::Observe(const Key& key, absl::string_view db, absl::string_view query,
                          absl::string_view example, absl::string_view plan_text,
                          absl::string_view sqlite_version, int64_t now_ms, Stats& stats,
                          int64_t max_entries) {
  const int64_t plan_id = PlanId(plan_text);
  absl::MutexLock lock(&mu_);
  ShapeKey shape_key{key.query_id, std::string(db)};
  auto it = shapes_.find(shape_key);
  if (it == shapes_.end()) {
    if (shapes_.size() >= kMaxKeys) EvictShapeLocked();
    it = shapes_.emplace(shape_key, Shape{std::string(db), {}, 0, now_ms}).first;
  }
  Shape& shape = it->second;
  shape.last_ms = now_ms;
  if (!shape.plans.empty() && shape.plans[shape.current].plan_id == plan_id) {
    shape.plans[shape.current].last_ms = now_ms;  // confirmed: still the plan
    return false;
  }
  // Runs since the previous switch belong to the previous plan (or, before the first capture,
  // to this first plan: the shape's first runs ran with it).
  const PlanFigures before = stats.SwitchPlan(key, query, example, plan_id, max_entries);
  if (shape.plans.empty()) {
    PlanRecord& first = AddPlan(shape, PlanRecord{plan_id, std::string(plan_text),
                                                  std::string(sqlite_version), now_ms, now_ms, {}});
    first.figures.Add(before);
    first.figures.plan_id = plan_id;
    shape.current = 0;
    return false;
  }
  PlanRecord& old_plan = shape.plans[shape.current];
  old_plan.figures.Add(before);
  PlanChange change;
  change.query_id = key.query_id;
  change.db = std::string(db);
  change.query = std::string(query);
  change.at_ms = now_ms;
  change.old_plan = old_plan;
  change.analyze_between = last_analyze_ms_ > 0 && last_analyze_ms_ >= old_plan.last_ms;
  old_plan.last_ms = now_ms;  // it was current until now
  size_t index = shape.plans.size();
  for (size_t i = 0; i < shape.plans.size(); ++i) {
    if (shape.plans[i].plan_id == plan_id) index = i;
  }
  if (index == shape.plans.size()) {
    AddPlan(shape, PlanRecord{plan_id, std::string(plan_text), std::string(sqlite_version),
                              now_ms, now_ms, PlanFigures{plan_id}});
    index = shape.plans.size() - 1;
  }
  shape.current = index;
  shape.plans[index].last_ms = now_ms;
  shape.plans[index].sqlite_version = std::string(sqlite_version);
  change.new_plan = shape.plans[index];
  changes_.push_back(std::move(change));
  while (changes_.size() > kMaxChanges) changes_.pop_front();
  return true;
}

bool PlanHistory::ObserveStoredPlan(int64_t query_id, absl::string_view db,
                                    absl::string_view query, const PlanRecord& stored,
                                    const PlanFigures& before) {
  absl::MutexLock lock(&mu_);
  auto it = shapes_.find(ShapeKey{query_id, std::string(db)});
  if (it == shapes_.end() || it->second.plans.empty()) return false;
  const Shape& shape = it->second;
  const PlanRecord& current = shape.plans[shape.current];
  if (stored.last_ms > current.first_ms) return false;  // still current elsewhere, or later
  for (const PlanRecord& p : shape.plans) {
    if (p.plan_id == stored.plan_id) return false;  // this process ran it: its own change
  }
  for (const PlanChange& c : changes_) {
    if (c.query_id == query_id && c.db == db && c.new_plan.plan_id == current.plan_id) {
      return false;
    }
  }
  PlanChange change;
  change.query_id = query_id;
  change.db = std::string(db);
  change.query = std::string(query);
  change.at_ms = current.first_ms;
  change.old_plan = stored;
  change.old_plan.figures = before;
  change.old_plan.figures.plan_id = stored.plan_id;
  change.analyze_between = last_analyze_ms_ > 0 && last_analyze_ms_ >= stored.last_ms;
  change.new_plan = current;
  change.new_plan.figures = PlanFigures{current.plan_id};  // filled by Changes()
  // Oldest first, as Observe appends them.
  auto at = std::find_if(changes_.begin(), changes_.end(),
                         [&](const PlanChange& c) { return c.at_ms > change.at_ms; });
  changes_.insert(at, std::move(change));
  while (changes_.size() > kMaxChanges) changes_.pop_front();
  return true;
}

void PlanHistory::NoteAnalyze(int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  last_analyze_ms_ = now_ms;
}

std::optional<PlanRecord> PlanHistory::Current(int64_t query_id, absl::string_view db) const {
  absl::MutexLock lock(&mu_);
  auto it = shapes_.find(ShapeKey{query_id, std::string(db)});
  if (it == shapes_.end() || it->second.plans.empty()) return std::nullopt;
  return it->second.plans[it->second.current];
}

std::vector<PlanChange> PlanHistory::Changes(const std::vector<EntrySnapshot>& live) const {
  absl::flat_hash_map<std::pair<int64_t, std::string>, const PlanFigures*> live_figures;
  for (const EntrySnapshot& e : live) live_figures[{e.query_id, e.db}] = &e.plan;
  absl::MutexLock lock(&mu_);
  std::vector<PlanChange> out(changes_.begin(), changes_.end());
  for (PlanChange& c : out) {
    PlanFigures figures{c.new_plan.plan_id};
    auto shape = shapes_.find(ShapeKey{c.query_id, c.db});
    if (shape != shapes_.end()) {
      for (const PlanRecord& p : shape->second.plans) {
        if (p.plan_id == c.new_plan.plan_id) figures.Add(p.figures);
      }
    }
    auto now = live_figures.find(std::make_pair(c.query_id, c.db));
    if (now != live_figures.end() && now->second->plan_id == c.new_plan.plan_id) {
      figures.Add(*now->second);
    }
    c.new_plan.figures = figures;
  }
  return out;
}

void PlanHistory::Reset() {
  absl::MutexLock lock(&mu_);
  shapes_.clear();
  changes_.clear();
  last_analyze_ms_ = 0;
  ++generation_;
  Setting::NoteChange();  // timed connections look at generation() when settings move
}

uint64_t PlanHistory::generation() const {
  return generation_.load(std::memory_order_relaxed);
}

bool PlanMovesNoScanCounters(const QueryPlan& plan) {
  for (const PlanStep& step : plan.steps) {
    if (step.verb != "SEARCH" || step.automatic || !absl::EndsWith(step.detail, ")") ||
        !absl::StrContains(step.detail, " (")) {
      return false;
    }
  }
  return !plan.steps.empty();
}

std::vector<std::string> PlanIndexes(absl::string_view plan_text) {
  std::vector<std::string> out;
  for (const PlanStep& step : ParsePlanText(plan_text).steps) {
    if (step.index.empty() || step.automatic) continue;
    if (std::find(out.begin(), out.end(), step.index) == out.end()) out.push_back(step.index);
  }
  return out;
}

std::vector<std::string> DroppedIndexes(absl::string_view old_plan, absl::string_view new_plan) {
  const QueryPlan now = ParsePlanText(new_plan);
  std::vector<std::string> out;
  for (const std::string& index : PlanIndexes(old_plan)) {
    if (!now.UsesIndex(index)) out.push_back(index);
  }
  return out;
}

bool IsRegression(const PlanFigures& o, const PlanFigures& n) {
  if (o.calls <= 0 || n.calls <= 0) return false;
  const double old_steps = static_cast<double>(o.vm_steps) / o.calls;
  const double new_steps = static_cast<double>(n.vm_steps) / n.calls;
  if (new_steps > 2 * old_steps && new_steps - old_steps >= 50) return true;
  // Latency alone is noisy: it counts only when the new plan does not do far less work.
  if (o.calls < 3 || n.calls < 3 || 2 * new_steps < old_steps) return false;
  const double old_ms = o.total_ms / o.calls;
  const double new_ms = n.total_ms / n.calls;
  return new_ms > 2 * old_ms && new_ms - old_ms >= 0.05;
}

std::string FindCreateIndex(absl::string_view migration_sql, absl::string_view index) {
  const std::string wanted = absl::AsciiStrToLower(index);
  for (absl::string_view statement : absl::StrSplit(migration_sql, ';')) {
    statement = absl::StripAsciiWhitespace(statement);
    while (absl::StartsWith(statement, "--")) {  // leading comment lines (drizzle breakpoints)
      const size_t eol = statement.find('\n');
      statement = eol == absl::string_view::npos
                      ? absl::string_view()
                      : absl::StripAsciiWhitespace(statement.substr(eol + 1));
    }
    // Normalized: keywords upper-cased, names unquoted and lower-cased (sql_normalize.h).
    std::string normal = NormalizeSql(statement);
    for (absl::string_view prefix : {"CREATE INDEX ", "CREATE UNIQUE INDEX "}) {
      if (!absl::StartsWith(normal, prefix)) continue;
      absl::string_view rest = absl::string_view(normal).substr(prefix.size());
      absl::ConsumePrefix(&rest, "IF NOT EXISTS ");
      absl::ConsumePrefix(&rest, "main.");
      if (absl::StartsWith(rest, wanted + " ON ")) return absl::StrCat(statement, ";");
    }
  }
  return "";
}

namespace {

// The step of a plan that uses `index`.
std::optional<PlanStep> StepUsing(absl::string_view plan_text, absl::string_view index) {
  QueryPlan one;
  for (PlanStep& step : ParsePlanText(plan_text).steps) {
    one.steps = {step};
    if (one.UsesIndex(index)) return step;
  }
  return std::nullopt;
}

}  // namespace

std::string TableOfIndex(absl::string_view plan_text, absl::string_view index) {
  std::optional<PlanStep> step = StepUsing(plan_text, index);
  return step ? step->table : "";
}

namespace {

// The query's tokens without spaces and comments.
std::vector<Token> WordsOf(absl::string_view query) {
  std::vector<Token> out;
  for (const Token& t : TokenizeSql(query)) {
    if (t.kind != TokenKind::kSpace && t.kind != TokenKind::kComment) out.push_back(t);
  }
  return out;
}

bool Is(const Token& t, absl::string_view keyword) {
  return t.kind == TokenKind::kWord && absl::EqualsIgnoreCase(t.text, keyword);
}

std::string NameOf(const Token& t) {
  return absl::AsciiStrToLower(t.kind == TokenKind::kQuotedName ? UnquoteSql(t.text)
                                                                 : std::string(t.text));
}

// A SELECT reading one table (one FROM, no JOIN, no comma after FROM, no subquery).
bool SingleTableSelect(const std::vector<Token>& w) {
  if (w.empty() || !Is(w[0], "SELECT")) return false;
  int froms = 0;
  bool after_from = false;
  for (const Token& t : w) {
    if (Is(t, "SELECT") && &t != &w[0]) return false;
    if (Is(t, "JOIN") || Is(t, "UNION") || Is(t, "GROUP")) return false;
    if (Is(t, "FROM")) ++froms, after_from = true;
    if (Is(t, "WHERE") || Is(t, "ORDER") || Is(t, "LIMIT")) after_from = false;
    if (after_from && t.text == ",") return false;
  }
  return froms == 1;
}

// The ORDER BY terms as index columns ("run_at", "created_at DESC"); empty when one is not a plain
// column (an expression, COLLATE, NULLS FIRST).
std::vector<std::pair<std::string, bool>> OrderByColumns(const std::vector<Token>& w) {
  std::vector<std::pair<std::string, bool>> out;
  size_t i = 0;
  while (i + 1 < w.size() && !(Is(w[i], "ORDER") && Is(w[i + 1], "BY"))) ++i;
  for (i += 2; i < w.size() && !Is(w[i], "LIMIT") && w[i].text != ";";) {
    if (w[i].kind != TokenKind::kWord && w[i].kind != TokenKind::kQuotedName) return {};
    std::string name = NameOf(w[i++]);
    if (i + 1 < w.size() && w[i].text == ".") name = NameOf(w[i + 1]), i += 2;  // t.column
    bool desc = false;
    if (i < w.size() && (Is(w[i], "ASC") || Is(w[i], "DESC"))) desc = Is(w[i++], "DESC");
    out.emplace_back(name, desc);
    if (i < w.size() && w[i].text == ",") {
      ++i;
    } else if (i < w.size() && !Is(w[i], "LIMIT") && w[i].text != ";") {
      return {};
    }
  }
  return out;
}

}  // namespace

std::string IndexFromPlan(absl::string_view plan_text, absl::string_view index,
                          absl::string_view query, const std::vector<std::string>& table_columns) {
  std::optional<PlanStep> step = StepUsing(plan_text, index);
  if (!step || step->table.empty()) return "";
  // The constraint: the text in the last parentheses, "state=? AND run_at<?".
  const size_t open = step->detail.rfind('(');
  const size_t close = step->detail.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  std::vector<std::string> columns;
  absl::flat_hash_set<std::string> named;  // lower case
  bool all_equal = true;
  for (absl::string_view term :
       absl::StrSplit(absl::string_view(step->detail).substr(open + 1, close - open - 1),
                      " AND ")) {
    const size_t end = term.find_first_of("=<>!");
    absl::string_view column = absl::StripAsciiWhitespace(term.substr(0, end));
    if (column.empty() || end == absl::string_view::npos || column == "rowid") return "";
    for (char ch : column) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '_') return "";  // <expr>
    }
    all_equal = all_equal && term[end] == '=';
    columns.push_back(QuoteIdentifier(column));
    named.insert(absl::AsciiStrToLower(column));
  }
  if (columns.empty()) return "";
  const std::vector<Token> words = WordsOf(query);
  if (SingleTableSelect(words)) {
    const bool sorted = absl::StrContains(plan_text, "TEMP B-TREE FOR");
    if (all_equal && !sorted) {
      for (const auto& [name, desc] : OrderByColumns(words)) {
        if (!named.insert(name).second) continue;
        columns.push_back(absl::StrCat(QuoteIdentifier(name), desc ? " DESC" : ""));
      }
    }
    if (step->covering) {
      absl::flat_hash_set<std::string> of_table;
      for (const std::string& c : table_columns) of_table.insert(absl::AsciiStrToLower(c));
      for (const Token& t : words) {
        if (t.kind != TokenKind::kWord && t.kind != TokenKind::kQuotedName) continue;
        const std::string name = NameOf(t);
        if (!of_table.count(name) || !named.insert(name).second) continue;
        columns.push_back(QuoteIdentifier(name));
      }
    }
  }
  return absl::StrCat("CREATE INDEX ", QuoteIdentifier(index), " ON ",
                      QuoteIdentifier(step->table), "(", absl::StrJoin(columns, ", "), ");");
}

}  // namespace doctor::timing
