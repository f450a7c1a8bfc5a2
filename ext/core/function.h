// SQL scalar functions declared by FunctionSpec: the call object areas implement against, and
// their registration. Errors come back as "name: message" through sqlite3_result_error.
#ifndef DOCTOR_CORE_FUNCTION_H_
#define DOCTOR_CORE_FUNCTION_H_

#include "absl/status/status.h"
#include "ext/core/area.h"
#include "ext/core/args.h"
#include "ext/core/connection.h"

namespace doctor {

// The longest error text a function or table returns: a message quoting a huge input (SQLite's
// `near "<1 MB token>"`) keeps its start and end (ShortenMiddle in ext/core/text.h).
inline constexpr size_t kMaxErrorBytes = 4000;

class FunctionCall {
 public:
  FunctionCall(sqlite3_context* ctx, Connection& connection, int argc, sqlite3_value** argv)
      : ctx_(ctx), connection_(connection), args_(argv, argc) {}

  sqlite3_context* context() const { return ctx_; }
  Connection& connection() const { return connection_; }
  sqlite3* db() const { return connection_.db(); }
  const Args& args() const { return args_; }

 private:
  sqlite3_context* ctx_;
  Connection& connection_;
  Args args_;
};

// Registers one function (every arity from min_args to max_args) on the connection.
absl::Status RegisterFunction(Connection& connection, const FunctionSpec& spec);

// Sets a function's result from a Value.
void SetResult(sqlite3_context* ctx, const Value& value);

}  // namespace doctor

#endif  // DOCTOR_CORE_FUNCTION_H_
