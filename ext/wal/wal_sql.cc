#include <errno.h>
#include <sys/stat.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {

std::optional<uint64_t> WalBytes(sqlite3* db, const std::string& schema) {
  const char* file = sqlite3_db_filename(db, schema.c_str());
  if (file == nullptr || *file == '\0') return std::nullopt;
  const char* wal = sqlite3_filename_wal(file);
  if (wal == nullptr) return std::nullopt;
  struct stat st;  // stat() opens nothing, so it cannot disturb any lock
  if (stat(wal, &st) != 0) return errno == ENOENT ? std::optional<uint64_t>(0) : std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

std::optional<WalIndex> ReadIndex(sqlite3* db, const std::string& schema, std::string* problem) {
  sqlite3_file* file = nullptr;
  int rc = sqlite3_file_control(db, schema.c_str(), SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc != SQLITE_OK || file == nullptr || file->pMethods == nullptr) {
    *problem = "the database file is not open";
    return std::nullopt;
  }
  if (file->pMethods->iVersion < 2 || file->pMethods->xShmMap == nullptr) {
    *problem = "the VFS has no shared memory";
    return std::nullopt;
  }
  volatile void* region = nullptr;
  // Region 0 (32 KiB, WALINDEX_PGSZ) is mapped already by the reads before; bExtend=0 so that
  // nothing is ever grown or created.
  rc = file->pMethods->xShmMap(file, 0, 32768, 0, &region);
  if ((rc != SQLITE_OK && rc != SQLITE_READONLY) || region == nullptr) {
    *problem = absl::StrCat("the wal-index is not mapped (", sqlite3_errstr(rc), ")");
    return std::nullopt;
  }
  WalIndex index = ReadWalIndex(region);
  if (!index.usable()) {
    *problem = index.Problem();
    return std::nullopt;
  }
  return index;
}

std::optional<WalIndex> ReadTrustedIndex(Connection& connection, const std::string& schema) {
  sqlite3* db = connection.db();
  const char* file = sqlite3_db_filename(db, schema.c_str());
  if (file == nullptr || *file == '\0') return std::nullopt;
  auto pragma = [&](const char* name) {
    auto rows = Query(connection, absl::StrCat("PRAGMA ", QuoteIdentifier(schema), ".", name));
    return rows.ok() && !rows->empty() ? absl::AsciiStrToLower((*rows)[0][0].AsText()) : "";
  };
  if (pragma("journal_mode") != "wal" || pragma("locking_mode") == "exclusive") return std::nullopt;
  if (!Query(connection, absl::StrCat("SELECT 1 FROM ", QuoteIdentifier(schema),
                                      ".sqlite_master LIMIT 1")).ok()) {
    return std::nullopt;
  }
  std::string problem;
  std::optional<WalIndex> index = ReadIndex(db, schema, &problem);
  const std::optional<uint64_t> bytes = WalBytes(db, schema);
  if (!index || !bytes || !MismatchWithWalFile(*index, *bytes).empty()) return std::nullopt;
  return index;
}

}  // namespace doctor::wal
