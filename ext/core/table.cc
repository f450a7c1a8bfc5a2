#include "ext/core/table.h"

#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ext/core/text.h"
#include "ext/core/function.h"
#include "ext/core/table_rows.h"

namespace doctor {
namespace {

struct Binding {
  const TableSpec* spec;
  Connection* connection;
  int visible_columns;
};

struct Table {
  sqlite3_vtab base;  // first: SQLite sees a sqlite3_vtab*
  Binding* binding;
};

struct Cursor {
  sqlite3_vtab_cursor base;  // first: SQLite sees a sqlite3_vtab_cursor*
  Rows rows;
  std::vector<Value> args;
  size_t row = 0;
};

void SetVtabError(sqlite3_vtab* vtab, const std::string& message) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", ShortenMiddle(message, kMaxErrorBytes).c_str());
}

// No C++ exception may cross into SQLite: every method that allocates runs its body in here.
template <typename Body>
int NoThrow(Body&& body, char** err) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception& e) {
    if (err != nullptr) *err = sqlite3_mprintf("%s", e.what());
  } catch (...) {
    if (err != nullptr) *err = sqlite3_mprintf("unexpected failure");
  }
  return SQLITE_ERROR;
}

int ConnectOrThrow(sqlite3* db, Binding* binding, sqlite3_vtab** out, char** err) {
  const TableSpec& spec = *binding->spec;
  const std::string schema = DeclarationOf(spec);
  int rc = sqlite3_declare_vtab(db, schema.c_str());
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("%s: bad schema: %s", spec.name, sqlite3_errmsg(db));
    return rc;
  }
  sqlite3_vtab_config(db, spec.direct_only ? SQLITE_VTAB_DIRECTONLY : SQLITE_VTAB_INNOCUOUS);
  auto* table = static_cast<Table*>(sqlite3_malloc(sizeof(Table)));
  if (table == nullptr) return SQLITE_NOMEM;
  memset(table, 0, sizeof(Table));
  table->binding = binding;
  *out = &table->base;
  return SQLITE_OK;
}

int Connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char** err) {
  return NoThrow([&] { return ConnectOrThrow(db, static_cast<Binding*>(aux), out, err); }, err);
}

int Disconnect(sqlite3_vtab* vtab) {
  sqlite3_free(vtab);
  return SQLITE_OK;
}

// True for a constraint SQLite checks against the column's value on every row (not LIMIT,
// OFFSET, or IS NULL, which an argument that was not given meets).
bool FiltersArgumentValue(unsigned char op) {
  return op != SQLITE_INDEX_CONSTRAINT_LIMIT && op != SQLITE_INDEX_CONSTRAINT_OFFSET &&
         op != SQLITE_INDEX_CONSTRAINT_ISNULL;
}

// idxNum: bit i set when argument i is given; argv of xFilter holds the given ones in order.
int BestIndexOrThrow(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  const Binding& b = *reinterpret_cast<Table*>(vtab)->binding;
  const int nargs = static_cast<int>(b.spec->args.size());
  std::vector<int> usable(nargs, -1);
  unsigned unusable_mask = 0;
  unsigned compared_mask = 0;  // arguments constrained by something other than `=`
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    const int arg = c.iColumn - b.visible_columns;
    if (arg < 0 || arg >= nargs) continue;
    if (c.op != SQLITE_INDEX_CONSTRAINT_EQ) {
      if (FiltersArgumentValue(c.op)) compared_mask |= 1u << arg;
      continue;
    }
    if (!c.usable) {
      unusable_mask |= 1u << arg;
    } else if (usable[arg] < 0) {
      usable[arg] = i;
    }
  }
  for (int arg = 0; arg < nargs; ++arg) {
    // Not given, the argument column is NULL: `schema_name LIKE 'm%'` would match nothing,
    // silently. Said at prepare time instead.
    if ((compared_mask & (1u << arg)) && usable[arg] < 0 && !(unusable_mask & (1u << arg))) {
      SetVtabError(vtab, absl::StrCat(
          b.spec->name, ": '", b.spec->args[arg].name, "' is an argument (", b.spec->signature,
          "): it is NULL unless given with =, so LIKE, <, != or IS NOT NULL on it would match no "
          "row"));
      return SQLITE_ERROR;
    }
  }
  int idx_num = 0, next = 1;
  for (int arg = 0; arg < nargs; ++arg) {
    if (usable[arg] >= 0) {
      idx_num |= 1 << arg;
      info->aConstraintUsage[usable[arg]].argvIndex = next++;
      info->aConstraintUsage[usable[arg]].omit = 1;
    } else if (unusable_mask & (1u << arg)) {
      return SQLITE_CONSTRAINT;  // wait for a plan where the argument's value is known
    }
  }
  info->idxNum = idx_num;
  info->estimatedCost = 1000.0 / next;
  info->estimatedRows = 100;
  return SQLITE_OK;
}

int BestIndex(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  return NoThrow([&] { return BestIndexOrThrow(vtab, info); }, &vtab->zErrMsg);
}

int Open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* cursor = new (std::nothrow) Cursor();
  if (cursor == nullptr) return SQLITE_NOMEM;
  *out = &cursor->base;
  return SQLITE_OK;
}

int Close(sqlite3_vtab_cursor* cur) {
  delete reinterpret_cast<Cursor*>(cur);
  return SQLITE_OK;
}

int Filter(sqlite3_vtab_cursor* cur, int idx_num, const char*, int argc, sqlite3_value** argv) {
  auto* cursor = reinterpret_cast<Cursor*>(cur);
  sqlite3_vtab* vtab = cur->pVtab;
  const Binding& b = *reinterpret_cast<Table*>(vtab)->binding;
  const TableSpec& spec = *b.spec;
  const int nargs = static_cast<int>(spec.args.size());
  try {
    std::vector<sqlite3_value*> args(nargs, nullptr);
    int next = 0;
    for (int arg = 0; arg < nargs; ++arg) {
      if ((idx_num & (1 << arg)) && next < argc) args[arg] = argv[next++];
    }
    // Trailing missing arguments are simply absent; a gap stays a NULL-typed placeholder.
    int given = nargs;
    while (given > 0 && args[given - 1] == nullptr) --given;
    for (int arg = 0; arg < nargs; ++arg) {
      if (spec.args[arg].required &&
          (args[arg] == nullptr || sqlite3_value_type(args[arg]) == SQLITE_NULL)) {
        SetVtabError(vtab, absl::StrCat(spec.name, ": missing required argument '",
                                        spec.args[arg].name, "'; usage: ", spec.signature));
        return SQLITE_ERROR;
      }
      if (arg < given && args[arg] == nullptr) {
        SetVtabError(vtab, absl::StrCat(spec.name, ": argument '", spec.args[arg].name,
                                        "' must be given before later ones; usage: ", spec.signature));
        return SQLITE_ERROR;
      }
    }
    TableCall call(*b.connection, args.data(), given);
    absl::StatusOr<Rows> rows = spec.produce(call);
    if (absl::Status stop = b.connection->TakeStop(); !stop.ok()) {
      SetVtabError(vtab, absl::StrCat(spec.name, ": ", stop.message()));  // no partial rows
      return stop.code() == absl::StatusCode::kCancelled ? SQLITE_INTERRUPT : SQLITE_ERROR;
    }
    if (!rows.ok()) {
      if (rows.status().code() == absl::StatusCode::kResourceExhausted) return SQLITE_NOMEM;
      SetVtabError(vtab, absl::StrCat(spec.name, ": ", rows.status().message()));
      return SQLITE_ERROR;
    }
    cursor->rows = *std::move(rows);
    cursor->row = 0;
    cursor->args.assign(nargs, Value::Null());
    for (int arg = 0; arg < given; ++arg) cursor->args[arg] = call.args().AsValue(arg);
    return SQLITE_OK;
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception& e) {
    SetVtabError(vtab, absl::StrCat(spec.name, ": ", e.what()));
    return SQLITE_ERROR;
  } catch (...) {
    SetVtabError(vtab, absl::StrCat(spec.name, ": unexpected failure"));
    return SQLITE_ERROR;
  }
}

int Next(sqlite3_vtab_cursor* cur) {
  ++reinterpret_cast<Cursor*>(cur)->row;
  return SQLITE_OK;
}

int Eof(sqlite3_vtab_cursor* cur) {
  auto* cursor = reinterpret_cast<Cursor*>(cur);
  return cursor->row >= cursor->rows.size();
}

int Column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int column) {
  auto* cursor = reinterpret_cast<Cursor*>(cur);
  const Binding& b = *reinterpret_cast<Table*>(cur->pVtab)->binding;
  if (column >= b.visible_columns) {
    size_t arg = static_cast<size_t>(column - b.visible_columns);
    SetResult(ctx, arg < cursor->args.size() ? cursor->args[arg] : Value::Null());
    return SQLITE_OK;
  }
  const Row& row = cursor->rows[cursor->row];
  SetResult(ctx, static_cast<size_t>(column) < row.size() ? row[column] : Value::Null());
  return SQLITE_OK;
}

int RowId(sqlite3_vtab_cursor* cur, sqlite3_int64* rowid) {
  *rowid = static_cast<sqlite3_int64>(reinterpret_cast<Cursor*>(cur)->row) + 1;
  return SQLITE_OK;
}

const sqlite3_module kModule = {
    /* iVersion    */ 0,
    /* xCreate     */ nullptr,  // eponymous only: no CREATE VIRTUAL TABLE
    /* xConnect    */ Connect,
    /* xBestIndex  */ BestIndex,
    /* xDisconnect */ Disconnect,
    /* xDestroy    */ nullptr,
    /* xOpen       */ Open,
    /* xClose      */ Close,
    /* xFilter     */ Filter,
    /* xNext       */ Next,
    /* xEof        */ Eof,
    /* xColumn     */ Column,
    /* xRowid      */ RowId,
    /* xUpdate     */ nullptr,  // read only
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

void Destroy(void* p) {
  auto* binding = static_cast<Binding*>(p);
  binding->connection->Unref();
  delete binding;
}

}  // namespace

absl::Status RegisterTable(Connection& connection, const TableSpec& spec) {
  auto* binding = new Binding{&spec, &connection, static_cast<int>(ColumnsOf(spec).size())};
  connection.Ref();  // SQLite calls Destroy on failure and when the connection closes
  int rc = sqlite3_create_module_v2(connection.db(), spec.name, &kModule, binding, Destroy);
  if (rc != SQLITE_OK) {
    return absl::InternalError(
        absl::StrCat("cannot register table ", spec.name, ": ", sqlite3_errstr(rc)));
  }
  return absl::OkStatus();
}

}  // namespace doctor
