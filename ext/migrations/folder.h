// Reading a migration folder from disk (no SQLite). Three layouts:
//   plain:        NNNN_name.sql files ordered by name; NNNN_name.down.sql beside one is its down
//                 migration.
//   drizzle-kit:  meta/_journal.json lists entries {idx, when, tag, breakpoints}; <tag>.sql holds
//                 statements separated by `--> statement-breakpoint`.
//   drizzle v1:   one folder per migration, <timestamp>_<name>/migration.sql (timestamp
//                 YYYYMMDDHHMMSS, UTC), ordered by folder name (drizzle-kit 1.0's layout; Drizzle
//                 1.0's migrator reads every subfolder that holds a migration.sql).
// The checksum of a migration is the sha256 hex of the whole file's bytes: Drizzle's hash as long
// as the file is valid UTF-8 (else see DrizzleHash).
//
// Hostile trees: every file is opened with O_NONBLOCK (a FIFO never blocks the open) and must be
// a regular file (fstat, after the open, so a link to /dev/zero is refused) of at most
// kMaxFileBytes. A migration that cannot be used (unreadable, dangling link, not a regular file,
// too big, a NUL byte) is kept in `files` with its `error` set, never left out: migration_status
// lists it and migrate_dir refuses the whole folder, so 0002 can never run after 0003.
#ifndef DOCTOR_MIGRATIONS_FOLDER_H_
#define DOCTOR_MIGRATIONS_FOLDER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace doctor::migrations {

// The largest migration or journal file read: far above any real migration, far below what would
// hurt the host process.
inline constexpr int64_t kMaxFileBytes = int64_t{64} << 20;

enum class Layout { kPlain, kDrizzleKit, kDrizzleFolders };
const char* LayoutName(Layout layout);  // "plain", "drizzle-kit", "drizzle-folders"

struct MigrationFile {
  std::string name;                   // tag, file stem, or folder name
  std::string path;                   // the .sql file
  std::string text;                   // its contents
  std::string checksum;               // sha256 hex of `text`
  std::optional<int64_t> created_at;  // drizzle: the journal's `when` / the folder's timestamp (ms)
  std::string down_path;              // plain layout: NNNN_name.down.sql when it exists
  std::string drizzle_hash;           // DrizzleHash(text) when it differs from `checksum`
  std::string error;  // why the file cannot be used, naming it ("" when it can); text is then ""

  // The hash Drizzle's migrators record for this file (see DrizzleHash).
  const std::string& drizzle_checksum() const {
    return drizzle_hash.empty() ? checksum : drizzle_hash;
  }
};

struct Folder {
  Layout layout = Layout::kPlain;
  std::string path;
  std::vector<MigrationFile> files;  // in apply order
  // The process's working directory when the folder was read (empty when unknown): the folder's
  // path and a journal's relative origin both resolve against it, so that 'drizzle' and
  // '/app/drizzle' name one folder.
  std::string cwd;
  // drizzle-kit: the *.sql files beside meta/_journal.json that it does not list, by file name
  // in byte order. No migrator runs them (drizzle-kit migrate, Drizzle's migrate(), migrate_dir):
  // a file written by hand, or one left behind when its journal entry was removed, which the
  // user believes applied. Nothing reads them; migration_status and doctor_report name them.
  std::vector<std::string> unlisted;
};

// A folder is read whole into memory: besides each file's kMaxFileBytes, how many names it may
// list, how many migrations it may hold and how many bytes they may total (far above any real
// project; a folder over one is an error naming the limit, read no further).
struct FolderLimits {
  int64_t max_entries = 100000;              // names in the folder, whatever they are
  int64_t max_migrations = 10000;            // migration files (or journal entries)
  int64_t max_bytes = int64_t{256} << 20;    // the text of all its migrations
};

// Reads every migration of the folder at `path`. The folder itself failing (unreadable, a bad
// journal, a tag listed twice, over a limit) is an error; a migration file failing is its `error`.
absl::StatusOr<Folder> ReadFolder(const std::string& path, const FolderLimits& limits = {});

// The order of a plain folder's migrations: by name, with every run of digits compared as a
// number, so that 2_users comes before 10_indexes (byte order would put 10 first) and V9__a
// before V10__b; names of one numbering width keep their byte order. Drizzle's layouts keep
// drizzle-kit's own order.
bool PlainMigrationLess(absl::string_view a, absl::string_view b);

// True when `tag` (a journal's tag, a migration's name) names a file inside its folder: not
// empty, no '/' or '\\', not "." or "..", no NUL.
bool SafeTag(const std::string& tag);

// OK when every migration of `folder` can be used; else an error naming each that cannot.
absl::Status UsableFolder(const Folder& folder);

// The byte offset of the first NUL in `text`, if any. SQLite stops reading a statement at a NUL,
// so the text after it would silently never run.
std::optional<size_t> NulByteOffset(absl::string_view text);

// What Drizzle hashes: Node reads the file as text (Buffer.toString(): every invalid UTF-8
// sequence, as WHATWG's decoder delimits it, becomes U+FFFD) and hashes that text's UTF-8. For
// valid UTF-8 (a byte-order mark included) that is the file's bytes, unchanged.
std::string NodeUtf8(absl::string_view bytes);
bool IsValidUtf8(absl::string_view bytes);
// sha256 hex of NodeUtf8(bytes).
std::string DrizzleHash(absl::string_view bytes);

// A whole regular file of at most kMaxFileBytes; errors name the path and the reason (not a
// regular file, a dangling or looping link, too big, the system's error). `follow_links` false:
// a symbolic link is refused (O_NOFOLLOW).
absl::StatusOr<std::string> ReadTextFile(const std::string& path, bool follow_links = true);

// Parses drizzle-kit's meta/_journal.json text into (tag, when) entries in listed order.
struct JournalEntry {
  std::string tag;
  int64_t when = 0;
};
absl::StatusOr<std::vector<JournalEntry>> ParseDrizzleJournal(const std::string& json_text);

// The `created_at` Drizzle 1.0 records for a migration folder: its name's first 14 characters
// read as YYYYMMDDHHMMSS (UTC) -> milliseconds since the epoch, with JavaScript's semantics
// (formatToMillis: parseInt of each part, then Date.UTC, which rolls over out-of-range parts and
// maps years 0..99 to 1900..1999). nullopt where JavaScript gets NaN (SQLite stores NULL).
// Example: FolderMillis("20240102030405_init") == 1704164645000.
std::optional<int64_t> FolderMillis(const std::string& name);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_FOLDER_H_
