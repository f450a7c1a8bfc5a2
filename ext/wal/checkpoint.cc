// doctor_checkpoint(mode [, schema [, timeout_ms]]) and the wal_checkpoints history.
//
// How it works: the wal-index header is read before and after sqlite3_wal_checkpoint_v2, so the
// result says what happened for every mode (TRUNCATE resets the WAL, and SQLite then returns 0
// log and 0 checkpointed frames). With timeout_ms, the connection's busy handler waits at most
// that long during the checkpoint (ScopedBusyTimeout) and gets its own timeout back afterwards.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/json_text.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/core/time.h"
#include "ext/wal/tracker.h"
#include "ext/wal/wal_columns.h"
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

// What one checkpoint did.
struct Outcome {
  std::string schema;
  const Mode* mode = nullptr;
  int rc = SQLITE_OK;
  int log = -1, done = -1;  // as sqlite3_wal_checkpoint_v2 returns them
  double ms = 0;
  std::optional<uint64_t> bytes_before, bytes_after;
  std::optional<WalIndex> before, after;  // trusted wal-index headers, when readable
  bool timeout_applied = false;
};

template <typename T>
nlohmann::json JsonOpt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

absl::StatusOr<const Mode*> ParseMode(const std::string& text) {
  for (const Mode& m : kModes) {
    if (absl::EqualsIgnoreCase(text, m.name)) return &m;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("mode must be one of PASSIVE, FULL, RESTART, TRUNCATE; got '", text, "'"));
}

absl::Status Run(Connection& c, std::optional<int64_t> timeout_ms, Outcome& o) {
  sqlite3* db = c.db();
  o.bytes_before = WalBytes(db, o.schema);
  o.before = ReadTrustedIndex(c, o.schema);
  {
    ScopedBusyTimeout bounded(c, timeout_ms);
    o.timeout_applied = bounded.applied();
    const double start = MonotonicMs();
    o.rc = sqlite3_wal_checkpoint_v2(db, o.schema.c_str(), o.mode->value, &o.log, &o.done);
    o.ms = MonotonicMs() - start;
  }
  if (o.rc == SQLITE_LOCKED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot checkpoint '", o.schema,
        "' while this connection has a transaction open on it; run it outside BEGIN ... COMMIT"));
  }
  if (o.rc != SQLITE_OK && o.rc != SQLITE_BUSY) {
    return absl::InternalError(
        absl::StrCat("checkpoint of '", o.schema, "' failed: ", sqlite3_errmsg(db)));
  }
  o.bytes_after = WalBytes(db, o.schema);
  if (o.log >= 0) o.after = ReadTrustedIndex(c, o.schema);
  return absl::OkStatus();
}

nlohmann::json ToJson(const Outcome& o, std::optional<int64_t> timeout_ms) {
  nlohmann::json out;
  out["schema"] = o.schema;
  out["mode"] = o.mode->name;
  const bool wal = o.log >= 0;  // not a WAL database (or in-memory): SQLite reports -1 frames
  out["result"] = !wal                  ? "not_wal"
                  : o.rc == SQLITE_BUSY ? "busy"
                  : o.done == o.log     ? "done"
                                        : "partial";
  out["busy"] = wal && o.rc == SQLITE_BUSY;
  out["log_frames"] = wal ? nlohmann::json(o.log) : nlohmann::json(nullptr);
  out["checkpointed_frames"] = wal ? nlohmann::json(o.done) : nlohmann::json(nullptr);
  auto frames = [](const std::optional<WalIndex>& ix, bool backfilled) {
    if (!ix) return nlohmann::json(nullptr);
    return nlohmann::json(backfilled ? ix->backfill : ix->header.mx_frame);
  };
  out["wal_frames_before"] = frames(o.before, false);
  out["backfilled_frames_before"] = frames(o.before, true);
  out["wal_frames_after"] = frames(o.after, false);
  out["backfilled_frames_after"] = frames(o.after, true);
  out["copied_frames"] = o.before && o.after ? nlohmann::json(FramesCopied(*o.before, *o.after))
                                             : nlohmann::json(nullptr);
  out["ms"] = o.ms;
  out["timeout_ms"] = JsonOpt(timeout_ms);
  if (timeout_ms) out["timeout_applied"] = o.timeout_applied;
  out["wal_bytes_before"] = JsonOpt(o.bytes_before);
  out["wal_bytes_after"] = JsonOpt(o.bytes_after);
  return out;
}

void Record(sqlite3* db, const Outcome& o) {
  CheckpointRecord r;
  r.at_ms = UnixMs();
  const char* file = sqlite3_db_filename(db, o.schema.c_str());
  r.file = file ? file : "";
  r.schema = o.schema;
  r.mode = o.mode->name;
  r.ms = o.ms;
  r.busy = o.rc == SQLITE_BUSY;
  r.log_frames = o.log;
  r.checkpointed_frames = o.done;
  if (o.bytes_after) r.wal_bytes_after = static_cast<int64_t>(*o.bytes_after);
  Tracker::Get().Record(r, o.after, static_cast<size_t>(kCheckpointHistory.Get()));
}

}  // namespace

absl::StatusOr<Value> Checkpoint(FunctionCall& call) {
  Connection& c = call.connection();
  SyncBusyHandler(c);
  Outcome o;
  ASSIGN_OR_RETURN(std::string mode_text, call.args().Text(0, "mode"));
  ASSIGN_OR_RETURN(o.mode, ParseMode(mode_text));
  ASSIGN_OR_RETURN(std::string wanted, call.args().TextOr(1, "schema", "main"));
  ASSIGN_OR_RETURN(o.schema, ResolveSchema(c, wanted));
  std::optional<int64_t> timeout_ms;
  if (!call.args().Missing(2)) {
    ASSIGN_OR_RETURN(timeout_ms, call.args().Int(2, "timeout_ms"));
    if (*timeout_ms < 0 || *timeout_ms > 3600000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "timeout_ms must be an integer from 0 to 3600000; got ", *timeout_ms));
    }
  }
  RETURN_IF_ERROR(Run(c, timeout_ms, o));
  if (o.log >= 0) Record(c.db(), o);
  return Value(JsonText(ToJson(o, timeout_ms)));  // a schema name need not be UTF-8
}

absl::StatusOr<Rows> WalCheckpoints(TableCall& call) {
  RowBuilder rows(kWalCheckpointsColumns);
  for (const CheckpointRecord& r : Tracker::Get().History()) {
    rows.NewRow();
    rows.Set("at", IsoTime(r.at_ms));
    rows.Set("schema", r.schema);
    rows.Set("mode", r.mode);
    rows.Set("ms", Opt(r.ms));
    rows.Set("busy", r.busy);
    rows.Set("log_frames", Opt(r.log_frames));
    rows.Set("checkpointed_frames", Opt(r.checkpointed_frames));
    rows.Set("wal_bytes_after", Opt(r.wal_bytes_after));
    rows.Set("file", r.file);
  }
  return rows.Finish();
}

}  // namespace doctor::wal
