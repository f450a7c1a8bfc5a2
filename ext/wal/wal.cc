#include "ext/wal/wal.h"

#include "ext/wal/wal_columns.h"
#include "ext/wal/wal_internal.h"

namespace doctor {
namespace wal {

Setting kBusyTimeoutMs =
    Setting::Int("busy_timeout_ms", -1, -1, 3600000,
                 "-1: doctor's counting busy handler takes over the application's busy timeout "
                 "(PRAGMA busy_timeout > 0) with the same wait; a connection with its own handler "
                 "or none is left alone. N >= 0: doctor's handler waiting N ms on the calling "
                 "connection at once and on the others at their next wait or read of lock_stats.")
        .WithApply(ApplyBusyTimeoutSetting);
Setting kCheckpointHistory = Setting::Int(
    "wal_checkpoint_history", 200, 1, 100000,
    "How many checkpoints wal_checkpoints remembers (process-wide, oldest dropped first).");

}  // namespace wal

namespace {

Setting* const kSettings[] = {&wal::kBusyTimeoutMs, &wal::kCheckpointHistory};

// The argument cannot be called "schema": that is a visible column.
const TableArg kSchemaArg[] = {{"schema_name", false}};

const FunctionSpec kFunctions[] = {
    {"doctor_checkpoint", 1, 3, Trust::kDirectOnly, wal::Checkpoint,
     "doctor_checkpoint(mode TEXT [, schema TEXT [, timeout_ms INTEGER]]) -> TEXT (JSON)",
     "Runs a WAL checkpoint (PASSIVE, FULL, RESTART or TRUNCATE) on schema (default main), "
     "waiting for locks at most timeout_ms (default: the connection's busy timeout), and returns "
     "JSON: result (done | partial | busy | not_wal), log_frames, checkpointed_frames, frames "
     "before and after from the wal-index, copied_frames, ms, wal_bytes_before, wal_bytes_after; "
     "recorded in wal_checkpoints."},
};

constexpr TableArg kVersionArg[] = {{"version", false}};

const TableSpec kTables[] = {
    {"wal_health",
     nullptr,
     kSchemaArg,
     true,
     wal::WalHealth,
     "SELECT * FROM wal_health[(schema_name)]",
     "One row per attached database (or the one named): WAL size and frames, frames not yet "
     "checkpointed, readers pinning a snapshot, settings, checkpoints seen, status "
     "(ok | warn | critical | n/a) and advice. Reads the wal-index without taking any lock.",
     wal::kWalHealthColumns},
    {"wal_checkpoints",
     nullptr,
     {},
     true,
     wal::WalCheckpoints,
     "SELECT * FROM wal_checkpoints",
     "Checkpoints this process ran (doctor_checkpoint) or saw happen between two reads of "
     "wal_health (mode 'observed'), oldest first; bounded by wal_checkpoint_history.",
     wal::kWalCheckpointsColumns},
    {"lock_stats",
     nullptr,
     {},
     true,
     wal::LockStats,
     "SELECT * FROM lock_stats",
     "One row per database file open in this process (main or attached, all connections with the "
     "extension loaded; closed connections' counts kept): connections and how many of them count "
     "(doctor's busy handler: it takes over SQLite's own busy timeout with the same wait), lock "
     "waits, time waited, longest wait, SQLITE_BUSY errors surfaced after a wait, and who holds "
     "the write lock now (writer, writer_pid).",
     wal::kLockStatsColumns},
    {"lock_stats_connections",
     nullptr,
     {},
     true,
     wal::LockStatsConnections,
     "SELECT * FROM lock_stats_connections",
     "The detail behind lock_stats: one row per open connection with the extension loaded, its "
     "busy handler (doctor | application: its own handler or none, left alone) and its own counts "
     "over all its databases.",
     wal::kLockStatsConnectionsColumns},
    {"open_transactions",
     nullptr,
     {},
     true,
     wal::OpenTransactionsTable,
     "SELECT * FROM open_transactions",
     "This process's open explicit transactions (connections with the extension loaded and "
     "statement timing on), one row per connection and schema: read or write, deferred or "
     "immediate, upgraded from read to write, age in ms, the statement that began it and the "
     "first one inside it (normalized).",
     wal::kOpenTransactionsColumns},
    {"doctor_known_issues",
     nullptr,
     kVersionArg,
     false,
     wal::KnownIssuesTable,
     "SELECT * FROM doctor_known_issues([version]) WHERE affected",
     "Known problems of the SQLite library in use, decided from its version and build: the "
     "WAL-reset bug (3.7.0 to 3.51.2; fixed in 3.51.3, 3.50.7, 3.44.6; what is at risk is a "
     "checkpoint an affected SQLite runs), a build without the progress handler. One row per "
     "issue; affected is 1 when this SQLite has it; fix says what to upgrade to. With a version "
     "('3.40.1', another process's SQLite): the issues of that version, affected NULL for those "
     "of a build.",
     wal::kKnownIssuesColumns},
};

}  // namespace

const Area kWalArea = {"wal", kFunctions, kTables, kSettings, wal::Attach};

}  // namespace doctor
