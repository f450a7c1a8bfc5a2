// Typed access to SQL arguments with errors that name the argument and what it accepts.
#ifndef DOCTOR_CORE_ARGS_H_
#define DOCTOR_CORE_ARGS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ext/core/sqlite.h"
#include "ext/core/value.h"

namespace doctor {

class Args {
 public:
  Args(sqlite3_value** values, int count) : values_(values), count_(count) {}

  int size() const { return count_; }
  // True when argument i was not given or is NULL.
  bool Missing(int i) const;
  sqlite3_value* raw(int i) const { return values_[i]; }

  // Text argument (integers and reals are not converted); NULL is an error, and so is text with
  // a NUL byte, or a blob unless it holds UTF-8 text without NUL bytes (as the shell's readfile()
  // returns).
  absl::StatusOr<std::string> Text(int i, const char* name) const;
  // Text argument, or `fallback` when missing.
  absl::StatusOr<std::string> TextOr(int i, const char* name, std::string fallback) const;
  // Integer argument; an integral real is accepted, text and NULL are errors.
  absl::StatusOr<int64_t> Int(int i, const char* name) const;
  // Any argument as a Value, for settings and pass-through.
  Value AsValue(int i) const;

 private:
  sqlite3_value** values_;
  int count_;
};

// A SQL value as a Value (text and blob bytes copied).
Value ValueOf(sqlite3_value* v);

// The SQL type name of a value, for error messages: "NULL", "an integer", "a blob"...
const char* DescribeType(sqlite3_value* v);

}  // namespace doctor

#endif  // DOCTOR_CORE_ARGS_H_
