// Early-return helpers for absl::Status and absl::StatusOr<T>. Abseil
// 20220623 has none of its own.
#ifndef PROTO_COMMON_STATUS_MACROS_H_
#define PROTO_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MISSIONS_CONCAT_INNER_(a, b) a##b
#define MISSIONS_CONCAT_(a, b) MISSIONS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// if it is not OK.
#define RETURN_IF_ERROR(expr) \
  RETURN_IF_ERROR_IMPL_(MISSIONS_CONCAT_(_status_, __COUNTER__), expr)

#define RETURN_IF_ERROR_IMPL_(status, expr)             \
  do {                                                  \
    if (::absl::Status status = (expr); !status.ok()) { \
      return status;                                    \
    }                                                   \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status from the
// enclosing function if it is not OK, else moves the value into `lhs`
// (which may be a declaration such as `auto x`).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(MISSIONS_CONCAT_(_statusor_, __COUNTER__), lhs, rexpr)

#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                           \
  if (!statusor.ok()) {                              \
    return std::move(statusor).status();             \
  }                                                  \
  lhs = *std::move(statusor)

#endif  // PROTO_COMMON_STATUS_MACROS_H_
