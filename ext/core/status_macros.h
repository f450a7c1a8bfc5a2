// Early-return helpers for absl::Status / absl::StatusOr (Abseil 20220623 ships none).
#ifndef DOCTOR_CORE_STATUS_MACROS_H_
#define DOCTOR_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DOCTOR_CONCAT_INNER_(a, b) a##b
#define DOCTOR_CONCAT_(a, b) DOCTOR_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status doctor_status_ = (expr);    \
    if (!doctor_status_.ok()) return doctor_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(DOCTOR_CONCAT_(doctor_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                           \
  if (!statusor.ok()) return statusor.status();     \
  lhs = std::move(statusor).value()

#endif  // DOCTOR_CORE_STATUS_MACROS_H_
