// libFuzzer target: the migrations folder reader (ReadFolder) over a fake tree of odd files built
// from the input, one entry per line, `<op><name>[:<content>]`:
//   f regular file     p FIFO              z link to /dev/zero   d dangling link
//   l link to itself   L link to <content> h sparse file over the size cap
//   D folder           u file with mode 000 (still readable as root)
//   j meta/_journal.json with <content> as its text (no name)
// Names keep [A-Za-z0-9_.-/] and lose "..", so the tree stays inside its temporary folder.
// ReadFolder must return (a FIFO never blocks it), never crash, and report every migration it
// cannot use as an error naming its file instead of skipping it; no text over the cap or with a
// NUL byte is ever handed on.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "ext/migrations/folder.h"

namespace {

namespace fs = std::filesystem;
using doctor::migrations::kMaxFileBytes;

std::string CleanName(const std::string& raw) {
  std::string out;
  for (char ch : raw.substr(0, 40)) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-' || ch == '/') {
      out.push_back(ch);
    }
  }
  size_t at;
  while ((at = out.find("..")) != std::string::npos) out.erase(at, 1);
  while (!out.empty() && out.front() == '/') out.erase(0, 1);
  return out.empty() ? "x.sql" : out;
}

// A regular file with `content`, never opening what is there: a FIFO an earlier line made under
// this name would block the open until a reader came (the harness hung 587 s on such an input).
void WriteFile(const std::string& path, const std::string& content) {
  std::error_code ec;
  fs::remove(path, ec);  // an earlier line's FIFO or link (a folder stays, and the open fails)
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, 0644);
  if (fd < 0) return;
  for (size_t done = 0; done < content.size();) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(fd);
}

void Build(const fs::path& root, const std::string& line) {
  const char op = line[0];
  const size_t colon = line.find(':', 1);
  const std::string content = colon == std::string::npos ? "" : line.substr(colon + 1);
  const std::string name = CleanName(line.substr(1, colon == std::string::npos ? std::string::npos : colon - 1));
  const fs::path p = op == 'j' ? root / "meta" / "_journal.json" : root / name;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  const std::string s = p.string();
  switch (op) {
    case 'f': case 'j': case 'u':
      WriteFile(s, content);
      if (op == 'u') chmod(s.c_str(), 0);
      break;
    case 'p': mkfifo(s.c_str(), 0644); break;
    case 'z': symlink("/dev/zero", s.c_str()); break;
    case 'd': symlink((root / "nowhere" / "gone.sql").c_str(), s.c_str()); break;
    case 'l': symlink(s.c_str(), s.c_str()); break;
    case 'L': symlink(CleanName(content).c_str(), s.c_str()); break;
    case 'D': fs::create_directories(p, ec); break;
    case 'h': {
      int fd = open(s.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW, 0644);
      if (fd >= 0) {
        if (ftruncate(fd, kMaxFileBytes + 1) != 0) {}
        close(fd);
      }
      break;
    }
    default: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  char tmpl[] = "/tmp/doctor-folder-fuzz-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (dir == nullptr) return 0;
  const fs::path root(dir);
  const std::string input(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  for (int ops = 0; start < input.size() && ops < 64; ++ops) {
    size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    if (end > start) Build(root, input.substr(start, end - start));
    start = end + 1;
  }
  auto folder = doctor::migrations::ReadFolder(root.string());
  if (folder.ok()) {
    bool unusable = false;
    for (const auto& f : folder->files) {
      if (!f.error.empty()) {
        unusable = true;
        if (!f.text.empty()) std::abort();  // an unusable file hands on no text
        continue;
      }
      if (static_cast<int64_t>(f.text.size()) > kMaxFileBytes) std::abort();
      if (f.text.find('\0') != std::string::npos) std::abort();
      if (f.path.rfind(root.string(), 0) != 0) std::abort();
    }
    if (doctor::migrations::UsableFolder(*folder).ok() == unusable) std::abort();
  }
  std::error_code ec;
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(root, ec);
  return 0;
}
