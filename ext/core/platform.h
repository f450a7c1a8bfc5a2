// What differs between Linux, macOS and Windows, in one place. The areas call POSIX (open,
// lstat, fchmod, dlopen) through this header: on Linux and macOS these are the system's own calls,
// unchanged; on Windows (mingw-w64, tools/windows) the few that Windows lacks get a real
// implementation here or a stand-in that says what it does not do.
//
//   OpenFile(path, O_RDONLY | O_NOFOLLOW)   open(2); on Windows CreateFileW (UTF-8 path), binary,
//                                           and O_NOFOLLOW refuses a reparse point (symbolic link
//                                           or junction) with ELOOP as Linux does
//   LinkStat(path, &st)                     lstat(2); on Windows a reparse point is S_IFLNK
//   NarrowMode(fd, mode)                    fchmod(2); Windows has no Unix mode bits: 0, nothing done
//   PinnedEntryPoint(address, "name")       the library holding `address` pinned in memory (never
//                                           unloaded), and its exported function `name`
#ifndef DOCTOR_CORE_PLATFORM_H_
#define DOCTOR_CORE_PLATFORM_H_

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "absl/status/statusor.h"

#if defined(_WIN32)
#include <io.h>
#else
#include <unistd.h>
#endif

// The one symbol doctor.so / doctor.dll exports.
#if defined(_WIN32)
#define DOCTOR_EXPORT __declspec(dllexport)
#else
#define DOCTOR_EXPORT __attribute__((visibility("default")))
#endif

#if defined(_WIN32)
// POSIX names that Windows' C library lacks. The flags that only matter to Unix devices and
// exec() are no-ops; O_NOFOLLOW is a private bit that only OpenFile understands.
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 0
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0x10000000
#endif
#ifndef S_IFLNK
#define S_IFLNK 0120000
#endif
#ifndef S_ISLNK
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#endif
#ifndef S_ISSOCK
#define S_ISSOCK(m) 0
#endif
#ifndef S_ISBLK
#define S_ISBLK(m) 0
#endif
#endif  // _WIN32

namespace doctor {

#if defined(_WIN32)
int OpenFile(const char* path, int flags, int mode = 0);
int LinkStat(const char* path, struct stat* st);
inline int NarrowMode(int, mode_t) { return 0; }
#else
inline int OpenFile(const char* path, int flags, int mode = 0) { return ::open(path, flags, mode); }
inline int LinkStat(const char* path, struct stat* st) { return ::lstat(path, st); }
inline int NarrowMode(int fd, mode_t mode) { return ::fchmod(fd, mode); }
#endif

// The address of the exported function `name` of the library (doctor.so / doctor.dll) that holds
// `address_in_library`, after pinning that library so that it is never unloaded. Errors name the
// library file.
absl::StatusOr<void*> PinnedEntryPoint(const void* address_in_library, const char* name);

}  // namespace doctor

#endif  // DOCTOR_CORE_PLATFORM_H_
