// Unbuilt indexes on the scratch copy (scratch.h), for reading plans only. The pruning step
// (search.cc) asks which candidates any statement's plan picks when all are there; building
// them all (a sort of the sample each) was a quarter of the advice time, and most are dropped
// right after. Without statistics SQLite plans from the schema alone (the indexes' columns,
// their declared types and default estimates), never from an index's b-tree: an index entered
// in sqlite_schema over an empty b-tree plans exactly as the built one does.
//
// How: empty index b-trees (indexes of a new empty table, whose schema rows, the table's
// included, are then taken out: EmptyIndexRoots) are the root pages of the unbuilt indexes, one
// per unbuilt index of a table (SQLite refuses two indexes of a table on one root page); their
// rows go into sqlite_schema with writable_schema on, in the order the builds would have added
// them, and leave it the same way. Only an index whose CREATE INDEX cannot fail on the data is entered
// unbuilt: plain columns of a table (not generated, built-in collations), not UNIQUE, and a
// WHERE that is empty or `column = literal`. The others are built as AddIndexes builds them.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/indexes/scratch.h"

namespace doctor::indexes {
namespace {

constexpr char kEmptyBtrees[] = "doctor_unbuilt_";

bool BuiltinCollation(const std::string& c) {
  return c.empty() || absl::EqualsIgnoreCase(c, "BINARY") || absl::EqualsIgnoreCase(c, "NOCASE") ||
         absl::EqualsIgnoreCase(c, "RTRIM");
}

// `text` is a literal as candidates write them (candidate_pool.cc Literal): a number or a
// quoted string.
bool IsLiteral(absl::string_view text) {
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') return true;
  if (text.empty()) return false;
  for (char ch : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' &&
        ch != '+' && ch != 'e' && ch != 'E') {
      return false;
    }
  }
  return true;
}

}  // namespace

bool Scratch::PlansUnbuilt(const IndexDef& d) const {
  const TableInfo* t = FindTable(d.table);
  if (t == nullptr || t->is_virtual || d.unique || d.parts.empty()) return false;
  for (const KeyPart& p : d.parts) {
    const int ci = p.expression ? -1 : t->Column(p.column);
    if (ci < 0 || t->columns[ci].generated || !BuiltinCollation(p.collation) ||
        !BuiltinCollation(t->columns[ci].collation)) {
      return false;
    }
  }
  if (d.where.empty()) return true;
  for (const ColumnInfo& c : t->columns) {
    const std::string lhs = absl::StrCat(ReadableIdentifier(c.name), " = ");
    if (!c.generated && BuiltinCollation(c.collation) && absl::StartsWith(d.where, lhs) &&
        IsLiteral(absl::string_view(d.where).substr(lhs.size()))) {
      return true;
    }
  }
  return false;
}

bool Scratch::EmptyIndexRoots(size_t n) {
  if (empty_roots_.size() >= n) return true;
  // Indexes on a new empty table, whose rows then leave the schema (their pages stay).
  const std::string table = absl::StrCat(kEmptyBtrees, empty_roots_.size());
  const std::string quoted = QuoteIdentifier(table);
  bool ok = Exec(db_, absl::StrCat("CREATE TABLE ", quoted, "(x)")).ok();
  for (size_t i = empty_roots_.size(); ok && i < n; ++i) {
    ok = Exec(db_, absl::StrCat("CREATE INDEX ", QuoteIdentifier(absl::StrCat(table, "_", i)),
                                " ON ", quoted, "(x)")).ok();
  }
  auto roots = Query(db_, "SELECT rootpage FROM sqlite_schema WHERE type = 'index' AND "
                          "tbl_name = ? ORDER BY rowid", {Value(table)});
  ok = ok && roots.ok() && roots->size() == n - empty_roots_.size() &&
       Exec(db_, "PRAGMA writable_schema=ON").ok() &&
       Query(db_, "DELETE FROM sqlite_schema WHERE tbl_name = ?", {Value(table)}).ok();
  Exec(db_, "PRAGMA writable_schema=OFF").IgnoreError();
  if (!ok) {  // the schema cannot be edited here: the table must not stay
    Exec(db_, absl::StrCat("DROP TABLE IF EXISTS ", quoted)).IgnoreError();
    parking_ = false;
    return false;
  }
  schema_edited_ = true;
  for (const Row& r : *roots) empty_roots_.push_back(r[0].AsInt());
  return true;
}

bool Scratch::EnterForPlanning(const std::vector<IndexDef>& indexes,
                               std::vector<IndexDef>* built) {
  built->clear();
  if (has_stats_ || !parking_ || sqlite3_libversion_number() < 3035000) return false;
  // SQLite refuses two indexes of a table on one root page: one empty b-tree per unbuilt index
  // of a table.
  std::map<std::string, size_t> on_table;
  size_t most = 0;
  for (const IndexDef& d : indexes) {
    if (PlansUnbuilt(d)) most = std::max(most, ++on_table[absl::AsciiStrToLower(d.table)]);
  }
  if (most == 0 || !EmptyIndexRoots(most)) return false;
  on_table.clear();
  auto listed = Query(db_, "SELECT lower(name) FROM sqlite_schema WHERE type = 'index'");
  if (!listed.ok()) return false;
  std::set<std::string> names;  // an existing name makes CREATE INDEX fail: it stays as it is
  for (const Row& r : *listed) names.insert(r[0].AsText());
  for (const IndexDef& index : indexes) {
    IndexDef d = index;
    d.name = index.Name();
    const std::string lower = absl::AsciiStrToLower(d.name);
    if (names.count(lower)) {
      built->push_back(d);  // already there (built or entered): parked afterwards as before
      continue;
    }
    if (PlansUnbuilt(d) && Exec(db_, "PRAGMA writable_schema=ON").ok() &&
        Query(db_, "INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) "
                   "VALUES ('index', ?, ?, ?, ?)",
              {Value(d.name), Value(FindTable(d.table)->name),
               Value(empty_roots_[on_table[absl::AsciiStrToLower(d.table)]++]),
               Value(d.Ddl())}).ok()) {
      names.insert(lower);
      ++unbuilt_;
      continue;
    }
    // Parked by an earlier pass: back as it is (UnparkIndex turns writable_schema off).
    if (UnparkIndex(d)) {
      names.insert(lower);
      built->push_back(d);
      continue;
    }
    parked_.erase(d.name);
    if (Exec(db_, d.Ddl()).ok()) {
      names.insert(lower);
      built->push_back(d);
    }
  }
  Exec(db_, "PRAGMA writable_schema=OFF").IgnoreError();
  schema_edited_ = true;
  if (!ReloadSchema().ok() || !Query(db_, "SELECT count(*) FROM sqlite_schema").ok()) {
    // The schema did not load with them (it should): out again, and built.
    RemoveUnbuilt();
    ReloadSchema().IgnoreError();
    std::vector<IndexDef> rest;
    for (const IndexDef& d : indexes) {
      bool done = false;
      for (const IndexDef& b : *built) done |= b.Name() == d.Name();
      if (!done) rest.push_back(d);
    }
    AddIndexes(rest);
    built->insert(built->end(), rest.begin(), rest.end());
    return true;
  }
  Exec(db_, "ANALYZE sqlite_schema").IgnoreError();  // as AddIndexes ends
  return true;
}

void Scratch::RemoveUnbuilt() {
  if (unbuilt_ == 0) return;
  unbuilt_ = 0;
  Exec(db_, "PRAGMA writable_schema=ON").IgnoreError();
  std::string roots;
  for (int64_t r : empty_roots_) absl::StrAppend(&roots, roots.empty() ? "" : ", ", r);
  Exec(db_, absl::StrCat("DELETE FROM sqlite_schema WHERE type = 'index' AND rootpage IN (",
                         roots, ")")).IgnoreError();
  Exec(db_, "PRAGMA writable_schema=OFF").IgnoreError();
  schema_edited_ = true;
}

}  // namespace doctor::indexes
