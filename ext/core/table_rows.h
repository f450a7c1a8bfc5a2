// A table's columns as declared, and its rows filled by column name.
//
// Example:
//   constexpr Column kColumns[] = {
//       {"name", "TEXT", "The setting's name."},
//       {"value", "TEXT", "Its current value."},
//   };
//   RowBuilder rows(kColumns);
//   rows.NewRow();
//   rows.Set("name", "timing");
//   rows.Set("value", "on");
//   return rows.Finish();   // InternalError if a Set named a column that is not declared
//
// Columns a row does not set are NULL. A misspelt column name is a bug in the area, so Finish
// reports it (naming the column and where it was set) instead of dropping the value silently.
#ifndef DOCTOR_CORE_TABLE_ROWS_H_
#define DOCTOR_CORE_TABLE_ROWS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ext/core/area.h"
#include "ext/core/value.h"

namespace doctor {

class RowBuilder {
 public:
  explicit RowBuilder(absl::Span<const Column> columns);

  // Starts a new row with every column NULL.
  void NewRow();
  // Sets a column of the current row (the last NewRow).
  void Set(absl::string_view column, Value value);
  // The rows built so far; an InternalError naming every unknown column set, or a Set before
  // the first NewRow.
  absl::StatusOr<Rows> Finish();

 private:
  absl::Span<const Column> columns_;
  absl::flat_hash_map<absl::string_view, size_t> index_;
  Rows rows_;
  std::vector<std::string> unknown_;
};

// One visible column as a table declares it. A positional declaration ("name TEXT, value TEXT")
// gives name and type with an empty doc.
struct DeclaredColumn {
  std::string name;
  std::string type;
  std::string doc;
};

// The visible columns of `spec`, from column_list or else from the positional `columns` string.
std::vector<DeclaredColumn> ColumnsOf(const TableSpec& spec);

// The statement handed to sqlite3_declare_vtab: the visible columns, then one HIDDEN column per
// argument, e.g. CREATE TABLE x("name" TEXT, "value" TEXT, "path" HIDDEN).
std::string DeclarationOf(const TableSpec& spec);

}  // namespace doctor

#endif  // DOCTOR_CORE_TABLE_ROWS_H_
