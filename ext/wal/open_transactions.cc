// open_transactions: this process's open explicit transactions, one row per connection and
// schema, from what each connection's own thread published (core TransactionWatch, fed by
// statement timing's trace callback). The asking connection's own state is read exactly
// (sqlite3_txn_state on its thread); other connections' sqlite3* are never touched.
#include <string>
#include <vector>

#include "ext/core/register.h"
#include "ext/core/table_rows.h"
#include "ext/core/time.h"
#include "ext/core/transaction_watch.h"
#include "ext/wal/wal_columns.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {
namespace {

const char* StateName(int state) {
  return state == SQLITE_TXN_WRITE ? "write" : state == SQLITE_TXN_READ ? "read" : "none";
}

// The asking connection's transaction per schema, exactly (its own thread). Empty in autocommit
// mode: the only transaction then is the one of the statement reading this table.
std::vector<OpenTransaction::Schema> OwnSchemas(sqlite3* db) {
  std::vector<OpenTransaction::Schema> out;
  if (sqlite3_get_autocommit(db) || !SqliteAtLeast(3034000)) return out;
  for (const FileDb& f : FileDatabases(db)) {
    const int state = sqlite3_txn_state(db, f.schema.c_str());
    if (state > SQLITE_TXN_NONE) out.push_back({f.schema, f.file, state});
  }
  for (const char* other : {"temp"}) {  // FileDatabases leaves temp and in-memory ones out
    const int state = sqlite3_txn_state(db, other);
    if (state > SQLITE_TXN_NONE) out.push_back({other, "", state});
  }
  return out;
}

// The statement text shown: normalized, or as written when stats_share_examples is on.
Value Statement(const std::string& query, const std::string& example, bool examples) {
  const std::string& text = examples && !example.empty() ? example : query;
  return text.empty() ? Value::Null() : Value(text);
}

void AddRows(RowBuilder& rows, const OpenTransaction& t, bool mine, bool known, bool examples,
             double now_ms) {
  std::vector<OpenTransaction::Schema> schemas = t.schemas;
  if (schemas.empty()) schemas.push_back({"", "", SQLITE_TXN_NONE});  // begun, nothing read yet
  for (const OpenTransaction::Schema& s : schemas) {
    rows.NewRow();
    rows.Set("connection", t.connection);
    rows.Set("this_connection", mine ? 1 : 0);
    rows.Set("schema", s.name.empty() ? Value::Null() : Value(s.name));
    rows.Set("file", s.name.empty() ? Value::Null() : Value(s.file));
    rows.Set("state", StateName(s.state));
    if (!known) continue;  // a transaction of the asking connection that timing did not see
    rows.Set("mode", t.mode);
    rows.Set("upgraded", t.upgraded ? 1 : 0);
    rows.Set("age_ms", now_ms - t.started_ms);
    rows.Set("started_at", IsoTime(t.started_unix_ms));
    rows.Set("begin_statement", Statement(t.begin_query, t.begin_example, examples));
    rows.Set("first_statement", Statement(t.first_query, t.first_example, examples));
  }
}

}  // namespace

absl::StatusOr<Rows> OpenTransactionsTable(TableCall& call) {
  Connection& me = call.connection();
  const Setting* share = FindSetting(me.areas(), "stats_share_examples");
  const bool examples = share != nullptr && share->On();
  const double now_ms = MonotonicMs();
  const bool own_open = !sqlite3_get_autocommit(me.db());
  bool own_seen = false;
  RowBuilder rows(kOpenTransactionsColumns);
  for (OpenTransaction& t : OpenTransactions()) {
    const bool mine = t.connection == me.number();
    if (mine) {
      if (!own_open) continue;  // stale: cannot be, but the exact state wins
      t.schemas = OwnSchemas(me.db());
      own_seen = true;
    }
    AddRows(rows, t, mine, /*known=*/true, examples, now_ms);
  }
  if (own_open && !own_seen) {  // timing did not follow it (off, or the trace callback replaced)
    OpenTransaction t;
    t.connection = me.number();
    t.schemas = OwnSchemas(me.db());
    AddRows(rows, t, /*mine=*/true, /*known=*/false, examples, now_ms);
  }
  return rows.Finish();
}

}  // namespace doctor::wal
