#include "ext/indexes/advise_options.h"

#include "absl/strings/str_cat.h"
#include "ext/core/json_text.h"
#include "nlohmann/json.hpp"

namespace doctor::indexes {
namespace {

// One key of the options object into `o`; an error names the key and what it accepts.
absl::Status ParseOption(const std::string& k, const nlohmann::json& v, AdviseOptions* o) {
  auto bad = [&](const char* accepts) {
    return absl::InvalidArgumentError(
        absl::StrCat("options: '", k, "' must be ", accepts, ", got ", JsonForMessage(v)));
  };
  if (k == "max_indexes") {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1000) {
      return bad("an integer from 0 to 1000");
    }
    o->max_indexes = v.get<int>();
  } else if (k == "budget_bytes") {
    if (!v.is_number() || v.get<double>() < 0) return bad("a number of bytes >= 0 (0: none)");
    o->budget_bytes = v.get<double>();
  } else if (k == "allow_partial" || k == "allow_covering" || k == "foreign_keys") {
    if (!v.is_boolean()) return bad("true or false");
    (k == "allow_partial" ? o->allow_partial
                          : k == "allow_covering" ? o->allow_covering : o->foreign_keys) =
        v.get<bool>();
  } else if (k == "statistics") {
    if (!v.is_string() || (v.get<std::string>() != "auto" && v.get<std::string>() != "sample")) {
      return bad("\"auto\" (your sqlite_stat1, or none as your database has) or \"sample\" "
                 "(ANALYZE a sample when sqlite_stat1 is missing)");
    }
    o->analyze_sample = v.get<std::string>() == "sample";
  } else if (k == "time_limit_s") {
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 3600) {
      return bad("a number of CPU seconds from 0 to 3600");
    }
    o->time_limit_s = v.get<double>();
  } else if (k == "step_cap") {
    if (!v.is_number_integer() || v.get<int64_t>() < 1000 || v.get<int64_t>() > 1000000000) {
      return bad("an integer from 1000 to 1000000000");
    }
    o->step_cap = v.get<int64_t>();
  } else if (k == "rows") {
    const char* accepts = "an object of table names and expected row counts (integers from 0 to "
                          "10^12), e.g. {\"jobs\": 1000000}";
    if (!v.is_object()) return bad(accepts);
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 ||
          it.value().get<int64_t>() > 1000000000000) {
        return bad(accepts);
      }
      o->rows[it.key()] = it.value().get<int64_t>();
    }
  } else if (k == "sample_rows") {
    if (!v.is_number_integer() || v.get<int64_t>() < 1000 || v.get<int64_t>() > 100000000) {
      return bad("an integer from 1000 to 100000000");
    }
    o->sample_rows = v.get<int64_t>();
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "options: unknown key '", k,
        "'; accepted: max_indexes, budget_bytes, allow_partial, allow_covering, sample_rows, "
        "foreign_keys, statistics, time_limit_s, step_cap, rows"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AdviseOptions> ParseWhatIfOptions(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(
        "options must be a JSON object, e.g. '{\"statistics\": \"sample\"}'");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "statistics") {
      return absl::InvalidArgumentError(absl::StrCat("options: unknown key '", it.key(),
                                                     "'; accepted: statistics"));
    }
  }
  return ParseAdviseOptions(text);
}

absl::StatusOr<AdviseOptions> ParseAdviseOptions(const std::string& text) {
  AdviseOptions o;
  if (text.empty()) return o;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    // '{"rows": 1e400}' is an object to the eye: say that the JSON itself is what fails.
    return absl::InvalidArgumentError(absl::StrCat(
        "options must be a JSON object, e.g. '{\"max_indexes\": 3, \"budget_bytes\": 1000000, "
        "\"allow_partial\": true, \"allow_covering\": false}'",
        j.is_discarded() ? "; this is not valid JSON (a syntax error, or a number out of range)"
                         : ""));
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    absl::Status s = ParseOption(it.key(), it.value(), &o);
    if (!s.ok()) return s;
  }
  return o;
}

}  // namespace doctor::indexes
