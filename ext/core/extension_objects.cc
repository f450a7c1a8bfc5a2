#include "ext/core/extension_objects.h"

#include "absl/strings/match.h"
#include "ext/core/area.h"
#include "ext/core/sql_normalize.h"

namespace doctor {

bool IsExtensionObject(const Connection& connection, absl::string_view name) {
  for (const Area* area : connection.areas()) {
    for (const FunctionSpec& f : area->functions) {
      if (absl::EqualsIgnoreCase(name, f.name)) return true;
    }
    for (const TableSpec& t : area->tables) {
      if (absl::EqualsIgnoreCase(name, t.name)) return true;
    }
  }
  return false;
}

bool CallsTheExtension(const Connection& connection, absl::string_view sql) {
  for (const Token& token : TokenizeSql(sql)) {
    if (token.kind == TokenKind::kWord && IsExtensionObject(connection, token.text)) return true;
    if (token.kind == TokenKind::kQuotedName &&
        IsExtensionObject(connection, UnquoteSql(token.text))) {
      return true;
    }
  }
  return false;
}

}  // namespace doctor
