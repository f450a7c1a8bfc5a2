#include "ext/core/table_rows.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"

namespace doctor {

RowBuilder::RowBuilder(absl::Span<const Column> columns) : columns_(columns) {
  for (size_t i = 0; i < columns.size(); ++i) index_.emplace(columns[i].name, i);
}

void RowBuilder::NewRow() { rows_.emplace_back(columns_.size()); }

void RowBuilder::Set(absl::string_view column, Value value) {
  auto it = index_.find(column);
  if (it == index_.end()) {
    std::string name(column);
    for (const std::string& seen : unknown_) {
      if (seen == name) return;
    }
    unknown_.push_back(std::move(name));
    return;
  }
  if (rows_.empty()) {
    unknown_.push_back(absl::StrCat(column, " (set before NewRow)"));
    return;
  }
  rows_.back()[it->second] = std::move(value);
}

absl::StatusOr<Rows> RowBuilder::Finish() {
  if (!unknown_.empty()) {
    return absl::InternalError(
        absl::StrCat("row built with undeclared column(s): ", absl::StrJoin(unknown_, ", ")));
  }
  return std::move(rows_);
}

namespace {

// Splits "name TEXT, kind TEXT" at top-level commas.
std::vector<DeclaredColumn> ParsePositional(absl::string_view columns) {
  std::vector<DeclaredColumn> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= columns.size(); ++i) {
    const char c = i < columns.size() ? columns[i] : ',';
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c != ',' || depth != 0) continue;
    absl::string_view part = absl::StripAsciiWhitespace(columns.substr(start, i - start));
    start = i + 1;
    if (part.empty()) continue;
    size_t space = part.find_first_of(" \t\n");
    DeclaredColumn column;
    column.name = std::string(part.substr(0, space));
    if (space != absl::string_view::npos) {
      column.type = std::string(absl::StripAsciiWhitespace(part.substr(space)));
    }
    out.push_back(std::move(column));
  }
  return out;
}

}  // namespace

std::vector<DeclaredColumn> ColumnsOf(const TableSpec& spec) {
  if (spec.columns != nullptr) return ParsePositional(spec.columns);
  std::vector<DeclaredColumn> out;
  for (const Column& c : spec.column_list) out.push_back({c.name, c.type, c.doc});
  return out;
}

std::string DeclarationOf(const TableSpec& spec) {
  std::vector<std::string> parts;
  if (spec.columns != nullptr) {
    parts.push_back(spec.columns);
  } else {
    for (const Column& c : spec.column_list) {
      parts.push_back(absl::StrCat(QuoteIdentifier(c.name), *c.type ? " " : "", c.type));
    }
  }
  for (const TableArg& arg : spec.args) parts.push_back(QuoteIdentifier(arg.name) + " HIDDEN");
  return absl::StrCat("CREATE TABLE x(", absl::StrJoin(parts, ", "), ")");
}

}  // namespace doctor
