#include "ext/core/table_rows.h"
#include "ext/meta/meta_internal.h"

namespace doctor::meta {
namespace {

const char* FlagsOf(Trust trust) {
  switch (trust) {
    case Trust::kPure:
      return "deterministic innocuous";
    case Trust::kVolatile:
      return "innocuous";
    case Trust::kDirectOnly:
      return "directonly";
  }
  return "";
}

void AddHelpRow(RowBuilder& rows, const char* name, const char* kind, const char* signature,
                const char* summary, const char* area, const char* flags) {
  rows.NewRow();
  rows.Set("name", name);
  rows.Set("kind", kind);
  rows.Set("signature", signature);
  rows.Set("summary", summary);
  rows.Set("area", area);
  rows.Set("flags", flags);
}

}  // namespace

absl::StatusOr<Rows> Help(TableCall& call) {
  RowBuilder rows(kHelpColumns);
  for (const Area* area : call.connection().areas()) {
    for (const FunctionSpec& f : area->functions) {
      AddHelpRow(rows, f.name, "function", f.signature, f.summary, area->name, FlagsOf(f.trust));
    }
    for (const TableSpec& t : area->tables) {
      AddHelpRow(rows, t.name, "table", t.signature, t.summary, area->name,
                 t.direct_only ? "directonly" : "innocuous");
    }
  }
  return rows.Finish();
}

absl::StatusOr<Rows> HelpColumns(TableCall& call) {
  RowBuilder rows(kHelpColumnsColumns);
  for (const Area* area : call.connection().areas()) {
    for (const TableSpec& t : area->tables) {
      int position = 0;
      for (const DeclaredColumn& c : ColumnsOf(t)) {
        rows.NewRow();
        rows.Set("table_name", t.name);
        rows.Set("position", position++);
        rows.Set("name", c.name);
        rows.Set("type", c.type);
        rows.Set("kind", "column");
        rows.Set("doc", c.doc);
      }
      for (const TableArg& arg : t.args) {
        rows.NewRow();
        rows.Set("table_name", t.name);
        rows.Set("position", position++);
        rows.Set("name", arg.name);
        rows.Set("type", "");
        rows.Set("kind", arg.required ? "required argument" : "argument");
        rows.Set("doc", "");
      }
    }
  }
  return rows.Finish();
}

}  // namespace doctor::meta
