#include "ext/timing/store_values.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "ext/core/status_macros.h"
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

absl::Status ReadMinMax(const Value& min, const Value& max, Counters* c) {
  if (min.is_null() && max.is_null()) {
    c->ForgetMinMax();
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(ReadMs(min, "min_ms", &c->min_ms));
  RETURN_IF_ERROR(ReadMs(max, "max_ms", &c->max_ms));
  if (c->min_ms > c->max_ms) return OutOfRange("min_ms", min);
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

// One row of doctor_query_stats, every value checked.
namespace {

absl::Status ReadCounters(const Row& r, Counters* c) {
  RETURN_IF_ERROR(ReadCount(r[4], "calls", &c->calls));
  if (c->calls == 0) return OutOfRange("calls", r[4]);  // flushes never write an empty entry
  RETURN_IF_ERROR(ReadMs(r[5], "total_ms", &c->total_ms));
  RETURN_IF_ERROR(ReadMs(r[6], "sumsq_ms", &c->sumsq_ms));
  RETURN_IF_ERROR(ReadMinMax(r[7], r[8], c));
  RETURN_IF_ERROR(ReadCount(r[9], "rows", &c->rows));
  RETURN_IF_ERROR(ReadCount(r[10], "vm_steps", &c->vm_steps));
  RETURN_IF_ERROR(ReadCount(r[11], "fullscan_steps", &c->fullscan_steps));
  RETURN_IF_ERROR(ReadCount(r[12], "sorts", &c->sorts));
  RETURN_IF_ERROR(ReadCount(r[13], "autoindexes", &c->autoindexes));
  RETURN_IF_ERROR(ReadErrors(r[14], c->calls, c));
  RETURN_IF_ERROR(ReadCount(r[15], "first_seen_ms", &c->first_seen_ms));
  RETURN_IF_ERROR(ReadCount(r[16], "last_seen_ms", &c->last_seen_ms));
  return ReadHistogram(r[17], c->calls, &c->buckets);
}

}  // namespace

absl::StatusOr<EntrySnapshot> ReadStoreEntry(const Row& r) {
  EntrySnapshot e;
  absl::Status status = ReadInteger(r[0], "query_id", &e.query_id);
  e.db = r[1].AsText();
  e.query = r[2].AsText();
  e.example = r[3].AsText();
  if (status.ok()) status = ReadCounters(r, &e.counters);
  if (status.ok()) status = ReadCount(r[18], "stats_since_ms", &e.stats_since_ms);
  if (status.ok()) status = ReadMs(r[19], "lock_wait_ms", &e.counters.lock_wait_ms);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("row query_id ", e.query_id, ": ", status.message()));
  }
  return e;
}

}  // namespace doctor::timing
