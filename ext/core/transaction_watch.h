// This process's open transactions, as each connection's own thread sees them, for the WAL
// area's open_transactions table and doctor_report.
//
// How it works: statement timing's trace callback (ext/timing/trace.cc) calls
// TransactionWatch::AfterRun at the end of every run of the application's statements. Outside a
// transaction only a transaction-control statement (BEGIN, SAVEPOINT) can begin one, so other
// statements cost one flag test; transaction-control statements and statements inside a
// transaction read sqlite3_get_autocommit() (a field read) and compare it with the last value.
// Only when the connection leaves autocommit mode (BEGIN, SAVEPOINT) does it take a timestamp
// and record the statement; inside the transaction it reads sqlite3_txn_state after each
// statement until the transaction is a writer and its first statement is known (so a
// transaction that only reads pays that call per statement); at COMMIT/ROLLBACK (autocommit
// again) the record goes. Each change is published into a process-wide registry under one
// mutex (a leaf lock: nothing else is taken or called while it is held), so a reader on any
// thread gets copies and never touches another connection's sqlite3*. A connection that closes
// drops its record (the watch's destructor).
//
// Not seen: transactions begun by a statement that was not timed, transactions of connections
// whose statements are not timed (timing off, the
// application's own trace callback, the extension not loaded there), implicit transactions of a
// single statement in autocommit mode, and a state change in the middle of a statement (it is
// published when the statement's run ends).
//
// Example:
//   TransactionWatch watch(db, connection.number());    // per connection, on its thread
//   watch.AfterRun(is_begin_or_commit, query, example);  // after each run
//   for (const OpenTransaction& t : OpenTransactions()) ...  // any thread
#ifndef DOCTOR_CORE_TRANSACTION_WATCH_H_
#define DOCTOR_CORE_TRANSACTION_WATCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/attributes.h"
#include "ext/core/sqlite.h"

namespace doctor {

// One open explicit transaction of a connection of this process.
struct OpenTransaction {
  int64_t connection = 0;       // Connection::number()
  int64_t started_unix_ms = 0;  // when the statement that began it ended
  double started_ms = 0;        // the same, MonotonicMs(), for its age
  // The statement that began it (BEGIN ..., SAVEPOINT ...), normalized and as written; empty
  // when the connection left autocommit mode in a statement that was not timed.
  std::string begin_query, begin_example;
  // The first statement run inside it; empty until one ended.
  std::string first_query, first_example;
  const char* mode = "deferred";  // deferred | immediate | exclusive
  bool upgraded = false;          // it held a read transaction before it became a writer
  struct Schema {
    std::string name;
    std::string file;  // its file ('' for in-memory and temp)
    int state = 0;     // SQLITE_TXN_READ | SQLITE_TXN_WRITE
  };
  std::vector<Schema> schemas;  // those with a transaction, as of the last statement's end
};

// Follows one connection's explicit transactions. Only on the connection's own thread.
class TransactionWatch {
 public:
  TransactionWatch(sqlite3* db, int64_t connection) : db_(db), connection_(connection) {}
  ~TransactionWatch();
  TransactionWatch(const TransactionWatch&) = delete;
  TransactionWatch& operator=(const TransactionWatch&) = delete;

  // After a run of the application's statement `query` (normalized; `example` as written);
  // `transaction_control`: BEGIN, COMMIT, ROLLBACK, SAVEPOINT or RELEASE. Outside a transaction
  // only those can begin one, so other statements cost a flag test; inside one every statement
  // checks the autocommit flag (an error may have rolled the transaction back).
  void AfterRun(bool transaction_control, const std::string& query, const std::string& example) {
    if (autocommit_ && !transaction_control) return;
    if ((sqlite3_get_autocommit(db_) != 0) == autocommit_ && !watching_) return;
    Update(query, example);
  }

 private:
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void Update(const std::string& query,
                                                          const std::string& example);
  // Reads sqlite3_txn_state of the whole connection; on a change, of each schema. True when
  // something changed.
  bool RefreshState();

  sqlite3* const db_;
  const int64_t connection_;
  bool autocommit_ = true;
  bool watching_ = false;  // in a transaction not yet a writer, or whose first statement is unknown
  int state_ = 0;          // the connection's highest sqlite3_txn_state
  OpenTransaction txn_;
};

// Copies of every open transaction recorded now, by connection number. Any thread.
std::vector<OpenTransaction> OpenTransactions();

}  // namespace doctor

#endif  // DOCTOR_CORE_TRANSACTION_WATCH_H_
