// The meta area's implementations, one file each; meta.cc declares them to SQL.
#ifndef DOCTOR_META_META_INTERNAL_H_
#define DOCTOR_META_META_INTERNAL_H_

#include "ext/core/function.h"
#include "ext/core/table.h"

namespace doctor::meta {

absl::StatusOr<Value> Version(FunctionCall& call);
absl::StatusOr<Value> Debug(FunctionCall& call);
absl::StatusOr<Rows> Help(TableCall& call);
absl::StatusOr<Rows> Config(TableCall& call);
absl::StatusOr<Value> Set(FunctionCall& call);
absl::StatusOr<Value> Autoload(FunctionCall& call);

}  // namespace doctor::meta

#endif  // DOCTOR_META_META_INTERNAL_H_
