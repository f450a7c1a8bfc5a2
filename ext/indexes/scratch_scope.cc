#include "ext/indexes/scratch_scope.h"

#include <deque>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql_normalize.h"

namespace doctor::indexes {
namespace {

// What reads the schema or the b-trees themselves: on a partial copy it would see less.
bool ReadsTheSchema(const std::string& lower) {
  static const std::set<std::string>* const kNames = new std::set<std::string>{
      "sqlite_schema", "sqlite_master", "sqlite_temp_schema", "sqlite_temp_master",
      "sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4",
      "sqlite_dbpage", "sqlite_stmt", "dbstat"};
  return kNames->count(lower) > 0 || absl::StartsWith(lower, "pragma_");
}

// A CASCADE, SET NULL or SET DEFAULT action changes the child's rows.
bool ChangesChild(const std::string& action) {
  return absl::EqualsIgnoreCase(action, "CASCADE") || absl::EqualsIgnoreCase(action, "SET NULL") ||
         absl::EqualsIgnoreCase(action, "SET DEFAULT");
}

bool IsVirtualTable(const SchemaObject& o) {
  if (o.type != "table") return false;
  int words = 0;
  for (const Token& t : TokenizeSql(o.sql)) {
    if (t.kind == TokenKind::kSpace || t.kind == TokenKind::kComment) continue;
    if (++words == 2) {
      return t.kind == TokenKind::kWord && absl::EqualsIgnoreCase(t.text, "VIRTUAL");
    }
  }
  return false;
}

class Closure {
 public:
  Closure(const std::vector<SchemaObject>& objects, const std::vector<ForeignKey>& keys) {
    for (const SchemaObject& o : objects) {
      const std::string name = absl::AsciiStrToLower(o.name);
      if (o.type == "table" || o.type == "view") relations_[name] = &o;
      if (o.type == "trigger") triggers_on_[absl::AsciiStrToLower(o.table)].push_back(&o);
      if (o.type == "index") table_of_index_[name] = absl::AsciiStrToLower(o.table);
    }
    for (const ForeignKey& k : keys) {
      keys_of_[absl::AsciiStrToLower(k.table)].push_back(&k);
      children_of_[absl::AsciiStrToLower(k.parent)].push_back(&k);
    }
  }

  // Adds what `text` names, as written when `written`.
  void AddNamedIn(const std::string& text, bool written) {
    for (const std::string& n : NamesIn(text)) {
      if (ReadsTheSchema(n) && scope_.why_whole.empty()) {
        scope_.why_whole = absl::StrCat("names ", n);
      }
      Add(n, written);
      // An index named (INDEXED BY, index_whatif's CREATE INDEX of an existing name): its table.
      auto index = table_of_index_.find(n);
      if (index != table_of_index_.end()) Add(index->second, false);
    }
  }

  CopyScope Close() {
    while (!queue_.empty()) {
      const auto [name, written] = queue_.front();
      queue_.pop_front();
      const SchemaObject& o = *relations_.at(name);
      if (o.type == "view" || IsVirtualTable(o)) AddNamedIn(o.sql, false);
      if (!written) continue;  // neither its triggers nor its foreign keys act
      auto triggers = triggers_on_.find(name);
      if (triggers != triggers_on_.end()) {
        for (const SchemaObject* t : triggers->second) AddNamedIn(t->sql, true);
      }
      auto keys = keys_of_.find(name);
      if (keys != keys_of_.end()) {
        for (const ForeignKey* k : keys->second) Add(absl::AsciiStrToLower(k->parent), false);
      }
      auto children = children_of_.find(name);
      if (children != children_of_.end()) {
        for (const ForeignKey* k : children->second) {
          Add(absl::AsciiStrToLower(k->table), ChangesChild(k->on_delete) ||
                                                   ChangesChild(k->on_update));
        }
      }
    }
    scope_.whole = !scope_.why_whole.empty();
    return std::move(scope_);
  }

 private:
  void Add(const std::string& name, bool written) {
    if (relations_.count(name) == 0) return;
    const bool known = scope_.names.count(name) > 0;
    if (known && (!written || written_.count(name) > 0)) return;
    scope_.names.insert(name);
    if (written) written_.insert(name);
    queue_.push_back({name, written});
  }

  std::map<std::string, const SchemaObject*> relations_;  // lower name -> table or view
  std::map<std::string, std::vector<const SchemaObject*>> triggers_on_;  // lower table name
  std::map<std::string, std::string> table_of_index_;  // lower names
  std::map<std::string, std::vector<const ForeignKey*>> keys_of_, children_of_;
  CopyScope scope_;
  std::set<std::string> written_;
  std::deque<std::pair<std::string, bool>> queue_;
};

}  // namespace

std::set<std::string> NamesIn(const std::string& text) {
  std::set<std::string> out;
  for (const Token& t : TokenizeSql(text)) {
    if (t.kind == TokenKind::kWord) {
      out.insert(absl::AsciiStrToLower(t.text));
    } else if (t.kind == TokenKind::kQuotedName || t.kind == TokenKind::kString) {
      out.insert(absl::AsciiStrToLower(UnquoteSql(t.text)));
    }
  }
  return out;
}

CopyScope ScopeOf(const std::vector<SchemaObject>& objects, const std::vector<ForeignKey>& keys,
                  const std::vector<std::string>& texts) {
  Closure closure(objects, keys);
  for (const std::string& text : texts) closure.AddNamedIn(text, true);
  return closure.Close();
}

}  // namespace doctor::indexes
