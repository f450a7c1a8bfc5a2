#include "ext/core/value.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace doctor {

int64_t Value::AsInt() const {
  if (auto* i = std::get_if<int64_t>(&storage_)) return *i;
  if (auto* d = std::get_if<double>(&storage_)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&storage_)) return std::strtoll(s->c_str(), nullptr, 10);
  return 0;
}

double Value::AsDouble() const {
  if (auto* i = std::get_if<int64_t>(&storage_)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&storage_)) return *d;
  if (auto* s = std::get_if<std::string>(&storage_)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::string Value::AsText() const {
  if (auto* i = std::get_if<int64_t>(&storage_)) return absl::StrCat(*i);
  if (auto* d = std::get_if<double>(&storage_)) return absl::StrCat(*d);
  if (auto* s = std::get_if<std::string>(&storage_)) return *s;
  if (auto* b = std::get_if<Blob>(&storage_)) return b->bytes;
  return "";
}

}  // namespace doctor
