#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/register.h"
#include "ext/core/setting.h"
#include "ext/core/status_macros.h"
#include "ext/meta/meta_internal.h"

namespace doctor::meta {

absl::StatusOr<Rows> Config(TableCall& call) {
  Rows rows;
  for (const Area* area : call.connection().areas()) {
    for (const Setting* s : area->settings) {
      rows.push_back({s->name(), s->Display(), s->DefaultDisplay(), s->summary(), s->Accepts()});
    }
  }
  return rows;
}

absl::StatusOr<Value> Set(FunctionCall& call) {
  ASSIGN_OR_RETURN(std::string name, call.args().Text(0, "name"));
  auto areas = call.connection().areas();
  Setting* setting = FindSetting(areas, name);
  if (setting == nullptr) {
    std::vector<std::string> known;
    for (const Area* area : areas) {
      for (const Setting* s : area->settings) known.push_back(s->name());
    }
    return absl::NotFoundError(absl::StrCat("unknown setting '", name, "'; known settings: ",
                                            known.empty() ? "none" : absl::StrJoin(known, ", ")));
  }
  RETURN_IF_ERROR(setting->Set(call.args().AsValue(1)));
  if (setting->apply() != nullptr) setting->apply()(call.connection());
  return Value(setting->Display());
}

}  // namespace doctor::meta
