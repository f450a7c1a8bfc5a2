#include "ext/migrations/dry_run_facts.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {

absl::StatusOr<Counts> CountRows(sqlite3* c, const std::vector<SchemaObject>& schema) {
  Counts out;
  for (const SchemaObject& o : schema) {
    if (o.type != "table" || (!o.facts.empty() && o.facts[0].rfind("sql ", 0) == 0)) continue;
    ASSIGN_OR_RETURN(Rows r, Query(c, absl::StrCat("SELECT count(*) FROM main.", QuoteIdentifier(o.name))));
    out[o.name] = r[0][0].AsInt();
  }
  return out;
}

absl::StatusOr<std::vector<SchemaObject>> Snapshot(sqlite3* c, FactCache* cache) {
  return ReadSchema(c, "main", cache);
}

absl::StatusOr<std::map<std::string, int64_t>> Violations(sqlite3* c) {
  ASSIGN_OR_RETURN(Rows rows, Query(c, "SELECT \"table\" || ' -> ' || parent, count(*) "
                                       "FROM pragma_foreign_key_check GROUP BY 1"));
  std::map<std::string, int64_t> out;
  for (const Row& r : rows) out[r[0].AsText()] = r[1].AsInt();
  return out;
}

bool MentionsName(const std::string& sql, const std::string& name) {
  for (const Token& t : Tokenize(sql)) {
    if ((t.kind == Token::kWord || t.kind == Token::kIdent) && NormalToken(t) == name) return true;
  }
  return false;
}

std::string DmlTarget(const std::string& sql) {
  std::vector<std::string> w = LeadingWords(sql, 6);
  size_t i = 0;
  if (i < w.size() && w[i] == "with") return "";
  if (i < w.size() && (w[i] == "delete")) i += 2;  // delete from
  else if (i < w.size() && w[i] == "update") i += 1;
  else if (i < w.size() && (w[i] == "insert" || w[i] == "replace")) {
    while (i < w.size() && w[i] != "into") ++i;
    ++i;
  } else return "";
  if (i < w.size() && (w[i] == "or")) i += 2;  // update or replace
  return i < w.size() ? w[i] : "";
}

const std::set<std::string>& NoEffectPragmas() {
  static const auto* kSet = new std::set<std::string>{
      "journal_mode", "page_size", "auto_vacuum", "encoding", "locking_mode", "mmap_size"};
  return *kSet;
}

std::string FkColumns(const std::string& fact) {
  size_t open = fact.find('('), close = fact.find(')');
  return fact.substr(open + 1, close - open - 1);
}

bool HasIndexOn(const std::vector<SchemaObject>& schema, const std::string& table,
                const std::string& cols) {
  std::vector<std::string> want = absl::StrSplit(cols, ',');
  for (const SchemaObject& o : schema) {
    std::vector<std::string> lead;
    if (o.type == "index" && o.table == table && !o.facts.empty()) {
      // "unique index (a collate binary, b desc collate nocase)"
      const std::string& f = o.facts[0];
      std::string inner = f.substr(f.find('(') + 1);
      for (absl::string_view part : absl::StrSplit(inner, ", ")) {
        lead.push_back(std::string(part.substr(0, part.find(' '))));
      }
    } else if (o.type == "table" && o.name == table) {
      for (const std::string& f : o.facts) {
        if (f.rfind("primary key (", 0) == 0 || f.rfind("unique (", 0) == 0) {
          std::vector<std::string> cs = absl::StrSplit(FkColumns(f), ',');
          if (cs.size() >= want.size() &&
              std::equal(want.begin(), want.end(), cs.begin())) return true;
        }
        // An INTEGER PRIMARY KEY column is the rowid: always indexed.
        if (want.size() == 1 && f.rfind("column " + want[0] + ": INTEGER", 0) == 0 &&
            absl::StrContains(f, " pk=1 ")) return true;
      }
      continue;
    } else {
      continue;
    }
    if (lead.size() >= want.size() && std::equal(want.begin(), want.end(), lead.begin())) return true;
  }
  return false;
}

}  // namespace doctor::migrations
