// wal_health: one row per attached database (or the one named): what its WAL is doing now.
//
// How it works, for a database in WAL mode:
//   1. A one-row read of its schema table makes sure SQLite has opened the WAL and mapped the
//      wal-index (every first read does that anyway), then the read transaction ends.
//   2. The wal-index header is copied out of SQLite's own mapping (ReadIndex: FILE_POINTER +
//      xShmMap, no extend), both copies compared, retried on a torn read.
//   3. Shm lock holders come from ProbeShmLocks (F_GETLK / F_OFD_GETLK on a descriptor that stays
//      open for the life of the process); the WAL size from stat().
// Nothing is written, nothing checkpointed, no lock taken; the cost does not depend on the WAL's
// size.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/core/time.h"
#include "ext/wal/health.h"
#include "ext/wal/shm_locks.h"
#include "ext/wal/tracker.h"
#include "ext/wal/wal_columns.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {
namespace {

// A pragma's value, or NULL when it cannot be read (a row for every database, never an error).
Value Pragma(Connection& c, const std::string& schema, const char* name) {
  auto rows = Query(c, absl::StrCat("PRAGMA ", QuoteIdentifier(schema), ".", name));
  if (!rows.ok() || rows->empty() || (*rows)[0].empty()) return Value::Null();
  return (*rows)[0][0];
}

const char* SynchronousName(int64_t level) {
  switch (level) {
    case 0: return "OFF";
    case 1: return "NORMAL";
    case 2: return "FULL";
    case 3: return "EXTRA";
  }
  return "unknown";
}

// The WAL file's size, the wal-index header and the shm lock holders of a WAL database. The
// header is read before the size: a writer grows the file before it publishes frames, so the two
// agree unless a checkpoint restarted and truncated the WAL in between; then both are read again
// (at most three times) before the disagreement is reported.
void ReadWalState(Connection& c, const std::string& schema, const std::string& file,
                  WalFacts& facts) {
  sqlite3* db = c.db();
  if (facts.exclusive || !facts.read_problem.empty()) {
    facts.index_problem = facts.read_problem;
    facts.wal_bytes = WalBytes(db, schema);
    return;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    facts.index_problem.clear();
    facts.index = ReadIndex(db, schema, &facts.index_problem);
    facts.wal_bytes = WalBytes(db, schema);
    if (!facts.index || !facts.wal_bytes ||
        MismatchWithWalFile(*facts.index, *facts.wal_bytes).empty()) {
      break;
    }
  }
  facts.own_statement_reader = sqlite3_get_autocommit(db) != 0 &&
                               sqlite3_txn_state(db, schema.c_str()) == SQLITE_TXN_READ;
  auto locks = ProbeShmLocks(file + "-shm");
  if (locks.ok()) {
    facts.locks = *locks;
  } else {
    facts.locks_problem = std::string(locks.status().message());
  }
}

// Adds the row of one database to `rows`.
void HealthRow(Connection& c, const std::string& schema, RowBuilder& rows) {
  sqlite3* db = c.db();
  WalFacts facts;
  facts.temp = absl::EqualsIgnoreCase(schema, "temp");
  facts.schema_literal = QuoteLiteral(schema);
  const char* file_name = sqlite3_db_filename(db, schema.c_str());
  const std::string file = file_name ? file_name : "";
  facts.in_memory = file.empty();
  facts.immutable = !facts.in_memory && sqlite3_uri_boolean(file_name, "immutable", 0);
  if (facts.immutable) facts.wal_bytes = WalBytes(db, schema);

  if (!facts.temp && !facts.in_memory) {
    // Step 1: makes SQLite open the WAL and map the wal-index if it has not read yet.
    auto read = Query(c, absl::StrCat("SELECT 1 FROM ", QuoteIdentifier(schema),
                                      ".sqlite_master LIMIT 1"));
    if (!read.ok()) facts.read_problem = std::string(read.status().message());
  }
  const Value mode = Pragma(c, schema, "journal_mode");
  facts.journal_mode = absl::AsciiStrToLower(mode.AsText());
  const Value page_size = Pragma(c, schema, "page_size");
  const Value sync = Pragma(c, schema, "synchronous");
  facts.synchronous = sync.is_null() ? "" : SynchronousName(sync.AsInt());
  facts.journal_size_limit = Pragma(c, schema, "journal_size_limit").AsInt();
  const Value locking = Pragma(c, schema, "locking_mode");
  auto auto_rows = Query(c, "PRAGMA wal_autocheckpoint");
  facts.autocheckpoint =
      auto_rows.ok() && !auto_rows->empty() ? (*auto_rows)[0][0].AsInt() : 0;
  facts.read_only = sqlite3_db_readonly(db, schema.c_str()) == 1;

  const bool wal = facts.journal_mode == "wal" && !facts.temp && !facts.in_memory;
  std::optional<FileView> view;
  if (wal) {
    facts.exclusive = absl::EqualsIgnoreCase(locking.AsText(), "exclusive");
    ReadWalState(c, schema, file, facts);
    // A wal-index that disagrees with its WAL file is not trusted (Assess says so): the tracker
    // does not see it either.
    const bool trusted = facts.index && facts.wal_bytes &&
                         MismatchWithWalFile(*facts.index, *facts.wal_bytes).empty();
    view = Tracker::Get().Observe(file, schema, trusted ? facts.index : std::nullopt, UnixMs(),
                                  static_cast<size_t>(kCheckpointHistory.Get()));
  }
  const Health h = Assess(facts);
  rows.NewRow();
  rows.Set("schema", schema);
  rows.Set("file", file);
  rows.Set("journal_mode", facts.journal_mode);
  rows.Set("page_size", page_size);
  rows.Set("wal_bytes", Opt(facts.wal_bytes));
  rows.Set("wal_frames", Opt(h.wal_frames));
  rows.Set("backfilled_frames", Opt(h.backfilled_frames));
  rows.Set("pending_frames", Opt(h.pending_frames));
  rows.Set("readers", Opt(h.readers));
  rows.Set("oldest_reader_frame", Opt(h.oldest_reader_frame));
  rows.Set("autocheckpoint", facts.autocheckpoint);
  rows.Set("journal_size_limit", facts.journal_size_limit);
  if (!facts.synchronous.empty()) rows.Set("synchronous", facts.synchronous);
  if (view) {  // only WAL databases have checkpoint figures
    rows.Set("checkpoints", view->checkpoints);
    if (view->last_at_ms) rows.Set("last_checkpoint_at", IsoTime(*view->last_at_ms));
    rows.Set("last_checkpoint_ms", Opt(view->last_ms));
    rows.Set("commits_since_checkpoint", Opt(view->commits_since_checkpoint));
  }
  rows.Set("status", h.status);
  if (!h.advice.empty()) rows.Set("advice", absl::StrJoin(h.advice, " "));
}

}  // namespace

absl::StatusOr<Rows> WalHealth(TableCall& call) {
  Connection& c = call.connection();
  SyncBusyHandler(c);
  std::vector<std::string> schemas;
  if (!call.args().Missing(0)) {
    ASSIGN_OR_RETURN(std::string wanted, call.args().Text(0, "schema_name"));
    ASSIGN_OR_RETURN(std::string schema, ResolveSchema(c, wanted));
    schemas.push_back(schema);
  } else {
    ASSIGN_OR_RETURN(schemas, AttachedSchemas(c));
  }
  RowBuilder rows(kWalHealthColumns);
  for (const std::string& schema : schemas) HealthRow(c, schema, rows);
  return rows.Finish();
}

}  // namespace doctor::wal
