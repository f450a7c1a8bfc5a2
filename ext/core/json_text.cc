#include "ext/core/json_text.h"

#include "ext/core/text.h"

namespace doctor {
namespace {

void AppendForMessage(const nlohmann::json& v, int depth, std::string* out) {
  if (!v.is_structured()) {
    out->append(JsonText(v));
    return;
  }
  const bool array = v.is_array();
  if (depth == 0 && !v.empty()) {
    out->append(array ? "[...]" : "{...}");
    return;
  }
  out->push_back(array ? '[' : '{');
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out->push_back(',');
    first = false;
    if (out->size() > kMessageBytes) {  // the caller cuts; the rest would not be shown
      out->append("...");
      break;
    }
    if (!array) out->append(JsonText(it.key()) + ":");
    AppendForMessage(it.value(), depth - 1, out);
  }
  out->push_back(array ? ']' : '}');
}

}  // namespace

std::string JsonForMessage(const nlohmann::json& v) {
  std::string out;
  AppendForMessage(v, kMessageDepth, &out);
  if (out.size() <= kMessageBytes) return out;
  return std::string(Utf8Prefix(out, kMessageBytes)) + "...";
}

std::string JsonText(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace doctor
