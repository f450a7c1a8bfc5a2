// An index the advisor may recommend, as plain data: table, key parts (columns or expressions,
// with collation and direction) and an optional partial-index WHERE clause. Pure C++, no SQLite:
// the DDL, the stable readable name, prefix/duplicate tests and the size estimate live here so
// they are unit-testable.
//
// Example:
//   IndexDef d{"jobs", {{"priority", "", true}, {"run_at"}}, "state = 'queued'"};
//   d.Ddl()  // CREATE INDEX "jobs_priority_run_at_queued" ON "jobs"("priority" DESC, "run_at")
//            //   WHERE state = 'queued'
#ifndef DOCTOR_INDEXES_INDEX_DEF_H_
#define DOCTOR_INDEXES_INDEX_DEF_H_

#include <string>
#include <vector>

namespace doctor::indexes {

struct KeyPart {
  std::string column;        // column name, or the expression text when `expression`
  std::string collation;     // "" = the column's own collation
  bool desc = false;
  bool expression = false;   // `column` holds SQL expression text, emitted as is
};

struct IndexDef {
  std::string table;
  std::vector<KeyPart> parts;
  std::string where;         // partial-index predicate (SQL text), "" for a full index
  bool unique = false;
  std::string name;          // set for existing indexes; recommended ones get StableName()

  // A readable name that depends only on the definition: idx_<table>_<cols>[_<where words>].
  std::string StableName() const;
  // The name its CREATE INDEX gives: `name` when set, else StableName().
  std::string Name() const { return name.empty() ? StableName() : name; }
  // "CREATE INDEX name ON table(parts) [WHERE ...]", identifiers quoted when needed; with a
  // `schema`, the index is named in it ("main".name: QualifiedIdentifier), as a fix to run on the
  // user's connection must be (a temp table of the same name would otherwise get the index).
  std::string Ddl(const std::string& schema = "") const;
  // Columns as shown to users: "a, b DESC, lower(c)".
  std::string ColumnsText() const;
  // A key for de-duplication: table, parts and predicate, case-insensitive names.
  std::string Key() const;
};

// True when `a`'s key parts are a prefix of (or equal to) `b`'s on the same table with the same
// predicate: then `b` serves every lookup `a` serves, so `a` is redundant.
bool IsPrefixOf(const IndexDef& a, const IndexDef& b);

// Lower-case words of a name or expression, joined by '_' ("lower(Email)" -> "lower_email"), at
// most `max_len` bytes: the words of generated index names. `*cut` is set when words were left out.
std::string Slug(const std::string& text, size_t max_len = 40, bool* cut = nullptr);

// Six hex digits of a hash of d.Key(): tells apart definitions whose readable names collide.
std::string KeyHash(const IndexDef& d);

// The WHERE clause of a CREATE INDEX statement ("" when it has none): a partial index's predicate.
std::string PartialIndexWhere(const std::string& create_index_sql);

// One key column of an existing index, as PRAGMA index_xinfo reports it (its rows with key = 1,
// in seqno order), with the collation the table declares for that column ("" = BINARY).
struct XinfoKeyColumn {
  int cid = 0;                     // -2: an expression
  std::string name;                // NULL (empty) for an expression
  bool desc = false;
  std::string collation;           // the index's collation for it
  std::string declared_collation;  // the column's own, "" when BINARY or not a column
};

// An existing index read back into an IndexDef: an expression by its text in `create_sql`
// ("<expression N>" when there is none), a collation kept only when it differs from the column's own, the WHERE of a partial index taken from its
// CREATE INDEX text (`create_sql`, "" when not partial). The one reader of live indexes for the
// advisor's scratch schema and for schema_drift's Drizzle lines.
IndexDef ExistingIndex(const std::string& table, const std::string& name, bool unique,
                       const std::vector<XinfoKeyColumn>& key, const std::string& create_sql);

// Estimated on-disk bytes of an index: rows * (key bytes + rowid + record overhead) / fill.
double EstimateIndexBytes(double rows, double key_bytes);

// Scales one sqlite_stat1 `stat` string measured on a sample of `sample_rows` to a table of
// `real_rows` rows: the row count scales linearly; "rows per key" v scales as v * f^(1 - 1/v)
// (a unique key stays 1, a low-cardinality key grows with the table). Other words are kept.
std::string ScaleStat(const std::string& stat, double sample_rows, double real_rows);

// One sqlite_stat4 row's counts (neq, nlt, ndlt: one number per key column and the rowid), measured
// on a sample of `sample_rows`, scaled to `real_rows` as ScaleStat scales the index's stat1 row
// (`sample_stat` is that row as measured on the sample): rows below the key (nlt) linearly, the
// key's own rows n (neq) as ScaleStat scales rows per key, by f^(1 - 1/n) (a key seen once stays
// rare), distinct keys below it (ndlt) by what the prefix's rows-per-key v leaves them: f^(1/v).
// On a table not sampled, or with words that are not numbers, the counts are returned as they are.
struct Stat4Counts {
  std::string neq, nlt, ndlt;
};
Stat4Counts ScaleStat4(const Stat4Counts& counts, const std::string& sample_stat,
                       double sample_rows, double real_rows);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_INDEX_DEF_H_
