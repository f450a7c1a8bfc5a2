#include "ext/core/setting.h"

#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace doctor {

std::atomic<uint64_t> Setting::generation_{0};

Setting::Setting(const char* name, Kind kind, int64_t default_value, int64_t min, int64_t max,
                 std::vector<std::string> choices, const char* summary)
    : name_(name),
      kind_(kind),
      default_(default_value),
      min_(min),
      max_(max),
      choices_(std::move(choices)),
      summary_(summary),
      value_(default_value) {}

Setting::Setting(Setting&& other) noexcept
    : name_(std::move(other.name_)),
      kind_(other.kind_),
      default_(other.default_),
      min_(other.min_),
      max_(other.max_),
      choices_(std::move(other.choices_)),
      summary_(std::move(other.summary_)),
      value_(other.value_.load()),
      apply_(other.apply_),
      default_text_(std::move(other.default_text_)),
      text_(other.GetText()) {}

Setting Setting::Bool(const char* name, bool default_value, const char* summary) {
  return Setting(name, Kind::kBool, default_value ? 1 : 0, 0, 1, {}, summary);
}

Setting Setting::Int(const char* name, int64_t default_value, int64_t min, int64_t max,
                     const char* summary) {
  return Setting(name, Kind::kInt, default_value, min, max, {}, summary);
}

Setting Setting::Enum(const char* name, std::vector<std::string> choices, int default_index,
                      const char* summary) {
  int64_t max = static_cast<int64_t>(choices.size()) - 1;
  return Setting(name, Kind::kEnum, default_index, 0, max, std::move(choices), summary);
}

Setting Setting::Text(const char* name, const char* default_value, const char* summary) {
  Setting s(name, Kind::kText, 0, 0, 0, {}, summary);
  s.default_text_ = default_value;
  s.text_ = default_value;
  return s;
}

std::string Setting::GetText() const {
  absl::MutexLock lock(&text_mu_);
  return text_;
}

void Setting::Reset() {
  if (kind_ == Kind::kText) {
    absl::MutexLock lock(&text_mu_);
    text_ = default_text_;
  }
  Store(default_);
}

std::string Setting::Accepts() const {
  switch (kind_) {
    case Kind::kBool:
      return "on or off (also 1/0, true/false, yes/no)";
    case Kind::kInt:
      return absl::StrCat("an integer from ", min_, " to ", max_);
    case Kind::kEnum:
      return absl::StrCat("one of: ", absl::StrJoin(choices_, ", "));
    case Kind::kText:
      return "a name of 1 to 128 bytes";
  }
  return "";
}

std::string Setting::DisplayOf(int64_t v) const {
  switch (kind_) {
    case Kind::kBool:
      return v ? "on" : "off";
    case Kind::kInt:
      return absl::StrCat(v);
    case Kind::kEnum:
      return v >= 0 && v < static_cast<int64_t>(choices_.size()) ? choices_[v] : "?";
    case Kind::kText:
      return GetText();
  }
  return "";
}

absl::Status Setting::Invalid(absl::string_view given) const {
  return absl::InvalidArgumentError(
      absl::StrCat("setting '", name_, "' accepts ", Accepts(), "; got ", given));
}

namespace {

std::string Describe(const Value& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(int64_t v) const { return absl::StrCat(v); }
    std::string operator()(double v) const { return absl::StrCat(v); }
    std::string operator()(const std::string& v) const {
      return absl::StrCat("'", v.size() > 40 ? v.substr(0, 40) + "..." : v, "'");
    }
    std::string operator()(const Blob&) const { return "a blob"; }
  };
  return std::visit(Visitor{}, value.storage());
}

}  // namespace

absl::Status Setting::Set(const Value& value) {
  const std::string given = Describe(value);
  int64_t parsed = 0;
  const auto& s = value.storage();
  if (kind_ == Kind::kText) {
    const std::string* text = std::get_if<std::string>(&s);
    if (text == nullptr || text->empty() || text->size() > 128 ||
        text->find('\0') != std::string::npos) {
      return Invalid(given);
    }
    {
      absl::MutexLock lock(&text_mu_);
      text_ = *text;
    }
    Store(0);  // moves the generation
    return absl::OkStatus();
  }
  if (const int64_t* i = std::get_if<int64_t>(&s)) {
    if (kind_ == Kind::kEnum) return Invalid(given);
    parsed = *i;
  } else if (const double* d = std::get_if<double>(&s)) {
    if (kind_ == Kind::kEnum || !std::isfinite(*d) || std::trunc(*d) != *d ||
        std::fabs(*d) > 9.0e15) {
      return Invalid(given);
    }
    parsed = static_cast<int64_t>(*d);
  } else if (const std::string* text = std::get_if<std::string>(&s)) {
    std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(*text));
    bool found = false;
    if (kind_ == Kind::kBool) {
      if (t == "on" || t == "true" || t == "yes" || t == "1") parsed = 1, found = true;
      if (t == "off" || t == "false" || t == "no" || t == "0") parsed = 0, found = true;
    } else if (kind_ == Kind::kEnum) {
      for (size_t i = 0; i < choices_.size(); ++i) {
        if (choices_[i] == t) parsed = static_cast<int64_t>(i), found = true;
      }
    } else {
      found = absl::SimpleAtoi(t, &parsed);
    }
    if (!found) return Invalid(given);
  } else {
    return Invalid(given);
  }
  if (parsed < min_ || parsed > max_) return Invalid(given);
  Store(parsed);
  return absl::OkStatus();
}

}  // namespace doctor
