#include "ext/migrations/folder.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "ext/core/platform.h"  // open, lstat: O_NOFOLLOW and links on Windows too
#include "ext/core/status_macros.h"
#include "ext/core/text.h"
#include "ext/migrations/sha256.h"
#include "nlohmann/json.hpp"

namespace doctor::migrations {
namespace {

// The largest time a JavaScript Date holds, in ms either side of 1970 (TimeClip).
constexpr int64_t kMaxDateMs = 8640000000000000;

bool IsDir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Something is at `path` (a dangling link included), or it cannot be told (EACCES...).
bool Present(const std::string& path) {
  struct stat st;
  return LinkStat(path.c_str(), &st) == 0 || errno != ENOENT;
}

const char* FileTypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

// Why open() failed, in words: a dangling link says so.
std::string OpenFailure(const std::string& path, int err, bool follow_links) {
  struct stat st;
  if (err == ELOOP && !follow_links) return "is a symbolic link, which is not followed here";
  if (err == ELOOP) return "is a symbolic link that loops";
  if (err == ENOENT && LinkStat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    return "is a dangling symbolic link (its target does not exist)";
  }
  return std::strerror(err);
}

// Reads what is left of `fd` up to kMaxFileBytes (the file may grow after fstat).
absl::StatusOr<std::string> ReadBounded(int fd, const std::string& path) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::DataLossError(absl::StrCat("error reading '", path, "': ", std::strerror(errno)));
    }
    if (n == 0) return out;
    if (static_cast<int64_t>(out.size()) + n > kMaxFileBytes) {
      return absl::FailedPreconditionError(absl::StrCat(
          "'", path, "' is over the ", kMaxFileBytes, "-byte limit for a migration file"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path,
                                                 const FolderLimits& limits) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot open folder '", path, "': ", std::strerror(errno)));
  }
  std::vector<std::string> names;
  while (struct dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (static_cast<int64_t>(names.size()) >= limits.max_entries) {
      closedir(dir);
      return absl::FailedPreconditionError(absl::StrCat(
          "folder '", path, "' has more than ", limits.max_entries,
          " entries, the limit for a migration folder"));
    }
    names.push_back(std::move(name));
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// A migration file; a file that cannot be used gets `error` (naming it) instead of text.
MigrationFile Load(const std::string& name, const std::string& path) {
  MigrationFile f;
  f.name = name;
  f.path = path;
  auto text = ReadTextFile(path);
  if (!text.ok()) {
    f.error = std::string(text.status().message());
    return f;
  }
  if (std::optional<size_t> nul = NulByteOffset(*text)) {
    f.error = absl::StrCat("'", path, "' has a NUL byte at byte offset ", *nul,
                           " (SQLite would stop reading there and skip the rest)");
    return f;
  }
  f.text = std::move(*text);
  f.checksum = Sha256Hex(f.text);
  if (!IsValidUtf8(f.text)) f.drizzle_hash = DrizzleHash(f.text);
  return f;
}

// Adds `f` to `folder` within `limits` (its migrations and their total bytes).
absl::Status Admit(const FolderLimits& limits, Folder& folder, int64_t* bytes, MigrationFile f) {
  if (static_cast<int64_t>(folder.files.size()) >= limits.max_migrations) {
    return absl::FailedPreconditionError(absl::StrCat(
        "folder '", folder.path, "' holds more than ", limits.max_migrations,
        " migrations, the limit for a migration folder"));
  }
  *bytes += static_cast<int64_t>(f.text.size());
  if (*bytes > limits.max_bytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the migrations of folder '", folder.path, "' total more than ", limits.max_bytes,
        " bytes, the limit for a migration folder (at '", f.name, "')"));
  }
  folder.files.push_back(std::move(f));
  return absl::OkStatus();
}

absl::StatusOr<Folder> ReadDrizzleKit(const std::string& root, const FolderLimits& limits) {
  const std::string journal_path = root + "/meta/_journal.json";
  auto json = ReadTextFile(journal_path);
  if (!json.ok()) return json.status();
  auto entries = ParseDrizzleJournal(*json);
  if (!entries.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(journal_path, ": ", entries.status().message()));
  }
  Folder folder{Layout::kDrizzleKit, root, {}};
  int64_t bytes = 0;
  for (const JournalEntry& e : *entries) {
    MigrationFile f = Load(e.tag, root + "/" + e.tag + ".sql");
    if (!f.error.empty()) {
      f.error = absl::StrCat("listed in ", journal_path, " has no readable file: ", f.error);
    }
    f.created_at = e.when;
    RETURN_IF_ERROR(Admit(limits, folder, &bytes, std::move(f)));
  }
  // What the journal leaves out is only named, never run: a folder too large to list reads as
  // it did before (what runs does not depend on the listing).
  absl::flat_hash_set<std::string> listed;
  for (const JournalEntry& e : *entries) listed.insert(e.tag + ".sql");
  if (absl::StatusOr<std::vector<std::string>> names = ListDir(root, limits); names.ok()) {
    for (std::string& name : *names) {
      if (!absl::EndsWith(name, ".sql") || listed.contains(name)) continue;
      // A listed migration's down file (migrate_revert(name, folder) runs it) is not stray.
      constexpr absl::string_view kDown = ".down.sql";
      if (absl::EndsWith(name, kDown) &&
          listed.contains(absl::StrCat(name.substr(0, name.size() - kDown.size()), ".sql"))) {
        continue;
      }
      folder.unlisted.push_back(std::move(name));
    }
  }
  return folder;
}

}  // namespace

bool SafeTag(const std::string& tag) {
  return !tag.empty() && tag.find('/') == std::string::npos && tag.find('\\') == std::string::npos &&
         tag != "." && tag != ".." && tag.find('\0') == std::string::npos;
}

const char* LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kPlain: return "plain";
    case Layout::kDrizzleKit: return "drizzle-kit";
    case Layout::kDrizzleFolders: return "drizzle-folders";
  }
  return "?";
}

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// WHATWG's UTF-8 decoder, one step: the length of the valid sequence at `at`, or 0 with
// `*skip` = how many bytes one U+FFFD replaces (the lead and the continuation bytes that fit).
size_t SequenceAt(absl::string_view s, size_t at, size_t* skip) {
  const unsigned char b = static_cast<unsigned char>(s[at]);
  *skip = 1;
  if (b < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  size_t j = at + 1;
  for (size_t got = 0; got < need; ++got, ++j) {
    if (j >= s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[j]);
    if (c < lo || c > hi) break;
    lo = 0x80;
    hi = 0xBF;
  }
  if (j - at == need + 1) return need + 1;
  *skip = j - at;  // the offending byte (if any) starts the next step
  return 0;
}

// The process's working directory, or "" when it cannot be read (then paths compare as given;
// always on Windows, whose paths this lexical comparison does not handle).
std::string WorkingDirectory() {
#if defined(_WIN32)
  return "";
#else
  char buffer[4096];
  return getcwd(buffer, sizeof buffer) != nullptr ? std::string(buffer) : std::string();
#endif
}

}  // namespace

bool IsValidUtf8(absl::string_view s) {
  size_t skip;
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceAt(s, i, &skip);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string NodeUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t skip;
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceAt(s, i, &skip);
    if (n > 0) {
      out.append(s.data() + i, n);
      i += n;
    } else {
      out.append(kReplacement);
      i += skip;
    }
  }
  return out;
}

std::string DrizzleHash(absl::string_view bytes) {
  return IsValidUtf8(bytes) ? Sha256Hex(bytes) : Sha256Hex(NodeUtf8(bytes));
}

std::optional<size_t> NulByteOffset(absl::string_view text) {
  const size_t at = text.find('\0');
  if (at == absl::string_view::npos) return std::nullopt;
  return at;
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path, bool follow_links) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever.
  const int fd = OpenFile(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow_links ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    const int err = errno;
    return absl::NotFoundError(
        absl::StrCat("cannot read '", path, "': ", OpenFailure(path, err, follow_links)));
  }
  struct stat st;
  absl::StatusOr<std::string> out;
  if (fstat(fd, &st) != 0) {
    out = absl::DataLossError(absl::StrCat("cannot read '", path, "': ", std::strerror(errno)));
  } else if (!S_ISREG(st.st_mode)) {
    out = absl::InvalidArgumentError(absl::StrCat(
        "'", path, "' is ", FileTypeName(st.st_mode), ", not a regular file"));
  } else if (st.st_size > kMaxFileBytes) {
    out = absl::FailedPreconditionError(absl::StrCat("'", path, "' is ", st.st_size, " bytes, over the ",
                                                     kMaxFileBytes, "-byte limit for a migration file"));
  } else {
    out = ReadBounded(fd, path);
  }
  close(fd);
  return out;
}

absl::StatusOr<std::vector<JournalEntry>> ParseDrizzleJournal(const std::string& json_text) {
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("is not valid JSON");
  if (!doc.is_object() || !doc.contains("entries") || !doc["entries"].is_array()) {
    return absl::InvalidArgumentError("has no \"entries\" array");
  }
  std::vector<JournalEntry> out;
  absl::flat_hash_map<std::string, size_t> seen;  // tag -> first entry listing it
  size_t i = 0;
  for (const auto& e : doc["entries"]) {
    if (!e.is_object() || !e.contains("tag") || !e["tag"].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " has no string \"tag\""));
    }
    if (!e.contains("when") || !e["when"].is_number_integer()) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " (", e["tag"].get<std::string>(),
                                                     ") has no integer \"when\""));
    }
    // An unsigned "when" past int64 would wrap to a negative created_at, and Drizzle's migrator
    // would then run every later migration again.
    const nlohmann::json& when = e["when"];
    if ((when.is_number_unsigned() && when.get<uint64_t>() > static_cast<uint64_t>(kMaxDateMs)) ||
        (!when.is_number_unsigned() &&
         (when.get<int64_t>() > kMaxDateMs || when.get<int64_t>() < -kMaxDateMs))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "entry ", i, " (", e["tag"].get<std::string>(), ") has \"when\" ", when.dump(),
          ", not a time in milliseconds (at most ", kMaxDateMs, " from 1970)"));
    }
    JournalEntry entry{e["tag"].get<std::string>(), when.get<int64_t>()};
    if (!SafeTag(entry.tag)) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " has an unusable tag '",
                                                     entry.tag, "' (must be a file name)"));
    }
    auto [first, fresh] = seen.emplace(entry.tag, i);
    if (!fresh) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " lists the tag '", entry.tag,
                                                     "' of entry ", first->second,
                                                     " again (it would run twice)"));
    }
    out.push_back(std::move(entry));
    ++i;
  }
  return out;
}

std::optional<int64_t> FolderMillis(const std::string& name) {
  const std::string stamp = name.substr(0, 14);
  // JavaScript's parseInt(part, 10): leading whitespace, a sign, the digits that follow.
  auto parse_int = [&](size_t at, size_t n) -> std::optional<int64_t> {
    if (at >= stamp.size()) return std::nullopt;
    const std::string part = stamp.substr(at, n);
    size_t i = 0;
    while (i < part.size() && part[i] != 0 && std::strchr(" \t\n\v\f\r", part[i])) ++i;
    bool negative = false;
    if (i < part.size() && (part[i] == '+' || part[i] == '-')) negative = part[i++] == '-';
    if (i >= part.size() || !std::isdigit(static_cast<unsigned char>(part[i]))) return std::nullopt;
    int64_t v = 0;
    for (; i < part.size() && std::isdigit(static_cast<unsigned char>(part[i])); ++i) {
      v = v * 10 + (part[i] - '0');
    }
    return negative ? -v : v;
  };
  auto y = parse_int(0, 4), mo = parse_int(4, 2), d = parse_int(6, 2), h = parse_int(8, 2),
       mi = parse_int(10, 2), s = parse_int(12, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  // Date.UTC(year, month - 1, day, hour, minute, second).
  int64_t year = *y >= 0 && *y <= 99 ? 1900 + *y : *y;
  int64_t month = *mo - 1;
  year += month >= 0 ? month / 12 : -((11 - month) / 12);
  month = ((month % 12) + 12) % 12 + 1;
  // Days from civil (Howard Hinnant's algorithm) of the month's first day, then the day offset.
  const int64_t yy = year - (month <= 2);
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const int64_t yoe = yy - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = era * 146097 + doe - 719468 + (*d - 1);
  const int64_t ms = days * 86400000 + *h * 3600000 + *mi * 60000 + *s * 1000;
  if (ms > kMaxDateMs || ms < -kMaxDateMs) return std::nullopt;  // TimeClip
  return ms;
}

absl::StatusOr<Folder> ReadFolder(const std::string& given, const FolderLimits& limits) {
  if (given.empty()) return absl::InvalidArgumentError("the folder path is empty");
  std::string path = given;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (!IsDir(path)) {
    return absl::NotFoundError(absl::StrCat("'", path, "' is not a readable folder"));
  }
  if (Present(path + "/meta/_journal.json")) {
    ASSIGN_OR_RETURN(Folder kit, ReadDrizzleKit(path, limits));
    kit.cwd = WorkingDirectory();
    return kit;
  }
  auto names = ListDir(path, limits);
  if (!names.ok()) return names.status();
  Folder folder{Layout::kPlain, path, {}, WorkingDirectory()};
  int64_t bytes = 0;
  // The drizzle v1 layout: subfolders holding migration.sql (one that is there but cannot be
  // read is a migration with an error).
  for (const std::string& name : *names) {
    std::string file = path + "/" + name + "/migration.sql";
    if (!IsDir(path + "/" + name) || !Present(file)) continue;
    folder.layout = Layout::kDrizzleFolders;
    MigrationFile f = Load(name, file);
    f.created_at = FolderMillis(name);
    RETURN_IF_ERROR(Admit(limits, folder, &bytes, std::move(f)));
  }
  if (folder.layout == Layout::kDrizzleFolders) return folder;
  // Every *.sql name is a migration, whatever it is (a FIFO or a dangling link is an error).
  for (const std::string& name : *names) {
    if (!absl::EndsWith(name, ".sql") || absl::EndsWith(name, ".down.sql")) continue;
    const std::string stem = name.substr(0, name.size() - 4);
    MigrationFile f = Load(stem, path + "/" + name);
    if (f.error.empty() && IsFile(path + "/" + stem + ".down.sql")) {
      f.down_path = path + "/" + stem + ".down.sql";
    }
    RETURN_IF_ERROR(Admit(limits, folder, &bytes, std::move(f)));
  }
  std::stable_sort(folder.files.begin(), folder.files.end(),
                   [](const MigrationFile& a, const MigrationFile& b) {
                     return PlainMigrationLess(a.name, b.name);
                   });
  return folder;
}

bool PlainMigrationLess(absl::string_view a, absl::string_view b) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (!is_digit(a[i]) || !is_digit(b[j])) {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
      continue;
    }
    // Two runs of digits: compared as numbers of any length (leading zeros left out).
    size_t ei = i, ej = j;
    while (ei < a.size() && is_digit(a[ei])) ++ei;
    while (ej < b.size() && is_digit(b[ej])) ++ej;
    size_t si = i, sj = j;
    while (si + 1 < ei && a[si] == '0') ++si;
    while (sj + 1 < ej && b[sj] == '0') ++sj;
    const absl::string_view na = a.substr(si, ei - si), nb = b.substr(sj, ej - sj);
    if (na.size() != nb.size()) return na.size() < nb.size();
    if (na != nb) return na < nb;
    i = ei;
    j = ej;
  }
  if (i < a.size() || j < b.size()) return j < b.size() && i >= a.size();  // a prefix first
  return a < b;  // equal as numbers ("1_a" and "01_a"): by bytes, so the order is total
}

absl::Status UsableFolder(const Folder& folder) {
  std::vector<std::string> problems;
  for (const MigrationFile& f : folder.files) {
    if (!f.error.empty()) problems.push_back(absl::StrCat("migration '", f.name, "' ", f.error));
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      JoinFirst(problems, "; ", /*max=*/5), "; nothing was run (a migration is never skipped: "
      "the ones after it would run out of order)"));
}

}  // namespace doctor::migrations
