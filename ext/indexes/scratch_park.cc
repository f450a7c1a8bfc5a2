// Parking step of the scratch copy (scratch.h): a candidate index leaves the set the search
// measures without being dropped, and comes back without being rebuilt. Building an index on
// the sample is what a measured set mostly costs (a few ms each, once per set the search tries);
// parking costs one schema reload.
//
// How: the index's row in sqlite_schema (and its sqlite_stat1 row) is taken out with
// writable_schema on, and the schema is reloaded (PRAGMA writable_schema=RESET); the b-tree stays
// allocated. Nothing updates a parked index, and it needs nothing: every write on the copy is
// rolled back, so its table is the same when it comes back. Where the schema cannot be edited
// (SQLITE_DBCONFIG_DEFENSIVE, or an SQLite before 3.32 that lacks RESET) indexes are dropped and
// rebuilt as before.
//
// The order of a table's indexes matters to a write's cost (SQLite's upkeep of an index reuses
// the key columns the previous one loaded), and the schema lists them in the order of their
// rows: OrderIndexes keeps them in one order, so a set of indexes costs the same whatever was
// built, parked or unparked before.
#include <map>

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/indexes/scratch.h"

namespace doctor::indexes {

bool Scratch::ParkIndex(const IndexDef& index) {
  const std::string name = index.Name();
  // PRAGMA writable_schema=RESET is in 3.35 for sure (ReloadSchema checks it took effect).
  if (!parking_ || sqlite3_libversion_number() < 3035000) {
    DropIndex(index).IgnoreError();
    return false;
  }
  auto row = Query(db_, "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema WHERE "
                        "type = 'index' AND name = ?", {Value(name)});
  if (!row.ok() || row->size() != 1) {
    DropIndex(index).IgnoreError();
    return false;
  }
  // Two candidates can share a name (names are cut to a length): the row must be this index's.
  if ((*row)[0][4].AsText() != index.Ddl()) return false;
  Parked parked{(*row)[0], {}};
  if (has_stats_) {
    auto stats = Query(db_, "SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx = ?", {Value(name)});
    if (stats.ok()) parked.stats = *std::move(stats);
  }
  bool ok = Exec(db_, "PRAGMA writable_schema=ON").ok() &&
            Query(db_, "DELETE FROM sqlite_schema WHERE type = 'index' AND name = ?",
                  {Value(name)}).ok() &&
            (!has_stats_ ||
             Query(db_, "DELETE FROM sqlite_stat1 WHERE idx = ?", {Value(name)}).ok());
  Exec(db_, "PRAGMA writable_schema=OFF").IgnoreError();
  if (!ok) {  // the schema cannot be edited here: drop, as before
    parking_ = false;
    DropIndex(index).IgnoreError();
    return false;
  }
  parked_[name] = std::move(parked);
  schema_edited_ = true;
  return true;
}

bool Scratch::UnparkIndex(const IndexDef& index) {
  auto it = parked_.find(index.Name());
  if (it == parked_.end() || it->second.schema[4].AsText() != index.Ddl()) return false;
  const Parked& p = it->second;
  bool ok = Exec(db_, "PRAGMA writable_schema=ON").ok() &&
            Query(db_, "INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) "
                       "VALUES (?, ?, ?, ?, ?)", p.schema).ok();
  for (const Row& r : p.stats) {
    ok = ok && Query(db_, "INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES (?, ?, ?)", r).ok();
  }
  Exec(db_, "PRAGMA writable_schema=OFF").IgnoreError();
  parked_.erase(it);
  schema_edited_ = true;
  return ok;
}

void Scratch::OrderIndexes(const std::vector<IndexDef>& in_order) {
  if (!parking_ || in_order.size() < 2) return;
  std::string names;
  for (const IndexDef& d : in_order) {
    absl::StrAppend(&names, names.empty() ? "" : ", ", QuoteLiteral(d.Name()));
  }
  auto rows = Query(db_, absl::StrCat("SELECT type, name, tbl_name, rootpage, sql FROM "
                                      "sqlite_schema WHERE type = 'index' AND name IN (",
                                      names, ") ORDER BY rowid"));
  if (!rows.ok() || rows->size() != in_order.size()) return;
  bool ordered = true;
  std::map<std::string, const Row*> by_name;
  for (size_t i = 0; i < rows->size(); ++i) {
    by_name[(*rows)[i][1].AsText()] = &(*rows)[i];
    ordered = ordered && (*rows)[i][1].AsText() == in_order[i].Name();
  }
  if (ordered) return;
  bool ok = Exec(db_, "PRAGMA writable_schema=ON").ok() &&
            Exec(db_, absl::StrCat("DELETE FROM sqlite_schema WHERE type = 'index' AND name IN (",
                                   names, ")")).ok();
  for (const IndexDef& d : in_order) {
    ok = ok && Query(db_, "INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) "
                          "VALUES (?, ?, ?, ?, ?)", *by_name[d.Name()]).ok();
  }
  Exec(db_, "PRAGMA writable_schema=OFF").IgnoreError();
  schema_edited_ = true;
  if (!ok) parking_ = false;  // (rows not written back stay out: reported by their next use)
}

absl::Status Scratch::ReloadSchema() {
  if (!schema_edited_) return absl::OkStatus();
  schema_edited_ = false;
  // RESET turns writable_schema off and makes the connection read its schema (and statistics)
  // again.
  RETURN_IF_ERROR(Exec(db_, "PRAGMA writable_schema=RESET"));
  if (!parking_checked_ && !parked_.empty()) {
    // An SQLite that does not reload here would keep planning with a parked index: drop them.
    parking_checked_ = true;
    const auto& [name, p] = *parked_.begin();
    auto listed = Query(db_, "SELECT 1 FROM pragma_index_list(?) WHERE name = ?",
                        {p.schema[2], Value(name)});
    if (!listed.ok() || !listed->empty()) {
      parking_ = false;
      for (const auto& [n, unused] : parked_) {
        Exec(db_, absl::StrCat("DROP INDEX IF EXISTS ", QuoteIdentifier(n))).IgnoreError();
      }
      parked_.clear();
    }
  }
  return absl::OkStatus();
}

}  // namespace doctor::indexes
