// Schema snapshots as normalized facts, their stable hash, and the difference of two snapshots.
//
// A table is described by what SQLite reports about it (pragma table_xinfo, foreign_key_list,
// the unique/primary-key indexes of index_list) plus its CHECK clauses, WITHOUT ROWID, STRICT
// and AUTOINCREMENT in normal form; an index by pragma index_xinfo and its WHERE clause; views
// and triggers by their SQL in normal form (sql_text.h). So whitespace, comments, keyword case
// and identifier quoting never change the hash. Internal tables (sqlite_*) and the journals
// (doctor_migrations, Drizzle's table: drizzle_table) are left out.
#ifndef DOCTOR_MIGRATIONS_SCHEMA_H_
#define DOCTOR_MIGRATIONS_SCHEMA_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "ext/core/sqlite.h"

namespace doctor::migrations {

struct SchemaObject {
  std::string type;   // table | index | view | trigger
  std::string name;   // lowercased
  std::string table;  // the table an index or trigger belongs to
  std::vector<std::string> facts;  // "column id: INTEGER notnull=0 default=NULL pk=1 hidden=0"...
};

// Facts depend only on an object's CREATE text (which names its type and name), so they are
// cached by it, with the object's digest. Bounded.
class FactCache {
 public:
  struct Entry {
    std::vector<std::string> facts;
    uint64_t digest[4];
  };
  // Looks up by the CREATE text without copying it.
  const Entry* Get(absl::string_view sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Entry* Put(absl::string_view sql, Entry entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Mutex mu_;

 private:
  // Keyed by std::hash of the text (libstdc++'s, fast even in unoptimized builds), collisions
  // resolved by comparing the text.
  std::unordered_map<size_t, std::vector<std::pair<std::string, Entry>>> map_ ABSL_GUARDED_BY(mu_);
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;
};

// Every object of `schema` ("main", "temp" or an attached name), sorted by (type, name).
absl::StatusOr<std::vector<SchemaObject>> ReadSchema(sqlite3* db, const std::string& schema,
                                                     FactCache* cache);

// The schema hash of a snapshot: sha256 hex over the sum (per 64-bit lane) of every object's
// sha256 digest and the object count, so it does not depend on order and can be computed in one
// pass over sqlite_schema (HashSchemaOf) without materializing the snapshot.
std::string HashSchema(const std::vector<SchemaObject>& objects);

// The digests of the previous HashSchemaOf scan in sqlite_schema order, keyed by a 64-bit hash and
// the length of each CREATE text: the next scan reuses a row's digest when both match at the same
// position (new objects are appended, so most rows do), skipping the cache lookup.
struct LastScan {
  struct Row {
    uint64_t key;
    size_t length;
    uint64_t digest[4];
    bool skipped;
  };
  std::string schema;
  std::string drizzle_table;  // the journal table left out of the scan (DrizzleTable())
  std::vector<Row> rows;
  // Totals of the scan, for HashSchemaAppended.
  bool valid = false;
  int64_t max_rowid = 0;
  uint64_t sum[4] = {0, 0, 0, 0};
  uint64_t count = 0;
};

// The same hash as HashSchema(ReadSchema(...)), straight from sqlite_schema through the cache:
// what migrate() computes before and after every migration. `last` may be null.
absl::StatusOr<std::string> HashSchemaOf(sqlite3* db, const std::string& schema, FactCache* cache,
                                         LastScan* last = nullptr);

// The same hash when sqlite_schema only gained rows since the scan `last` describes (every
// statement since was IsAdditiveStatement): reads just the rows past last->max_rowid.
absl::StatusOr<std::string> HashSchemaAppended(sqlite3* db, const std::string& schema,
                                               FactCache* cache, LastScan* last);

struct SchemaChange {
  std::string change;  // added | removed | changed
  std::string type;
  std::string name;
  std::string detail;
};

// What changed from `a` to `b`; for tables column by column. Pure.
std::vector<SchemaChange> DiffSchemas(const std::vector<SchemaObject>& a,
                                      const std::vector<SchemaObject>& b);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_SCHEMA_H_
