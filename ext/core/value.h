// A SQL value produced by doctor code: NULL, integer, real, text or blob. Pure C++, no SQLite.
#ifndef DOCTOR_CORE_VALUE_H_
#define DOCTOR_CORE_VALUE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace doctor {

struct Blob {
  std::string bytes;
};

class Value {
 public:
  using Storage = std::variant<std::monostate, int64_t, double, std::string, Blob>;

  Value() = default;
  // Every integer type by its own name: int64_t is long on Linux but long long on macOS and
  // Windows (where long is 32 bits), so naming int64_t beside long long would not compile there.
  Value(int v) : storage_(static_cast<int64_t>(v)) {}                 // NOLINT: implicit on purpose
  Value(long v) : storage_(static_cast<int64_t>(v)) {}                // NOLINT
  Value(long long v) : storage_(static_cast<int64_t>(v)) {}           // NOLINT
  Value(unsigned v) : storage_(static_cast<int64_t>(v)) {}            // NOLINT
  Value(unsigned long v) : storage_(static_cast<int64_t>(v)) {}       // NOLINT
  Value(unsigned long long v) : storage_(static_cast<int64_t>(v)) {}  // NOLINT
  Value(bool v) : storage_(static_cast<int64_t>(v ? 1 : 0)) {}   // NOLINT
  Value(double v) : storage_(v) {}                                // NOLINT
  Value(std::string v) : storage_(std::move(v)) {}                // NOLINT
  Value(const char* v) : storage_(std::string(v)) {}              // NOLINT
  Value(Blob v) : storage_(std::move(v)) {}                       // NOLINT

  static Value Null() { return Value(); }

  bool is_null() const { return std::holds_alternative<std::monostate>(storage_); }
  // Loose conversions for reading query results: a real truncates, text parses, NULL is 0 / "".
  int64_t AsInt() const;
  double AsDouble() const;
  std::string AsText() const;
  const Storage& storage() const { return storage_; }

 private:
  Storage storage_;
};

using Row = std::vector<Value>;
using Rows = std::vector<Row>;

}  // namespace doctor

#endif  // DOCTOR_CORE_VALUE_H_
