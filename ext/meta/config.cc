#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/register.h"
#include "ext/core/setting.h"
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/meta/meta_internal.h"

namespace doctor::meta {

absl::StatusOr<Rows> Config(TableCall& call) {
  RowBuilder rows(kConfigColumns);
  for (const Area* area : call.connection().areas()) {
    for (const Setting* s : area->settings) {
      rows.NewRow();
      rows.Set("name", s->name());
      rows.Set("value", s->Display());
      rows.Set("default_value", s->DefaultDisplay());
      rows.Set("summary", s->summary());
      rows.Set("accepts", s->Accepts());
    }
  }
  return rows.Finish();
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
