#include "ext/migrations/dry_run_facts.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {

absl::StatusOr<std::set<std::string>> ModuleTables(sqlite3* c) {
  ASSIGN_OR_RETURN(Rows rows, Query(c, "SELECT lower(name) FROM pragma_table_list "
                                       "WHERE schema = 'main' AND type IN ('virtual', 'shadow')"));
  std::set<std::string> out;
  for (const Row& r : rows) out.insert(r[0].AsText());
  return out;
}

absl::StatusOr<Counts> CountRows(sqlite3* c, const std::vector<SchemaObject>& schema) {
  ASSIGN_OR_RETURN(std::set<std::string> module_tables, ModuleTables(c));
  Counts out;
  for (const SchemaObject& o : schema) {
    if (o.type != "table" || (!o.facts.empty() && o.facts[0].rfind("sql ", 0) == 0)) continue;
    if (module_tables.count(absl::AsciiStrToLower(o.name)) > 0) continue;
    ASSIGN_OR_RETURN(Rows r, Query(c, absl::StrCat("SELECT count(*) FROM main.", QuoteIdentifier(o.name))));
    out[o.name] = r[0][0].AsInt();
  }
  return out;
}

absl::StatusOr<std::vector<SchemaObject>> Snapshot(sqlite3* c, FactCache* cache) {
  return ReadSchema(c, "main", cache);
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

}  // namespace doctor::migrations
