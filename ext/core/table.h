// Eponymous read-only virtual tables declared by TableSpec, with table-valued-function arguments.
//
// Example:
//   SELECT * FROM doctor_help;                 -- no arguments
//   SELECT * FROM migration_status('migs/');   -- the hidden argument column "path"
//
// How it works: the arguments are HIDDEN columns after the visible ones. xBestIndex hands every
// usable equality constraint on them to xFilter (idxNum is the bitmask of arguments given), and
// returns SQLITE_CONSTRAINT for a plan where an argument's constraint is not usable yet, as
// series.c does. xFilter checks required arguments, calls the spec's produce(), and the cursor
// walks the rows it returned. An argument not given is NULL in its column, so any other
// comparison on it (LIKE, <, !=, IS NOT NULL) would match no row: xBestIndex refuses it with an
// error naming the argument instead of returning nothing.
#ifndef DOCTOR_CORE_TABLE_H_
#define DOCTOR_CORE_TABLE_H_

#include "absl/status/status.h"
#include "ext/core/area.h"
#include "ext/core/args.h"
#include "ext/core/connection.h"

namespace doctor {

class TableCall {
 public:
  // `args` has one entry per declared argument; a missing one is nullptr.
  TableCall(Connection& connection, sqlite3_value** args, int count)
      : connection_(connection), args_(args, count) {}

  Connection& connection() const { return connection_; }
  sqlite3* db() const { return connection_.db(); }
  const Args& args() const { return args_; }

 private:
  Connection& connection_;
  Args args_;
};

absl::Status RegisterTable(Connection& connection, const TableSpec& spec);

}  // namespace doctor

#endif  // DOCTOR_CORE_TABLE_H_
