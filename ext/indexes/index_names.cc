#include "ext/indexes/index_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace doctor::indexes {

IndexNamer::IndexNamer(const std::vector<SchemaTable>& tables,
                       const std::vector<IndexDef>& existing,
                       const std::vector<std::string>& views) {
  for (const std::string& v : views) relations_.insert(absl::AsciiStrToLower(v));
  for (const SchemaTable& t : tables) {
    relations_.insert(absl::AsciiStrToLower(t.name));
    ++table_slugs_[Slug(t.name, 24)];
    auto& columns = column_slugs_[absl::AsciiStrToLower(t.name)];
    for (const std::string& c : t.columns) ++columns[Slug(c, 24)];
  }
  for (const IndexDef& d : existing) existing_[absl::AsciiStrToLower(d.name)] = d.Key();
}

bool IndexNamer::Ambiguous(const IndexDef& d) const {
  auto t = table_slugs_.find(Slug(d.table, 24));
  if (t != table_slugs_.end() && t->second > 1) return true;
  auto cols = column_slugs_.find(absl::AsciiStrToLower(d.table));
  if (cols == column_slugs_.end()) return false;
  for (const KeyPart& p : d.parts) {
    if (p.expression) continue;
    auto c = cols->second.find(Slug(p.column, 24));
    if (c != cols->second.end() && c->second > 1) return true;
  }
  return false;
}

std::string IndexNamer::NameFor(const IndexDef& d) const {
  const std::string readable = d.StableName();
  auto taken = [&](const std::string& name) {
    const std::string lower = absl::AsciiStrToLower(name);
    if (relations_.count(lower) > 0) return true;
    auto e = existing_.find(lower);
    return e != existing_.end() && e->second != d.Key();
  };
  if (!Ambiguous(d) && !taken(readable)) return readable;
  std::string name = absl::StrCat(readable.substr(0, 50), "_", KeyHash(d));
  for (int n = 2; taken(name); ++n) {
    name = absl::StrCat(readable.substr(0, 50), "_", KeyHash(d), "_", n);
  }
  return name;
}

}  // namespace doctor::indexes
