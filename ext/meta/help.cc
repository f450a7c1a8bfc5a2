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

}  // namespace

absl::StatusOr<Rows> Help(TableCall& call) {
  Rows rows;
  for (const Area* area : call.connection().areas()) {
    for (const FunctionSpec& f : area->functions) {
      rows.push_back({f.name, "function", f.signature, f.summary, area->name, FlagsOf(f.trust)});
    }
    for (const TableSpec& t : area->tables) {
      rows.push_back({t.name, "table", t.signature, t.summary, area->name,
                      t.direct_only ? "directonly" : "innocuous"});
    }
  }
  return rows;
}

}  // namespace doctor::meta
