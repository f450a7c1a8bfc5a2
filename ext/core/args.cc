#include "ext/core/args.h"

#include <cmath>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

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

namespace {

// The byte offset of the first byte that is not part of valid UTF-8 text (a NUL counts as not
// text), or -1 when all of `s` is.
int64_t FirstNonText(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c == 0 ? 0 : c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3
               : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return static_cast<int64_t>(i);
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return static_cast<int64_t>(i);
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return static_cast<int64_t>(i);
    }
    i += n;
  }
  return -1;
}

}  // namespace

absl::StatusOr<std::string> Args::Text(int i, const char* name) const {
  // A blob holding UTF-8 text is text (what the shell's readfile() returns for a .sql file).
  if (i < count_ && sqlite3_value_type(values_[i]) == SQLITE_BLOB) {
    const int bytes = sqlite3_value_bytes(values_[i]);
    const char* blob = static_cast<const char*>(sqlite3_value_blob(values_[i]));
    if (blob == nullptr && bytes > 0) return absl::ResourceExhaustedError("out of memory");
    std::string text(blob == nullptr ? "" : blob, static_cast<size_t>(bytes));
    const int64_t bad = FirstNonText(text);
    if (bad >= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "argument '", name, "' must be text, got a blob that is not UTF-8 text (",
          text[bad] == '\0' ? "a NUL byte" : "an invalid byte", " at offset ", bad, ")"));
    }
    return text;
  }
  if (i >= count_ || sqlite3_value_type(values_[i]) != SQLITE_TEXT) {
    return absl::InvalidArgumentError(absl::StrCat(
        "argument '", name, "' must be text, got ", i >= count_ ? "nothing" : DescribeType(values_[i])));
  }
  const unsigned char* text = sqlite3_value_text(values_[i]);
  if (text == nullptr) return absl::ResourceExhaustedError("out of memory");
  std::string out(reinterpret_cast<const char*>(text), sqlite3_value_bytes(values_[i]));
  // CAST(x'610062' AS TEXT): every C string use (a bound name, a path, an error) would stop at
  // the NUL and silently act on 'a'.
  if (const size_t nul = out.find('\0'); nul != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "argument '", name, "' must be text without NUL bytes, got a NUL byte at offset ", nul));
  }
  return out;
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
