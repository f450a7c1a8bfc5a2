#include "ext/migrate/folder.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/migrate/sha256.h"
#include "nlohmann/json.hpp"

namespace doctor::migrate {
namespace {

bool IsDir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot open folder '", path, "': ", std::strerror(errno)));
  }
  std::vector<std::string> names;
  while (struct dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<MigrationFile> Load(const std::string& name, const std::string& path) {
  auto text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  MigrationFile f;
  f.name = name;
  f.path = path;
  f.text = std::move(*text);
  f.checksum = Sha256Hex(f.text);
  return f;
}

bool SafeTag(const std::string& tag) {
  return !tag.empty() && tag.find('/') == std::string::npos && tag.find('\\') == std::string::npos &&
         tag != "." && tag != ".." && tag.find('\0') == std::string::npos;
}

absl::StatusOr<Folder> ReadDrizzleKit(const std::string& root) {
  const std::string journal_path = root + "/meta/_journal.json";
  auto json = ReadTextFile(journal_path);
  if (!json.ok()) return json.status();
  auto entries = ParseDrizzleJournal(*json);
  if (!entries.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(journal_path, ": ", entries.status().message()));
  }
  Folder folder{Layout::kDrizzleKit, root, {}};
  for (const JournalEntry& e : *entries) {
    auto f = Load(e.tag, root + "/" + e.tag + ".sql");
    if (!f.ok()) {
      return absl::NotFoundError(absl::StrCat("migration '", e.tag, "' listed in ", journal_path,
                                              " has no readable file: ", f.status().message()));
    }
    f->created_at = e.when;
    folder.files.push_back(std::move(*f));
  }
  return folder;
}

}  // namespace

const char* LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kPlain: return "plain";
    case Layout::kDrizzleKit: return "drizzle-kit";
    case Layout::kDrizzleFolders: return "drizzle-folders";
  }
  return "?";
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  if (IsDir(path)) return absl::InvalidArgumentError(absl::StrCat("'", path, "' is a folder"));
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (fp == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot read '", path, "': ", std::strerror(errno)));
  }
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, fp)) > 0) out.append(buf, n);
  bool failed = std::ferror(fp) != 0;
  std::fclose(fp);
  if (failed) return absl::DataLossError(absl::StrCat("error reading '", path, "'"));
  return out;
}

absl::StatusOr<std::vector<JournalEntry>> ParseDrizzleJournal(const std::string& json_text) {
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("is not valid JSON");
  if (!doc.is_object() || !doc.contains("entries") || !doc["entries"].is_array()) {
    return absl::InvalidArgumentError("has no \"entries\" array");
  }
  std::vector<JournalEntry> out;
  size_t i = 0;
  for (const auto& e : doc["entries"]) {
    if (!e.is_object() || !e.contains("tag") || !e["tag"].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " has no string \"tag\""));
    }
    if (!e.contains("when") || !e["when"].is_number_integer()) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " (", e["tag"].get<std::string>(),
                                                     ") has no integer \"when\""));
    }
    JournalEntry entry{e["tag"].get<std::string>(), e["when"].get<int64_t>()};
    if (!SafeTag(entry.tag)) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " has an unusable tag '",
                                                     entry.tag, "' (must be a file name)"));
    }
    out.push_back(std::move(entry));
    ++i;
  }
  return out;
}

std::optional<int64_t> ParseFolderTimestamp(const std::string& d) {
  if (d.size() != 14 || !std::all_of(d.begin(), d.end(), ::isdigit)) return std::nullopt;
  auto num = [&](size_t at, size_t n) { return std::stoi(d.substr(at, n)); };
  int y = num(0, 4), mo = num(4, 2), da = num(6, 2), h = num(8, 2), mi = num(10, 2), s = num(12, 2);
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm).
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + da - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
  return ((days * 24 + h) * 60 + mi) * 60000 + static_cast<int64_t>(s) * 1000;
}

absl::StatusOr<Folder> ReadFolder(const std::string& given) {
  if (given.empty()) return absl::InvalidArgumentError("the folder path is empty");
  std::string path = given;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (!IsDir(path)) {
    return absl::NotFoundError(absl::StrCat("'", path, "' is not a readable folder"));
  }
  if (IsFile(path + "/meta/_journal.json")) return ReadDrizzleKit(path);
  auto names = ListDir(path);
  if (!names.ok()) return names.status();
  Folder folder{Layout::kPlain, path, {}};
  // The drizzle v1 layout: subfolders holding migration.sql.
  for (const std::string& name : *names) {
    std::string file = path + "/" + name + "/migration.sql";
    if (!IsDir(path + "/" + name) || !IsFile(file)) continue;
    folder.layout = Layout::kDrizzleFolders;
    auto f = Load(name, file);
    if (!f.ok()) return f.status();
    size_t underscore = name.find('_');
    f->created_at = ParseFolderTimestamp(name.substr(0, underscore));
    folder.files.push_back(std::move(*f));
  }
  if (folder.layout == Layout::kDrizzleFolders) return folder;
  for (const std::string& name : *names) {
    if (!absl::EndsWith(name, ".sql") || absl::EndsWith(name, ".down.sql")) continue;
    const std::string file = path + "/" + name;
    if (!IsFile(file)) continue;
    const std::string stem = name.substr(0, name.size() - 4);
    auto f = Load(stem, file);
    if (!f.ok()) return f.status();
    if (IsFile(path + "/" + stem + ".down.sql")) f->down_path = path + "/" + stem + ".down.sql";
    folder.files.push_back(std::move(*f));
  }
  return folder;
}

}  // namespace doctor::migrate
