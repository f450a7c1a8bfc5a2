#include "ext/core/function.h"

#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "absl/strings/str_cat.h"
#include "ext/core/text.h"
#include "ext/core/top_level_call.h"

namespace doctor {
namespace {

struct Binding {
  const FunctionSpec* spec;
  Connection* connection;
};

int FlagsFor(Trust trust) {
  switch (trust) {
    case Trust::kPure:
      return SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    case Trust::kVolatile:
      return SQLITE_UTF8 | SQLITE_INNOCUOUS;
    case Trust::kDirectOnly:
      return SQLITE_UTF8 | SQLITE_DIRECTONLY;
  }
  return SQLITE_UTF8 | SQLITE_DIRECTONLY;
}

void SetError(sqlite3_context* ctx, const char* name, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  const std::string message =
      ShortenMiddle(absl::StrCat(name, ": ", status.message()), kMaxErrorBytes);
  sqlite3_result_error(ctx, message.c_str(), static_cast<int>(message.size()));
}

// True when a running statement of the connection calls the function itself (the rule is in
// top_level_call.h). SQLite 3.40 lets CHECK constraints call SQLITE_DIRECTONLY functions; a call
// that no running statement makes comes from the schema, so it is refused here too.
bool CalledByRunningStatement(sqlite3* db, const char* name) {
  for (sqlite3_stmt* stmt = sqlite3_next_stmt(db, nullptr); stmt != nullptr;
       stmt = sqlite3_next_stmt(db, stmt)) {
    if (!sqlite3_stmt_busy(stmt)) continue;
    const char* sql = sqlite3_sql(stmt);
    if (sql != nullptr && CallsAtTopLevel(sql, name)) return true;
  }
  return false;
}

void Call(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* binding = static_cast<Binding*>(sqlite3_user_data(ctx));
  const FunctionSpec& spec = *binding->spec;
  // No C++ exception may cross into SQLite.
  try {
    if (argc < spec.min_args || (spec.max_args >= 0 && argc > spec.max_args)) {
      SetError(ctx, spec.name, absl::InvalidArgumentError(absl::StrCat("usage: ", spec.signature)));
      return;
    }
    if (spec.trust == Trust::kDirectOnly &&
        !CalledByRunningStatement(sqlite3_context_db_handle(ctx), spec.name)) {
      std::string message = absl::StrCat("unsafe use of ", spec.name,
                                         "(): it can only be called from top-level SQL");
      sqlite3_result_error(ctx, message.c_str(), static_cast<int>(message.size()));
      return;
    }
    FunctionCall call(ctx, *binding->connection, argc, argv);
    absl::StatusOr<Value> result = spec.impl(call);
    if (absl::Status stop = binding->connection->TakeStop(); !stop.ok()) {
      SetError(ctx, spec.name, stop);  // private work was stopped: no partial answer
      if (stop.code() == absl::StatusCode::kCancelled) sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
    } else if (result.ok()) {
      SetResult(ctx, *result);
    } else {
      SetError(ctx, spec.name, result.status());
    }
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    SetError(ctx, spec.name, absl::InternalError(e.what()));
  } catch (...) {
    SetError(ctx, spec.name, absl::InternalError("unexpected failure"));
  }
}

void Destroy(void* p) {
  auto* binding = static_cast<Binding*>(p);
  binding->connection->Unref();
  delete binding;
}

}  // namespace

void SetResult(sqlite3_context* ctx, const Value& value) {
  struct Visitor {
    sqlite3_context* ctx;
    void operator()(std::monostate) const { sqlite3_result_null(ctx); }
    void operator()(int64_t v) const { sqlite3_result_int64(ctx, v); }
    void operator()(double v) const { sqlite3_result_double(ctx, v); }
    void operator()(const std::string& v) const {
      sqlite3_result_text64(ctx, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    void operator()(const Blob& v) const {
      sqlite3_result_blob64(ctx, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT);
    }
  };
  std::visit(Visitor{ctx}, value.storage());
}

absl::Status RegisterFunction(Connection& connection, const FunctionSpec& spec) {
  const int first = spec.max_args < 0 ? -1 : spec.min_args;
  const int last = spec.max_args < 0 ? -1 : spec.max_args;
  for (int n = first; n <= last; ++n) {
    auto* binding = new Binding{&spec, &connection};
    connection.Ref();  // before registering: replacing an old registration unrefs it
    // On failure SQLite calls Destroy itself, which drops the reference.
    int rc = sqlite3_create_function_v2(connection.db(), spec.name, n, FlagsFor(spec.trust), binding,
                                        Call, nullptr, nullptr, Destroy);
    if (rc != SQLITE_OK) {
      return absl::InternalError(
          absl::StrCat("cannot register function ", spec.name, ": ", sqlite3_errstr(rc)));
    }
  }
  return absl::OkStatus();
}

}  // namespace doctor
