// How a job ("area") plugs into the extension: the SQL functions, eponymous tables and settings it
// declares, plus an optional per-connection attach step. ext/doctor.cc registers every area from
// one list, and doctor_help / doctor_config are generated from the same declarations.
#ifndef DOCTOR_CORE_AREA_H_
#define DOCTOR_CORE_AREA_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ext/core/sqlite.h"
#include "ext/core/value.h"

namespace doctor {

class Connection;
class FunctionCall;
class TableCall;
class Setting;

// Trust level of a SQL function, mapped to SQLite's flags at registration.
enum class Trust {
  kPure,        // SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS: same inputs, same output, no effects.
  kVolatile,    // SQLITE_INNOCUOUS only: reads process or database state, changes nothing.
  kDirectOnly,  // SQLITE_DIRECTONLY: writes, touches files or process state; never from a schema.
};

struct FunctionSpec {
  const char* name;
  int min_args;
  int max_args;  // -1: any number
  Trust trust;
  absl::StatusOr<Value> (*impl)(FunctionCall& call);
  const char* signature;  // e.g. "doctor_set(name TEXT, value) -> TEXT"
  const char* summary;    // one sentence for doctor_help and the README reference
};

// One visible column of a table: declared once, with the one-line doc that doctor_help_columns
// and the README's column tables show.
struct Column {
  const char* name;
  const char* type;  // a declared type: "TEXT", "INTEGER", "REAL" or "" for any
  const char* doc;
};

struct TableArg {
  const char* name;
  bool required;
};

// An eponymous, read-only table. Rows are produced whole for each scan; arguments are hidden
// columns given as table-valued-function arguments: `SELECT * FROM t('arg')`.
//
// Columns are declared either by `column_list` (preferred: each with a doc, and rows filled by
// name with RowBuilder from ext/core/table_rows.h; `columns` is then nullptr) or by the older
// positional `columns` string, e.g. "name TEXT, value TEXT".
struct TableSpec {
  const char* name;
  const char* columns;  // nullptr when column_list is set
  absl::Span<const TableArg> args;
  bool direct_only;     // touches files or process state: SQLITE_VTAB_DIRECTONLY
  absl::StatusOr<Rows> (*produce)(TableCall& call);
  const char* signature;
  const char* summary;
  absl::Span<const Column> column_list = {};
};

struct Area {
  const char* name;
  absl::Span<const FunctionSpec> functions;
  absl::Span<const TableSpec> tables;
  absl::Span<Setting* const> settings;
  // Optional: per-connection setup (hooks, state) after the functions and tables exist.
  absl::Status (*attach)(Connection& connection) = nullptr;
};

}  // namespace doctor

#endif  // DOCTOR_CORE_AREA_H_
