// Schema snapshots as normalized facts, their stable hash, and the difference of two snapshots.
//
// A table is described by what SQLite reports about it (pragma table_xinfo, foreign_key_list,
// the unique/primary-key indexes of index_list) plus its CHECK clauses, WITHOUT ROWID, STRICT
// and AUTOINCREMENT in normal form; an index by pragma index_xinfo and its WHERE clause; views
// and triggers by their SQL in normal form (sql_text.h). So whitespace, comments, keyword case
// and identifier quoting never change the hash. Internal tables (sqlite_*) and the journals
// (doctor_migrations, __drizzle_migrations) are left out.
#ifndef DOCTOR_MIGRATE_SCHEMA_H_
#define DOCTOR_MIGRATE_SCHEMA_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ext/core/sqlite.h"

namespace doctor::migrate {

struct SchemaObject {
  std::string type;   // table | index | view | trigger
  std::string name;   // lowercased
  std::string table;  // the table an index or trigger belongs to
  std::vector<std::string> facts;  // "column id: INTEGER notnull=0 default=NULL pk=1 hidden=0"...
};

// Facts depend only on an object's CREATE text, so they are cached by it. Bounded.
class FactCache {
 public:
  bool Get(const std::string& key, std::vector<std::string>* facts);
  void Put(const std::string& key, std::vector<std::string> facts);

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<std::string>> map_ ABSL_GUARDED_BY(mu_);
};

// Every object of `schema` ("main", "temp" or an attached name), sorted by (type, name).
absl::StatusOr<std::vector<SchemaObject>> ReadSchema(sqlite3* db, const std::string& schema,
                                                     FactCache* cache);

// sha256 hex of the snapshot's facts.
std::string HashSchema(const std::vector<SchemaObject>& objects);

struct SchemaChange {
  std::string change;  // added | removed | changed
  std::string type;
  std::string name;
  std::string detail;
};

// What changed from `a` to `b`; for tables column by column. Pure.
std::vector<SchemaChange> DiffSchemas(const std::vector<SchemaObject>& a,
                                      const std::vector<SchemaObject>& b);

// True for tables the journal owns (left out of hashes and checks).
bool IsJournalTable(const std::string& lowercase_name);

}  // namespace doctor::migrate

#endif  // DOCTOR_MIGRATE_SCHEMA_H_
