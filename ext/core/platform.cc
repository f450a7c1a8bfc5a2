#include "ext/core/platform.h"

#include "absl/strings/str_cat.h"

#if defined(_WIN32)
#include <windows.h>

#include <vector>
#else
#include <dlfcn.h>
#endif

namespace doctor {

#if defined(_WIN32)
namespace {

// SQLite hands us UTF-8 paths; Windows' wide calls take UTF-16 (the narrow ones the ANSI code
// page). Empty when the text is not valid UTF-8.
std::wstring Wide(const char* utf8) {
  const int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, nullptr, 0);
  if (n <= 0) return std::wstring();
  std::vector<wchar_t> out(static_cast<size_t>(n));
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, out.data(), n);
  return std::wstring(out.data());
}

int ErrnoOf(DWORD error) {
  switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return EACCES;
    case ERROR_CANT_RESOLVE_FILENAME:
      return ELOOP;
    default:
      return EIO;
  }
}

}  // namespace

int OpenFile(const char* path, int flags, int mode) {
  const std::wstring wide = Wide(path);
  if (wide.empty()) {
    errno = ENOENT;
    return -1;
  }
  const bool write = (flags & (O_WRONLY | O_RDWR)) != 0;
  const DWORD access = GENERIC_READ | (write ? GENERIC_WRITE : 0);
  const DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  const DWORD disposition = (flags & O_CREAT) ? OPEN_ALWAYS : OPEN_EXISTING;
  // BACKUP_SEMANTICS lets a folder open, so that it is refused as a folder below, not as "access
  // denied"; OPEN_REPARSE_POINT opens a link itself instead of its target.
  DWORD attributes = FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS;
  if (flags & O_NOFOLLOW) attributes |= FILE_FLAG_OPEN_REPARSE_POINT;
  if ((flags & O_CREAT) && (mode & 0200) == 0) attributes |= FILE_ATTRIBUTE_READONLY;
  HANDLE h = CreateFileW(wide.c_str(), access, share, nullptr, disposition, attributes, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    errno = ErrnoOf(GetLastError());
    return -1;
  }
  BY_HANDLE_FILE_INFORMATION info;
  if (GetFileType(h) == FILE_TYPE_DISK && GetFileInformationByHandle(h, &info)) {
    int refused = 0;
    if ((flags & O_NOFOLLOW) && (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
      refused = ELOOP;
    } else if (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
      refused = EISDIR;
    }
    if (refused != 0) {
      CloseHandle(h);
      errno = refused;
      return -1;
    }
  }
  const int fd = _open_osfhandle(reinterpret_cast<intptr_t>(h), (write ? _O_RDWR : _O_RDONLY) | _O_BINARY);
  if (fd < 0) {
    CloseHandle(h);
    errno = EMFILE;
  }
  return fd;
}

int LinkStat(const char* path, struct stat* st) {
  const std::wstring wide = Wide(path);
  WIN32_FILE_ATTRIBUTE_DATA data;
  if (wide.empty() || !GetFileAttributesExW(wide.c_str(), GetFileExInfoStandard, &data)) {
    errno = wide.empty() ? ENOENT : ErrnoOf(GetLastError());
    return -1;
  }
  if (data.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {  // the link itself, even dangling
    *st = {};
    st->st_mode = S_IFLNK | 0777;
    return 0;
  }
  return stat(path, st);
}

absl::StatusOr<void*> PinnedEntryPoint(const void* address_in_library, const char* name) {
  HMODULE module = nullptr;
  if (!GetModuleHandleExW(
          GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
          reinterpret_cast<LPCWSTR>(address_in_library), &module)) {
    return absl::InternalError(absl::StrCat("cannot pin the extension's own library (error ",
                                            GetLastError(), ")"));
  }
  void* entry = reinterpret_cast<void*>(GetProcAddress(module, name));
  if (entry == nullptr) {
    char file[MAX_PATH] = "the extension's library";
    GetModuleFileNameA(module, file, sizeof file);
    return absl::InternalError(absl::StrCat("no ", name, " in ", file));
  }
  return entry;
}

#else

// SQLite dlclose()s an extension when the connection that loaded it closes: RTLD_NODELETE pins
// it, and the entry point is taken from the pinned handle.
absl::StatusOr<void*> PinnedEntryPoint(const void* address_in_library, const char* name) {
  Dl_info info;
  if (dladdr(address_in_library, &info) == 0 || info.dli_fname == nullptr) {
    return absl::InternalError("cannot find the extension's own library file");
  }
  void* handle = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  if (handle == nullptr) {
    return absl::InternalError(absl::StrCat("cannot pin ", info.dli_fname, ": ", dlerror()));
  }
  void* entry = dlsym(handle, name);
  dlclose(handle);  // NODELETE keeps it mapped; this only drops our extra reference
  if (entry == nullptr) {
    return absl::InternalError(absl::StrCat("no ", name, " in ", info.dli_fname));
  }
  return entry;
}

#endif

}  // namespace doctor
