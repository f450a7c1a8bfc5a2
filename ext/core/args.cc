#include "ext/core/args.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace doctor {

const char* DescribeType(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return "an integer";
    case SQLITE_FLOAT:
      return "a real";
    case SQLITE_TEXT:
      return "text";
    default:
      return "a blob";
  }
}

bool Args::Missing(int i) const {
  return i >= count_ || sqlite3_value_type(values_[i]) == SQLITE_NULL;
}

absl::StatusOr<std::string> Args::Text(int i, const char* name) const {
  if (i >= count_ || sqlite3_value_type(values_[i]) != SQLITE_TEXT) {
    return absl::InvalidArgumentError(absl::StrCat(
        "argument '", name, "' must be text, got ", i >= count_ ? "nothing" : DescribeType(values_[i])));
  }
  const unsigned char* text = sqlite3_value_text(values_[i]);
  if (text == nullptr) return absl::ResourceExhaustedError("out of memory");
  return std::string(reinterpret_cast<const char*>(text), sqlite3_value_bytes(values_[i]));
}

absl::StatusOr<std::string> Args::TextOr(int i, const char* name, std::string fallback) const {
  if (Missing(i)) return fallback;
  return Text(i, name);
}

absl::StatusOr<int64_t> Args::Int(int i, const char* name) const {
  if (i < count_) {
    sqlite3_value* v = values_[i];
    if (sqlite3_value_type(v) == SQLITE_INTEGER) return sqlite3_value_int64(v);
    if (sqlite3_value_type(v) == SQLITE_FLOAT) {
      double d = sqlite3_value_double(v);
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
        return static_cast<int64_t>(d);
      }
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "argument '", name, "' must be an integer, got ", i >= count_ ? "nothing" : DescribeType(values_[i])));
}

Value Args::AsValue(int i) const { return i >= count_ ? Value::Null() : ValueOf(values_[i]); }

Value ValueOf(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      return Value(static_cast<int64_t>(sqlite3_value_int64(v)));
    case SQLITE_FLOAT:
      return Value(sqlite3_value_double(v));
    case SQLITE_TEXT:
      return Value(std::string(reinterpret_cast<const char*>(sqlite3_value_text(v)),
                               sqlite3_value_bytes(v)));
    case SQLITE_BLOB: {
      const void* p = sqlite3_value_blob(v);
      return Value(Blob{std::string(p ? static_cast<const char*>(p) : "", sqlite3_value_bytes(v))});
    }
    default:
      return Value::Null();
  }
}

}  // namespace doctor
