#include "ext/indexes/workload.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/text.h"
#include "ext/indexes/outside_main.h"
#include "ext/indexes/sql_joins.h"
#include "ext/indexes/sql_text.h"

namespace doctor::indexes {
namespace {

// How the values of a statement's parameters are guessed.
enum class Guess { kFrequent, kSpread };

// One parameter: the bind index it has, its text, and the column it is compared with.
struct Param {
  int index = 0;
  std::string name, column, op;
  std::string expression;  // "json_extract(body, '$.status')" when compared with one
  std::string qualifier;   // "u" of `u.id > ?`, or ""
  // Where it is the whole pattern of a LIKE or GLOB: its bytes in the statement, and whether GLOB.
  struct PatternUse {
    size_t begin, end;
    bool glob;
  };
  std::vector<PatternUse> patterns;
};

std::vector<Param> ParametersOf(sqlite3* db, const std::string& sql) {
  std::vector<Param> out;
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  if (stmt == nullptr) return out;
  const int count = sqlite3_bind_parameter_count(stmt);
  out.resize(count);
  int next = 0;  // an anonymous ? takes the index after the largest so far
  for (const ParameterUse& use : ParameterUses(sql)) {
    int index = use.name == "?" ? next + 1 : sqlite3_bind_parameter_index(stmt, use.name.c_str());
    if (index < 1 || index > count) continue;
    next = std::max(next, index);
    Param& p = out[index - 1];
    p.index = index;
    if (p.name.empty()) p.name = use.name;
    if (use.op == "like" || use.op == "glob") {
      p.patterns.push_back({use.begin, use.end, use.op == "glob"});
    }
    if (p.column.empty()) {
      p.column = use.column;
      p.op = use.op;
      p.expression = use.expression;
      p.qualifier = use.qualifier;
    }
  }
  sqlite3_finalize(stmt);
  return out;
}

// The wildcards of a LIKE (with the usual ESCAPE character) or a GLOB pattern.
const char* Wildcards(bool glob) { return glob ? "*?[" : "%_\\"; }

// A pattern a prefix search binds: `value`'s text up to its first wildcard, then '%' (LIKE) or
// '*' (GLOB); NULL when that prefix is empty (a pattern starting with a wildcard uses no index,
// and applications search by what users type first). The text also ends at a NUL byte (SQLite's
// LIKE reads its pattern as a C string, and a NUL written into the probe's literal ended its SQL:
// no scan, no advice, and no word why) and is cut to `max_bytes` in all (the copy's
// SQLITE_LIMIT_LIKE_PATTERN_LENGTH: a 60,000-byte middle row made every run fail with "LIKE or
// GLOB pattern too complex", and the statement got no advice, again without a word).
Value PrefixPattern(const Value& value, bool glob, size_t max_bytes) {
  if (value.is_null() || std::holds_alternative<Blob>(value.storage())) return Value::Null();
  std::string ends = Wildcards(glob);
  ends.push_back('\0');
  std::string text = value.AsText();
  text = text.substr(0, text.find_first_of(ends));
  text = std::string(Utf8Prefix(text, max_bytes > 1 ? max_bytes - 1 : 0));
  if (text.empty()) return Value::Null();
  return Value(text + (glob ? "*" : "%"));
}

// A value of an expression of `table`'s rows in the sample: its most frequent one, or its rarest
// when it has at most 16 distinct values (a status in a JSON document; ties: the largest, as
// Scratch::Frequent), else the middle row's.
// The expression is the workload's own text (ExpressionPredicates), run on the copy only.
Value GuessExpressionValue(Scratch& scratch, const std::string& table, const std::string& expr,
                           Guess guess, std::string* how) {
  const std::string from =
      absl::StrCat(" FROM ", QuoteIdentifier(table), " WHERE (", expr, ") IS NOT NULL");
  auto distinct =
      scratch.SampleQuery(absl::StrCat("SELECT count(DISTINCT ", expr, "), count(*)", from));
  if (!distinct.ok() || distinct->empty() || (*distinct)[0][1].AsInt() == 0) return Value::Null();
  const int64_t values = (*distinct)[0][0].AsInt();
  const bool rarest = guess == Guess::kSpread && values <= 16;
  if (guess == Guess::kFrequent || rarest) {
    *how = rarest ? "rarest" : "most frequent";
    auto rows = scratch.SampleQuery(absl::StrCat("SELECT ", expr, from, " GROUP BY 1 ORDER BY ",
                                                 "count(*) ", rarest ? "ASC" : "DESC",
                                                 rarest ? ", 1 DESC" : ", 1", " LIMIT 1"));
    if (rows.ok() && !rows->empty()) return (*rows)[0][0];
  }
  *how = "middle row";
  auto rows = scratch.SampleQuery(absl::StrCat("SELECT ", expr, from, " LIMIT 1 OFFSET ?"),
                                  {Value((*distinct)[0][1].AsInt() / 2)});
  return rows.ok() && !rows->empty() ? (*rows)[0][0] : Value::Null();
}

// The lower-case name of the statement's table that `qualifier` names: the table itself, or a
// table it is an alias of (`FROM users u`, Drizzle's `"posts" "users_posts"`); "" when neither.
std::string QualifiedTable(const WorkloadItem& item, const std::string& qualifier) {
  if (qualifier.empty()) return "";
  const std::string lower = absl::AsciiStrToLower(qualifier);
  if (item.tables.count(lower) > 0) return lower;
  for (const StatementJoins& st : JoinEqualities(item.sql)) {
    for (const auto& [word, alias] : st.aliases) {
      const std::string table = absl::AsciiStrToLower(word);
      if (absl::AsciiStrToLower(alias) == lower && item.tables.count(table) > 0) return table;
    }
  }
  return "";
}

// A value for one parameter compared with `column` of one of `tables`; `table` is set to the
// lower-case name of the table whose column it is.
Value GuessValue(Scratch& scratch, const WorkloadItem& item, const Param& p, Guess guess,
                 std::string* how, std::string* table) {
  const std::string& column = p.column;
  // The table the column's qualifier names first (`u.id > ?` is about users.id, not posts.id:
  // posts' quantiles emptied users and hid the correlated subquery's index); then the written
  // table: its FK children (also among the tables) may share column names (a DELETE FROM users
  // WHERE id = ? is about users.id, not projects.id).
  std::vector<std::string> tables;
  const std::string qualified = QualifiedTable(item, p.qualifier);
  if (!qualified.empty()) tables.push_back(qualified);
  if (!item.written.empty() && item.written != qualified) tables.push_back(item.written);
  for (const std::string& t : item.tables) {
    if (t != item.written && t != qualified) tables.push_back(t);
  }
  for (const std::string& t : tables) {
    const TableInfo* info = scratch.FindTable(t);
    if (info == nullptr || column.empty() || info->Column(column) < 0) continue;
    *table = t;
    if (!p.expression.empty()) {
      Value v = GuessExpressionValue(scratch, info->name, p.expression, guess, how);
      if (!v.is_null()) return v;
    }
    // A prefix search (`email LIKE ?`): the middle row's value as a prefix, whatever the guess
    // (a unique column's every value is as frequent as the next; one measurement suffices).
    if (p.op == "like" || p.op == "glob") {
      *how = "prefix of the middle row";
      const int limit = sqlite3_limit(scratch.db(), SQLITE_LIMIT_LIKE_PATTERN_LENGTH, -1);
      Value v = PrefixPattern(scratch.Typical(info->name, column), p.op == "glob",
                              static_cast<size_t>(std::max(limit, 0)));
      if (!v.is_null()) return v;
      *how = "default";
      return Value(p.op == "glob" ? "a*" : "a%");
    }
    // A range: selective, as applications ask for the recent or the extreme (a hundredth,
    // also between the median and the 51st percentile).
    static const std::map<std::string, double> kQuantiles = {
        {">", 0.99}, {"<", 0.01}, {"[", 0.5}, {"]", 0.51}};
    // A query's one-sided range is as often "up to now" (most rows) as "the last hour": with the
    // frequent guesses it is the median, so a range that only the extreme makes selective does
    // not pass for selective (a write's stays small: a batch).
    auto q = kQuantiles.find(p.op);
    if (q != kQuantiles.end()) {
      const bool wide = guess == Guess::kFrequent && item.written.empty() &&
                        (p.op == "<" || p.op == ">");
      const double at = wide ? 0.5 : q->second;
      *how = absl::StrCat("quantile ", at);
      Value v = scratch.Quantile(info->name, column, at);
      if (!v.is_null()) return v;
    }
    // On a unique column every value is as frequent as the next: the middle row's it is.
    const TableInfo& ti = *info;
    if (guess == Guess::kFrequent &&
        scratch.Distinct(ti.name, column) < 0.9 * static_cast<double>(ti.sample_rows)) {
      *how = "most frequent";
      Value v = scratch.Frequent(info->name, column, false);
      if (!v.is_null()) return v;
    } else if (scratch.Distinct(info->name, column) <= 16) {
      *how = "rarest";  // a status-like column: what applications poll for is rare
      Value v = scratch.Frequent(info->name, column, true);
      if (!v.is_null()) return v;
    }
    *how = "middle row";
    return scratch.Typical(info->name, column);
  }
  *how = "default";
  return Value(1);
}

// The value as `assumed` shows it: a literal, a long text cut at a UTF-8 boundary with its
// length (WordPress's `post_content LIKE ?` assumed the most frequent post body: 1.5 KB of text
// in every row of the advice that measured it).
// Other values as core's SqlLiteral writes them (a real with all its digits, not StrCat's 6).
std::string AsLiteral(const Value& v) {
  constexpr size_t kShown = 60;
  if (std::holds_alternative<std::string>(v.storage())) {
    const std::string text = v.AsText();
    if (text.size() <= kShown + 20) return SqlLiteral(v);
    const std::string shown(Utf8Prefix(absl::string_view(text).substr(0, text.find('\0')), kShown));
    return absl::StrCat(QuoteLiteral(absl::StrCat(shown, "...")), " (", text.size(), " bytes)");
  }
  return SqlLiteral(v);
}

// The statement as the constraint probe prepares it: each parameter that is a whole LIKE / GLOB
// pattern written as the text bound to it (when that does not start with a wildcard), or ""
// when there is none. The planner derives an index range from a pattern only when it knows it
// (a literal, or a value bound before a re-prepare), and the probe binds nothing: `email LIKE ?`
// gave it no range, so no candidate, while `email LIKE 'bob%'` got (email COLLATE NOCASE).
// The text is only ever prepared on the probe's mirror, never run; the statement measured keeps
// its parameters, bound.
std::string ProbeText(const std::string& sql, const std::vector<Param>& params,
                      const std::vector<Value>& values) {
  std::vector<std::pair<Param::PatternUse, std::string>> edits;
  for (size_t i = 0; i < params.size() && i < values.size(); ++i) {
    if (!std::holds_alternative<std::string>(values[i].storage())) continue;
    const std::string& text = values[i].AsText();
    for (const Param::PatternUse& use : params[i].patterns) {
      // Never a NUL: it would end the probe's SQL text inside the literal (PrefixPattern cuts
      // its guesses there; a hint or a default might not).
      if (text.empty() || std::string(Wildcards(use.glob)).find(text[0]) != std::string::npos ||
          text.find('\0') != std::string::npos) {
        continue;
      }
      edits.push_back({use, QuoteLiteral(text)});
    }
  }
  if (edits.empty()) return "";
  std::sort(edits.begin(), edits.end(),
            [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });
  std::string out;
  size_t at = 0;
  for (const auto& [use, literal] : edits) {
    if (use.begin < at || use.end > sql.size()) return "";
    absl::StrAppend(&out, sql.substr(at, use.begin - at), literal);
    at = use.end;
  }
  return out + sql.substr(at);
}

// Values for the statement's parameters: the hint for the column when there is one, 10 for
// LIMIT/OFFSET, else a value of the compared column picked by `guess`; and the text saying so.
// The values equal to an expression or a column go to `values`' expression_values and
// column_values (`values` may be `item` itself: only its tables are read from `item`).
std::vector<Value> GuessParameters(Scratch& scratch, const WorkloadItem& item,
                                   const std::vector<Param>& params, const ParameterHints& hints,
                                   Guess guess, std::string* assumed, WorkloadItem* values) {
  values->expression_values.clear();
  values->column_values.clear();
  std::vector<Value> out;
  std::vector<std::string> parts;
  for (const Param& p : params) {
    std::string how, table;
    Value v = Value(1);
    auto hint = hints.find(absl::AsciiStrToLower(p.column));
    if (p.column == "#limit") {
      v = Value(10);
      how = "limit";
    } else if (hint != hints.end()) {
      v = hint->second;
      how = "partial index WHERE";
    } else {
      v = GuessValue(scratch, item, p, guess, &how, &table);
    }
    out.push_back(v);
    if (!p.expression.empty() && p.op == "=") {
      values->expression_values[p.expression] = v;
    } else if (p.op == "=" && !table.empty()) {
      values->column_values[absl::StrCat(table, ".", absl::AsciiStrToLower(p.column))] = v;
    }
    const bool named = p.name.size() > 1;
    const std::string label = named || p.column.empty() || p.column == "#limit"
                                  ? (p.name.empty() ? "?" : p.name)
                                  : p.expression.empty() ? p.column : p.expression;
    parts.push_back(absl::StrCat(label, " = ", AsLiteral(v), " (", how, ")"));
  }
  *assumed = absl::StrJoin(parts, ", ");
  values->probe_sql = ProbeText(item.sql, params, out);
  return out;
}

}  // namespace

std::string WorkloadItem::PlanKey() const {
  std::string key = sql;
  for (const Value& v : params) absl::StrAppend(&key, "\x1f", v.AsText());
  return key;
}

namespace {

// The tail of a statement the copy does not prepare, as the user's connection splits it
// (nullptr when it does not prepare there either).
const char* UserTail(Connection& user, const char* p) {
  Connection::InternalScope internal(user);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(user.db(), p, -1, &stmt, &tail);
  const bool prepared = rc == SQLITE_OK && stmt != nullptr;
  sqlite3_finalize(stmt);
  return prepared ? tail : nullptr;
}

// "statement 2 (SELECT * FROM aux.a WHERE x = 1)", "captured statement (SELECT ...)".
std::string StatementLabel(int n, bool strict, const std::string& sql) {
  std::string text(Utf8Prefix(sql, 80));
  if (text.size() < sql.size()) absl::StrAppend(&text, "...");
  return strict ? absl::StrCat("statement ", n, " (", text, ")")
                : absl::StrCat("captured statement (", text, ")");
}

absl::StatusOr<std::vector<std::string>> SplitStatements(Scratch& scratch,
                                                         const std::string& text, bool strict,
                                                         bool check_all,
                                                         std::vector<std::string>* skipped) {
  sqlite3* db = scratch.db();
  Connection& user = scratch.caller();
  std::vector<std::string> out;
  const char* p = text.c_str();
  int n = 0;
  // A statement that uses something outside main: skipped and named, or the error.
  auto outside = [&](const std::string& sql, const std::string& reason) -> absl::Status {
    if (skipped == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("statement ", n, ": ", reason));
    }
    skipped->push_back(
        absl::StrCat(StatementLabel(n, strict, sql), " not advised: ", reason));
    return absl::OkStatus();
  };
  while (*p != '\0') {
    RETURN_IF_ERROR(scratch.CheckInterrupted());
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, p, -1, &stmt, &tail);
    ++n;
    if (rc != SQLITE_OK) {
      std::string message = sqlite3_errmsg(db);
      // It prepares on the user's connection: what the copy lacks may be a table of another
      // schema, which costs this statement its advice, not the workload. Only a statement that
      // may be advised: a PRAGMA acts when prepared (`PRAGMA aux.cache_size = 7`).
      if (const char* user_tail = IsAdvisable(KindOfStatement(p)) ? UserTail(user, p) : nullptr;
          user_tail != nullptr) {
        std::string one(absl::StripAsciiWhitespace(std::string(p, user_tail - p)));
        while (!one.empty() && one.back() == ';') one.pop_back();
        const std::string reason = OutsideMainReason(user, one, message);
        if (!reason.empty()) {
          RETURN_IF_ERROR(outside(one, reason));
          p = user_tail;
          continue;
        }
      }
      if (!strict) {  // a captured statement the copy cannot run is skipped
        if (skipped != nullptr) {
          skipped->push_back(absl::StrCat(
              StatementLabel(n, strict, std::string(absl::StripAsciiWhitespace(p))),
              " not advised: it does not prepare on the copy of main: ", message));
        }
        return out;
      }
      return absl::InvalidArgumentError(absl::StrCat("statement ", n, ": ", message));
    }
    std::string one(p, tail - p);
    p = tail;
    if (stmt == nullptr) continue;
    sqlite3_finalize(stmt);
    std::string trimmed(absl::StripAsciiWhitespace(one));
    while (!trimmed.empty() && trimmed.back() == ';') trimmed.pop_back();
    if (!IsAdvisable(KindOfStatement(trimmed))) continue;
    // It prepares on the copy, yet a temp table of the same name may be what it uses.
    if (check_all) {
      const std::string reason = OutsideMainReason(user, trimmed);
      if (!reason.empty()) {
        RETURN_IF_ERROR(outside(trimmed, reason));
        continue;
      }
    }
    out.push_back(trimmed);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SplitAdvisable(Scratch& scratch, const std::string& text,
                                                        bool strict,
                                                        std::vector<std::string>* skipped) {
  return SplitStatements(scratch, text, strict, HasObjectsOutsideMain(scratch.caller()),
                         skipped);
}

absl::StatusOr<WorkloadItem> LoadStatement(Scratch& scratch, const std::string& sql,
                                           double weight, const ParameterHints& hints) {
  WorkloadItem item;
  item.sql = sql;
  item.kind = KindOfStatement(sql);
  item.weight = std::max(0.0, weight);
  RETURN_IF_ERROR(scratch.Touched(item.sql, &item.tables, &item.written));
  const std::vector<Param> params = ParametersOf(scratch.db(), sql);
  item.params =
      GuessParameters(scratch, item, params, hints, Guess::kSpread, &item.assumed, &item);
  return item;
}

absl::StatusOr<std::vector<WorkloadItem>> LoadStatementVariants(Scratch& scratch,
                                                                const std::string& sql,
                                                                double weight) {
  ASSIGN_OR_RETURN(WorkloadItem spread, LoadStatement(scratch, sql, weight));
  if (spread.params.empty()) return std::vector<WorkloadItem>{std::move(spread)};
  WorkloadItem frequent = spread;
  frequent.params = GuessParameters(scratch, frequent, ParametersOf(scratch.db(), sql), {},
                                    Guess::kFrequent, &frequent.assumed, &frequent);
  bool same = true;
  for (size_t i = 0; i < spread.params.size(); ++i) {
    same = same && spread.params[i].AsText() == frequent.params[i].AsText() &&
           spread.params[i].is_null() == frequent.params[i].is_null();
  }
  if (same) return std::vector<WorkloadItem>{std::move(spread)};
  spread.weight /= 2;
  frequent.weight /= 2;
  return std::vector<WorkloadItem>{std::move(frequent), std::move(spread)};
}

absl::StatusOr<std::vector<WorkloadItem>> LoadWorkload(
    Scratch& scratch, const std::vector<InputStatement>& workload,
    std::vector<std::string>* skipped) {
  std::vector<WorkloadItem> items;
  int source = 0;
  const bool check_all = HasObjectsOutsideMain(scratch.caller());
  for (const InputStatement& in : workload) {
    ASSIGN_OR_RETURN(std::vector<std::string> parts,
                     SplitStatements(scratch, in.sql, in.strict, check_all, skipped));
    for (const std::string& sql : parts) {
      absl::StatusOr<std::vector<WorkloadItem>> loaded =
          LoadStatementVariants(scratch, sql, in.weight);
      if (!loaded.ok()) {
        if (in.strict) return loaded.status();
        if (skipped != nullptr) {
          skipped->push_back(absl::StrCat(StatementLabel(0, false, sql), " not advised: ",
                                          loaded.status().message()));
        }
        continue;
      }
      for (WorkloadItem& item : *loaded) {
        item.source = source;
        if (!in.captured.empty() && item.assumed.empty()) item.assumed = in.captured;
        items.push_back(std::move(item));
      }
      ++source;
    }
  }
  return items;
}

}  // namespace doctor::indexes
