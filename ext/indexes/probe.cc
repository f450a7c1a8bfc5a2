#include "ext/indexes/probe.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/args.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/indexes/sql_text.h"
#include "ext/indexes/standin_collations.h"

namespace doctor::indexes {
namespace {

// One mirrored table. argv[3] of CREATE VIRTUAL TABLE is the table's index in Scratch::tables().
struct ProbeTable {
  sqlite3_vtab base;  // first: SQLite sees a sqlite3_vtab*
  Probe* probe;
  int table;
};

struct ProbeCursor {
  sqlite3_vtab_cursor base;  // first; the cursor never has rows (statements are never run)
};

int ProbeConnect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
                 char** err) {
  auto* probe = static_cast<Probe*>(aux);
  if (argc < 4) {
    *err = sqlite3_mprintf("doctor_advisor_probe: internal use only");
    return SQLITE_ERROR;
  }
  const int index = std::atoi(argv[3]);
  const auto& tables = probe->scratch().tables();
  if (index < 0 || index >= static_cast<int>(tables.size())) return SQLITE_ERROR;
  std::vector<std::string> cols;
  for (const ColumnInfo& c : tables[index].columns) {
    std::string def = QuoteIdentifier(c.name);
    // The application's own collations too: the mirror has stand-ins (standin_collations.h).
    if (!c.collation.empty()) absl::StrAppend(&def, " COLLATE ", QuoteIdentifier(c.collation));
    cols.push_back(std::move(def));
  }
  for (const std::string& h : tables[index].hidden) cols.push_back(QuoteIdentifier(h) + " HIDDEN");
  std::string schema = absl::StrCat("CREATE TABLE x(", absl::StrJoin(cols, ", "), ")");
  int rc = sqlite3_declare_vtab(db, schema.c_str());
  if (rc != SQLITE_OK) return rc;
  auto* t = static_cast<ProbeTable*>(sqlite3_malloc(sizeof(ProbeTable)));
  if (t == nullptr) return SQLITE_NOMEM;
  memset(t, 0, sizeof(ProbeTable));
  t->probe = probe;
  t->table = index;
  *out = &t->base;
  return SQLITE_OK;
}

int ProbeDisconnect(sqlite3_vtab* vtab) {
  sqlite3_free(vtab);
  return SQLITE_OK;
}

// Records the usable constraints and the ORDER BY; plans with more usable constraints are made
// cheaper so the planner explores join orders where lookups are possible.
int ProbeBestIndex(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  auto* t = reinterpret_cast<ProbeTable*>(vtab);
  const TableInfo& table = t->probe->scratch().tables()[t->table];
  ProbeScan scan;
  scan.table = t->table;
  scan.columns_used = info->colUsed;
  int used = 0;
  try {
    for (int i = 0; i < info->nConstraint; ++i) {
      const auto& c = info->aConstraint[i];
      if (!c.usable || c.iColumn < 0 || c.iColumn >= static_cast<int>(table.columns.size())) {
        continue;
      }
      const bool rowid = table.integer_pk && table.columns[c.iColumn].pk == 1;
      bool eq;
      switch (c.op) {
        case SQLITE_INDEX_CONSTRAINT_EQ:
        case SQLITE_INDEX_CONSTRAINT_IS:
          eq = true;
          break;
        case SQLITE_INDEX_CONSTRAINT_GT:
        case SQLITE_INDEX_CONSTRAINT_GE:
        case SQLITE_INDEX_CONSTRAINT_LT:
        case SQLITE_INDEX_CONSTRAINT_LE:
          eq = false;
          break;
        default:
          continue;
      }
      ProbeConstraint pc;
      pc.column = c.iColumn;
      pc.eq = eq;
      pc.rowid = rowid;
      const char* coll = sqlite3_vtab_collation(info, i);
      pc.collation = coll ? coll : "BINARY";
      if (SqliteAtLeast(3038000)) {
        sqlite3_value* v = nullptr;
        if (sqlite3_vtab_rhs_value(info, i, &v) == SQLITE_OK && v != nullptr) {
          pc.has_value = true;
          pc.value = ColumnValueOf(v);
        }
      }
      scan.constraints.push_back(std::move(pc));
      info->aConstraintUsage[i].argvIndex = ++used;
    }
    for (int i = 0; i < info->nOrderBy; ++i) {
      if (info->aOrderBy[i].iColumn < 0 ||
          info->aOrderBy[i].iColumn >= static_cast<int>(table.columns.size())) {
        scan.order_by.clear();
        break;
      }
      scan.order_by.push_back({info->aOrderBy[i].iColumn, info->aOrderBy[i].desc != 0});
    }
    if (t->probe->sink() != nullptr && t->probe->sink()->size() < 4096) {
      t->probe->sink()->push_back(std::move(scan));
    }
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  info->estimatedCost = 1000000.0 / (1 + used);
  info->estimatedRows = 1000 / (1 + used);
  return SQLITE_OK;
}

int ProbeOpen(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* c = static_cast<ProbeCursor*>(sqlite3_malloc(sizeof(ProbeCursor)));
  if (c == nullptr) return SQLITE_NOMEM;
  memset(c, 0, sizeof(ProbeCursor));
  *out = &c->base;
  return SQLITE_OK;
}
int ProbeClose(sqlite3_vtab_cursor* cur) {
  sqlite3_free(cur);
  return SQLITE_OK;
}
int ProbeFilter(sqlite3_vtab_cursor*, int, const char*, int, sqlite3_value**) { return SQLITE_OK; }
int ProbeNext(sqlite3_vtab_cursor*) { return SQLITE_OK; }
int ProbeEof(sqlite3_vtab_cursor*) { return 1; }
int ProbeColumn(sqlite3_vtab_cursor*, sqlite3_context* ctx, int) {
  sqlite3_result_null(ctx);
  return SQLITE_OK;
}
int ProbeRowid(sqlite3_vtab_cursor*, sqlite3_int64* rowid) {
  *rowid = 0;
  return SQLITE_OK;
}
// Present so INSERT/UPDATE/DELETE statements prepare; never called (nothing is run).
int ProbeUpdate(sqlite3_vtab*, int, sqlite3_value**, sqlite3_int64*) { return SQLITE_OK; }

const sqlite3_module kProbeModule = {
    /* iVersion    */ 0,
    /* xCreate     */ ProbeConnect,
    /* xConnect    */ ProbeConnect,
    /* xBestIndex  */ ProbeBestIndex,
    /* xDisconnect */ ProbeDisconnect,
    /* xDestroy    */ ProbeDisconnect,
    /* xOpen       */ ProbeOpen,
    /* xClose      */ ProbeClose,
    /* xFilter     */ ProbeFilter,
    /* xNext       */ ProbeNext,
    /* xEof        */ ProbeEof,
    /* xColumn     */ ProbeColumn,
    /* xRowid      */ ProbeRowid,
    /* xUpdate     */ ProbeUpdate,
    /* xBegin      */ nullptr,
    /* xSync       */ nullptr,
    /* xCommit     */ nullptr,
    /* xRollback   */ nullptr,
    /* xFindMethod */ nullptr,
    /* xRename     */ nullptr,
    /* xSavepoint  */ nullptr,
    /* xRelease    */ nullptr,
    /* xRollbackTo */ nullptr,
    /* xShadowName */ nullptr,
};

}  // namespace

Value ColumnValueOf(sqlite3_value* v) {
  // Blobs are not worth a partial index.
  return sqlite3_value_type(v) == SQLITE_BLOB ? Value::Null() : ValueOf(v);
}

absl::StatusOr<std::unique_ptr<Probe>> Probe::Build(const Scratch& scratch) {
  std::unique_ptr<Probe> p(new Probe(scratch));
  absl::StatusOr<std::unique_ptr<PrivateDb>> opened = PrivateDb::Open(scratch.caller(), ":memory:");
  if (!opened.ok()) return absl::InternalError("cannot open the in-memory probe database");
  p->private_ = *std::move(opened);
  p->db_ = p->private_->db();
  if (Connection* c = Connection::Find(p->db_)) {
    p->internal_ = std::make_unique<Connection::InternalScope>(*c);
  }
  UseStandInCollations(p->db_);
  if (sqlite3_create_module(p->db_, "doctor_advisor_probe", &kProbeModule, p.get()) != SQLITE_OK) {
    return absl::InternalError("cannot register the probe module");
  }
  // A LIKE's index range is in the collation the copy's LIKE uses (NOCASE unless the user's
  // connection has case_sensitive_like on): the candidate is that collation's.
  if (scratch.case_sensitive_like()) {
    RETURN_IF_ERROR(Exec(p->db_, "PRAGMA case_sensitive_like=ON"));
  }
  const auto& tables = scratch.tables();
  for (size_t i = 0; i < tables.size(); ++i) {
    RETURN_IF_ERROR(Exec(p->db_, absl::StrCat("CREATE VIRTUAL TABLE ",
                                              QuoteIdentifier(tables[i].name),
                                              " USING doctor_advisor_probe(", i, ")")));
  }
  // Views, so statements that read through them are probed too (a view that needs something the
  // mirror lacks is left out).
  ASSIGN_OR_RETURN(Rows views, Query(scratch.db(),
                                     "SELECT sql FROM sqlite_schema WHERE type = 'view'"));
  for (const Row& v : views) {
    std::string sql = v[0].AsText();
    sqlite3_exec(p->db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  return p;
}

Probe::~Probe() {
  internal_.reset();
  private_.reset();
}

absl::Status Probe::Capture(const std::string& sql, std::vector<ProbeScan>* scans) {
  sink_ = scans;
  const size_t known = scans->size();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_OK) {
    // A virtual table refuses RETURNING ("DELETE RETURNING is not available on virtual tables");
    // the write's scans are the same without it (before: UPDATE ... RETURNING, the job queue's
    // claim, got no candidate and no advice). What the failed prepare planned is dropped first.
    const std::string without = WithoutReturning(sql);
    if (without.size() != sql.size()) {
      scans->resize(known);
      stmt = nullptr;
      rc = sqlite3_prepare_v2(db_, without.c_str(), -1, &stmt, nullptr);
      sqlite3_finalize(stmt);
    }
  }
  sink_ = nullptr;
  if (rc != SQLITE_OK) return absl::InvalidArgumentError(sqlite3_errmsg(db_));
  return absl::OkStatus();
}

}  // namespace doctor::indexes
