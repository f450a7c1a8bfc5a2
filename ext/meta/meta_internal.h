// The meta area's implementations, one file each; meta.cc declares them to SQL.
#ifndef DOCTOR_META_META_INTERNAL_H_
#define DOCTOR_META_META_INTERNAL_H_

#include "ext/core/function.h"
#include "ext/core/table.h"

namespace doctor::meta {

// The columns of the meta tables, shared by their declarations (meta.cc) and row builders.
inline constexpr Column kHelpColumns[] = {
    {"name", "TEXT", "The function's or table's SQL name."},
    {"kind", "TEXT", "function | table."},
    {"signature", "TEXT", "How it is called, with argument names and result type."},
    {"summary", "TEXT", "One sentence: what it does."},
    {"area", "TEXT", "The area (folder under ext/) that declares it."},
    {"flags", "TEXT", "Trust flags: deterministic innocuous | innocuous | directonly."},
};

inline constexpr Column kHelpColumnsColumns[] = {
    {"table_name", "TEXT", "The table the column belongs to (a row of doctor_help)."},
    {"position", "INTEGER", "0-based position, as pragma_table_xinfo's cid."},
    {"name", "TEXT", "The column's name."},
    {"type", "TEXT", "Its declared type; empty for any type or an argument."},
    {"kind", "TEXT", "column | argument | required argument (arguments are hidden columns "
                     "given as table(...) arguments)."},
    {"doc", "TEXT", "One line: what the column holds; empty where the table declares none."},
};

inline constexpr Column kConfigColumns[] = {
    {"name", "TEXT", "The setting's name, as doctor_set takes it."},
    {"value", "TEXT", "Its current value in this process."},
    {"default_value", "TEXT", "Its value when the extension is loaded."},
    {"summary", "TEXT", "What it does."},
    {"accepts", "TEXT", "The values doctor_set accepts for it."},
};

absl::StatusOr<Value> Version(FunctionCall& call);
absl::StatusOr<Value> Debug(FunctionCall& call);
absl::StatusOr<Rows> Help(TableCall& call);
absl::StatusOr<Rows> HelpColumns(TableCall& call);
absl::StatusOr<Rows> Config(TableCall& call);
absl::StatusOr<Value> Set(FunctionCall& call);
absl::StatusOr<Value> Autoload(FunctionCall& call);

}  // namespace doctor::meta

#endif  // DOCTOR_META_META_INTERNAL_H_
