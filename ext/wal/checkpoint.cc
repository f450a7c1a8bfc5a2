// doctor_checkpoint(mode [, schema]) and the wal_checkpoints history.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/wal/tracker.h"
#include "ext/wal/wal_internal.h"
#include "nlohmann/json.hpp"

namespace doctor::wal {
namespace {

struct Mode {
  const char* name;
  int value;
};
constexpr Mode kModes[] = {
    {"PASSIVE", SQLITE_CHECKPOINT_PASSIVE},
    {"FULL", SQLITE_CHECKPOINT_FULL},
    {"RESTART", SQLITE_CHECKPOINT_RESTART},
    {"TRUNCATE", SQLITE_CHECKPOINT_TRUNCATE},
};

template <typename T>
nlohmann::json JsonOpt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

absl::StatusOr<Value> Checkpoint(FunctionCall& call) {
  Connection& c = call.connection();
  sqlite3* db = c.db();
  SyncBusyHandler(c);
  ASSIGN_OR_RETURN(std::string mode_text, call.args().Text(0, "mode"));
  const Mode* mode = nullptr;
  for (const Mode& m : kModes) {
    if (absl::EqualsIgnoreCase(mode_text, m.name)) mode = &m;
  }
  if (mode == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mode must be one of PASSIVE, FULL, RESTART, TRUNCATE; got '", mode_text, "'"));
  }
  ASSIGN_OR_RETURN(std::string wanted, call.args().TextOr(1, "schema", "main"));
  ASSIGN_OR_RETURN(std::string schema, ResolveSchema(c, wanted));

  const std::optional<uint64_t> before = WalBytes(db, schema);
  int log = -1, done = -1;
  const double start = MonotonicMs();
  const int rc = sqlite3_wal_checkpoint_v2(db, schema.c_str(), mode->value, &log, &done);
  const double ms = MonotonicMs() - start;
  if (rc == SQLITE_LOCKED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot checkpoint '", schema,
        "' while this connection has a transaction open on it; run it outside BEGIN ... COMMIT"));
  }
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    return absl::InternalError(absl::StrCat("checkpoint of '", schema, "' failed: ",
                                            sqlite3_errmsg(db)));
  }
  const std::optional<uint64_t> after = WalBytes(db, schema);
  nlohmann::json out;
  out["schema"] = schema;
  out["mode"] = mode->name;
  if (log < 0) {  // not a WAL database (or in-memory): SQLite reports -1 frames
    out["result"] = "not_wal";
    out["busy"] = false;
    out["log_frames"] = nullptr;
    out["checkpointed_frames"] = nullptr;
  } else {
    out["result"] = rc == SQLITE_BUSY ? "busy" : (done == log ? "done" : "partial");
    out["busy"] = rc == SQLITE_BUSY;
    out["log_frames"] = log;
    out["checkpointed_frames"] = done;
  }
  out["ms"] = ms;
  out["wal_bytes_before"] = JsonOpt(before);
  out["wal_bytes_after"] = JsonOpt(after);

  if (log >= 0) {
    CheckpointRecord r;
    r.at_ms = UnixMs();
    const char* file = sqlite3_db_filename(db, schema.c_str());
    r.file = file ? file : "";
    r.schema = schema;
    r.mode = mode->name;
    r.ms = ms;
    r.busy = rc == SQLITE_BUSY;
    r.log_frames = log;
    r.checkpointed_frames = done;
    if (after) r.wal_bytes_after = static_cast<int64_t>(*after);
    std::string problem;
    std::optional<WalIndex> index;
    auto locking = Query(c, absl::StrCat("PRAGMA ", QuoteIdentifier(schema), ".locking_mode"));
    if (locking.ok() && !locking->empty() &&
        !absl::EqualsIgnoreCase((*locking)[0][0].AsText(), "exclusive")) {
      index = ReadIndex(db, schema, &problem);
    }
    Tracker::Get().Record(r, index, static_cast<size_t>(kCheckpointHistory.Get()));
  }
  return Value(out.dump());
}

absl::StatusOr<Rows> WalCheckpoints(TableCall& call) {
  Rows rows;
  for (const CheckpointRecord& r : Tracker::Get().History()) {
    rows.push_back({IsoTime(r.at_ms), r.schema, r.mode, Opt(r.ms), r.busy, Opt(r.log_frames),
                    Opt(r.checkpointed_frames), Opt(r.wal_bytes_after), r.file});
  }
  return rows;
}

}  // namespace doctor::wal
