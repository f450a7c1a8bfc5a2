#include "ext/timing/store_values.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace doctor::timing {

std::string HistogramJson(const Buckets& b) {
  nlohmann::json j = nlohmann::json::array();
  for (uint64_t v : b) j.push_back(v);
  return j.dump();
}

absl::Status OutOfRange(absl::string_view column, const Value& v) {
  return absl::OutOfRangeError(
      absl::StrCat(column, " ", v.is_null() ? "NULL" : v.AsText(), " is not a valid value"));
}

absl::Status ReadInteger(const Value& v, absl::string_view column, int64_t* out) {
  const int64_t* i = std::get_if<int64_t>(&v.storage());
  if (i == nullptr) return OutOfRange(column, v);
  *out = *i;
  return absl::OkStatus();
}

absl::Status ReadCount(const Value& v, absl::string_view column, int64_t* out) {
  const int64_t* i = std::get_if<int64_t>(&v.storage());
  if (i == nullptr || *i < 0 || *i > kMaxStoreCount) return OutOfRange(column, v);
  *out = *i;
  return absl::OkStatus();
}

absl::Status ReadMs(const Value& v, absl::string_view column, double* out) {
  double d;
  if (const int64_t* i = std::get_if<int64_t>(&v.storage())) {
    d = static_cast<double>(*i);
  } else if (const double* r = std::get_if<double>(&v.storage())) {
    d = *r;
  } else {
    return OutOfRange(column, v);
  }
  if (!std::isfinite(d) || d < 0 || d > kMaxStoreMs) return OutOfRange(column, v);
  *out = d;
  return absl::OkStatus();
}

absl::Status ReadHistogram(const Value& v, int64_t calls, Buckets* b) {
  nlohmann::json j = nlohmann::json::parse(v.AsText(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_array() || j.size() != b->size()) return OutOfRange("histogram", v);
  uint64_t sum = 0;
  for (size_t i = 0; i < b->size(); ++i) {
    if (!j[i].is_number_unsigned() || j[i].get<uint64_t>() > kMaxStoreCount) {
      return OutOfRange("histogram", v);
    }
    (*b)[i] = j[i].get<uint64_t>();
    sum += (*b)[i];
  }
  if (sum != static_cast<uint64_t>(calls)) {
    return absl::OutOfRangeError(absl::StrCat("histogram counts ", sum, " runs, calls ", calls));
  }
  return absl::OkStatus();
}

absl::Status ReadErrors(const Value& v, int64_t calls, Counters* c) {
  if (const int64_t* i = std::get_if<int64_t>(&v.storage())) {
    if (*i != 0) return OutOfRange("errors", v);
    return absl::OkStatus();
  }
  nlohmann::json j = nlohmann::json::parse(v.AsText(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return OutOfRange("errors", v);
  for (auto it = j.begin(); it != j.end(); ++it) {
    int code = 0;
    while (code < kErrorCodes && it.key() != ErrorCodeName(code)) ++code;
    if (code == kErrorCodes || !it.value().is_number_unsigned() ||
        it.value().get<uint64_t>() > static_cast<uint64_t>(calls)) {
      return OutOfRange("errors", v);
    }
    c->errors_by[code] = static_cast<int64_t>(it.value().get<uint64_t>());
    c->errors += c->errors_by[code];
  }
  if (c->errors > calls) return OutOfRange("errors", v);
  return absl::OkStatus();
}

}  // namespace doctor::timing
