#include "ext/migrations/drizzle_table.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/journal.h"

namespace doctor::migrations {

std::string DrizzleTableDdl(absl::string_view table) {
  return absl::StrCat("\n\t\t\tCREATE TABLE IF NOT EXISTS ", QuoteIdentifier(table),
                      " (\n\t\t\t\tid SERIAL PRIMARY KEY,\n\t\t\t\thash text NOT NULL,"
                      "\n\t\t\t\tcreated_at numeric\n\t\t\t)\n\t\t");
}

std::string DrizzleV1TableDdl(absl::string_view table) {
  return absl::StrCat("\n\t\t\tCREATE TABLE IF NOT EXISTS ", QuoteIdentifier(table),
                      " (\n\t\t\t\tid INTEGER PRIMARY KEY,\n\t\t\t\thash text NOT NULL,"
                      "\n\t\t\t\tcreated_at numeric,\n\t\t\t\tname text,"
                      "\n\t\t\t\tapplied_at TEXT\n\t\t\t)");
}

namespace {

constexpr char kNow[] = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";  // = toISOString()

struct TableShape {
  bool exists = false;
  bool has_name = false;
};

absl::StatusOr<TableShape> Shape(Connection& c, const std::string& table) {
  ASSIGN_OR_RETURN(bool exists, JournalTableExists(c, table));
  if (!exists) return TableShape{};
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c, "SELECT name FROM pragma_table_info(?1, 'main')", {Value(table)}));
  TableShape shape;
  shape.exists = !rows.empty();
  for (const Row& r : rows) shape.has_name = shape.has_name || r[0].AsText() == "name";
  return shape;
}

// Drizzle 1.0's upToV1: match every row, refuse if one is unmatched, then add the columns and
// backfill names with the same UPDATEs in the same order.
absl::Status UpgradeToV1(Connection& c, const Folder& folder, const std::string& table) {
  ASSIGN_OR_RETURN(std::vector<DrizzleRow> rows, LoadDrizzle(c));
  const std::string quoted = QuoteIdentifier(table);
  std::vector<const MigrationFile*> match = MatchUnnamedRows(folder, rows);
  std::vector<std::string> unmatched;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (match[i] != nullptr) continue;
    unmatched.push_back(absl::StrCat(
        "[id: ", rows[i].id.is_null() ? "null" : rows[i].id.AsText(), ", created_at: ",
        rows[i].created_at ? absl::StrCat(*rows[i].created_at) : std::string("null"), "]"));
  }
  if (!unmatched.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot upgrade ", table, " to Drizzle 1.0's columns (name, applied_at): ",
        unmatched.size(), " row(s) ", absl::StrJoin(unmatched, ", "),
        " match no migration folder of '", folder.path,
        "' (Drizzle 1.0's migrator refuses the same); nothing was run"));
  }
  RETURN_IF_ERROR(Exec(c, absl::StrCat("ALTER TABLE ", quoted, " ADD COLUMN \"name\" text")));
  RETURN_IF_ERROR(Exec(c, absl::StrCat("ALTER TABLE ", quoted, " ADD COLUMN \"applied_at\" TEXT")));
  for (size_t i = 0; i < rows.size(); ++i) {
    const DrizzleRow& r = rows[i];
    const MigrationFile& f = *match[i];
    const bool by_id = !r.id.is_null() && r.id.AsInt() != 0;  // JavaScript truthiness
    int same_millis = 0;
    if (r.created_at) {
      for (const MigrationFile& g : folder.files) {
        same_millis += g.created_at && *g.created_at == *r.created_at / 1000 * 1000;
      }
    }
    std::string where;
    Value key;
    if (by_id) {
      where = "\"id\" = ?2";
      key = r.id;
    } else if (same_millis == 1) {
      where = "\"created_at\" = ?2";
      key = Value(absl::StrCat(*r.created_at));  // Drizzle binds String(created_at)
    } else {
      where = "\"hash\" = ?2";
      key = Value(r.hash);
    }
    RETURN_IF_ERROR(ExecOne(c,
                            absl::StrCat("UPDATE ", quoted,
                                         " SET \"name\" = ?1, \"applied_at\" = NULL WHERE ", where),
                            {Value(f.name), key}));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<DrizzleRow>> LoadDrizzle(Connection& c) {
  const std::string table = DrizzleTable();
  ASSIGN_OR_RETURN(TableShape shape, Shape(c, table));
  std::vector<DrizzleRow> out;
  if (!shape.exists) return out;
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c, absl::StrCat(shape.has_name ? "SELECT hash, created_at, id, name, applied_at"
                                                        : "SELECT hash, created_at, id, NULL, NULL",
                                         " FROM ", QuoteIdentifier(table), " ORDER BY id ASC")));
  for (const Row& r : rows) {
    DrizzleRow d;
    d.hash = r[0].AsText();
    if (!r[1].is_null()) d.created_at = r[1].AsInt();
    d.id = r[2];
    if (!r[3].is_null()) d.name = r[3].AsText();
    d.applied_at = r[4];
    out.push_back(std::move(d));
  }
  return out;
}

absl::Status EnsureDrizzleTable(Connection& c, const Folder& folder) {
  const std::string table = DrizzleTable();
  if (folder.layout == Layout::kDrizzleKit) return Exec(c, DrizzleTableDdl(table));
  if (folder.layout != Layout::kDrizzleFolders) return absl::OkStatus();
  ASSIGN_OR_RETURN(TableShape shape, Shape(c, table));
  if (!shape.exists) return Exec(c, DrizzleV1TableDdl(table));
  if (!shape.has_name) return UpgradeToV1(c, folder, table);
  return absl::OkStatus();
}

absl::Status InsertDrizzleRow(Connection& c, const DrizzleEntry& e) {
  const Value created = e.created_at ? Value(*e.created_at) : Value::Null();
  const std::string quoted = QuoteIdentifier(DrizzleTable());
  if (!e.name) {
    return ExecOne(c,
                   absl::StrCat("INSERT INTO ", quoted,
                                " (\"hash\", \"created_at\") VALUES(?1, ?2)"),
                   {Value(e.hash), created});
  }
  return ExecOne(c,
                 absl::StrCat("INSERT INTO ", quoted,
                              " (\"hash\", \"created_at\", \"name\", \"applied_at\") "
                              "VALUES(?1, ?2, ?3, coalesce(?4, ",
                              kNow, "))"),
                 {Value(e.hash), created, Value(*e.name), e.applied_at});
}

DrizzleEntry DrizzleEntryOf(const Folder& folder, const MigrationFile& f) {
  DrizzleEntry e;
  e.hash = f.drizzle_checksum();
  e.created_at = f.created_at;
  if (folder.layout == Layout::kDrizzleFolders) e.name = f.name;
  return e;
}

}  // namespace doctor::migrations
