// Binds doctor.so to symbol versions that glibc 2.31 (Debian 11, Ubuntu 20.04; on arm64 the same list) already has, so a
// build made on Debian 12 (glibc 2.36) loads on older systems. Linked into doctor.so only, with
// `-Wl,--wrap=NAME` for each name below (//:doctor.so), so that every reference — ours, Abseil's
// and the statically linked libstdc++'s — goes through a wrapper calling the old version.
//
// Why by hand: glibc 2.34 moved dl* and pthread_key_* from libdl/libpthread into libc under a new
// version (GLIBC_2.34) and 2.33 made stat/fstat real functions (GLIBC_2.33); the old versions are
// still exported for compatibility, and `.symver` asks the linker for them. doctor.so also lists
// libdl.so.2 and libpthread.so.0 as needed (they are stubs on 2.34+, the real home of these
// symbols before). tests/load/so_test.sh asserts the highest GLIBC version and no GLIBCXX.
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>

#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))

// The oldest version of each symbol, and the version argument stat's old entry points take.
#if defined(__x86_64__)
#define DOCTOR_GLIBC_BASE "GLIBC_2.2.5"
#define DOCTOR_STAT_VER 1  // _STAT_VER_LINUX
#else
#define DOCTOR_GLIBC_BASE "GLIBC_2.17"
#define DOCTOR_STAT_VER 0  // _STAT_VER (generic)
#endif

extern "C" {

// libstdc++ (GCC 12) reads this glibc 2.32 variable to skip atomics in single-threaded programs.
// Defined here, hidden: 0 means "maybe multi-threaded", so it always takes the safe path.
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;

// gold's --wrap also catches a `.symver` reference to the same name (the wrapper would call
// itself), so each wrapper finds the old version with dlvsym, itself bound by `.symver` (it is
// not wrapped), once; the cache is a plain atomic (no static-local guard: __cxa_guard may call
// pthread_once, which is wrapped here).
void* doctor_old_dlvsym(void* handle, const char* name, const char* version);
__asm__(".symver doctor_old_dlvsym,dlvsym@" DOCTOR_GLIBC_BASE);

static void* OldVersionOf(void** cache, const char* name) {
  void* f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
  if (f == nullptr) {
    f = doctor_old_dlvsym(RTLD_DEFAULT, name, DOCTOR_GLIBC_BASE);
    __atomic_store_n(cache, f, __ATOMIC_RELEASE);
  }
  return f;
}

#define DOCTOR_OLD(ret, name, params, args)                                        \
  __attribute__((visibility("hidden"))) ret __wrap_##name params {                 \
    static void* cache = nullptr;                                                  \
    using Fn = ret(*) params;                                                      \
    return reinterpret_cast<Fn>(OldVersionOf(&cache, #name)) args;                 \
  }

DOCTOR_OLD(void*, dlopen, (const char* file, int mode), (file, mode))
DOCTOR_OLD(void*, dlsym, (void* handle, const char* name), (handle, name))
DOCTOR_OLD(int, dlclose, (void* handle), (handle))
DOCTOR_OLD(char*, dlerror, (void), ())
DOCTOR_OLD(int, dladdr, (const void* address, Dl_info* info), (address, info))
DOCTOR_OLD(int, pthread_key_create, (pthread_key_t* key, void (*destructor)(void*)),
           (key, destructor))
DOCTOR_OLD(int, __pthread_key_create, (pthread_key_t* key, void (*destructor)(void*)),
           (key, destructor))
DOCTOR_OLD(void*, pthread_getspecific, (pthread_key_t key), (key))
DOCTOR_OLD(int, pthread_setspecific, (pthread_key_t key, const void* value), (key, value))
DOCTOR_OLD(int, pthread_once, (pthread_once_t* once, void (*init)(void)), (once, init))
DOCTOR_OLD(int, pthread_create,
           (pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg),
           (thread, attr, start, arg))
DOCTOR_OLD(int, pthread_detach, (pthread_t thread), (thread))
DOCTOR_OLD(int, pthread_join, (pthread_t thread, void** result), (thread, result))
DOCTOR_OLD(int, pthread_sigmask, (int how, const sigset_t* set, sigset_t* old), (how, set, old))

#undef DOCTOR_OLD

// Before 2.33, stat and fstat were inline calls of __xstat/__fxstat with a version argument
// (_STAT_VER_LINUX, 1 on x86-64).
int doctor_old_xstat(int version, const char* path, struct stat* buf);
int doctor_old_lxstat(int version, const char* path, struct stat* buf);
int doctor_old_fxstat(int version, int fd, struct stat* buf);
int doctor_old_fxstat64(int version, int fd, struct stat64* buf);
__asm__(".symver doctor_old_fxstat64,__fxstat64@" DOCTOR_GLIBC_BASE);
__asm__(".symver doctor_old_xstat,__xstat@" DOCTOR_GLIBC_BASE);
__asm__(".symver doctor_old_lxstat,__lxstat@" DOCTOR_GLIBC_BASE);
__asm__(".symver doctor_old_fxstat,__fxstat@" DOCTOR_GLIBC_BASE);
__attribute__((visibility("hidden"))) int __wrap_stat(const char* path, struct stat* buf) {
  return doctor_old_xstat(DOCTOR_STAT_VER, path, buf);
}
__attribute__((visibility("hidden"))) int __wrap_lstat(const char* path, struct stat* buf) {
  return doctor_old_lxstat(DOCTOR_STAT_VER, path, buf);
}
__attribute__((visibility("hidden"))) int __wrap_fstat(int fd, struct stat* buf) {
  return doctor_old_fxstat(DOCTOR_STAT_VER, fd, buf);
}

__attribute__((visibility("hidden"))) int __wrap_fstat64(int fd, struct stat64* buf) {
  return doctor_old_fxstat64(DOCTOR_STAT_VER, fd, buf);
}

// libstdc++'s std::random_device prefers glibc 2.36's arc4random; getentropy (2.25) gives the
// same kernel randomness.
__attribute__((visibility("hidden"))) uint32_t __wrap_arc4random(void) {
  uint32_t value = 0;
  while (getentropy(&value, sizeof value) != 0) {
  }
  return value;
}

// The static unwinder (libgcc_eh, GCC 12) finds a function's unwind tables with glibc 2.35's
// _dl_find_object. Where the running glibc has it, it is used; before 2.35 the same answer comes
// from dl_iterate_phdr (the object whose loaded segments hold the address, and its
// PT_GNU_EH_FRAME), which is how older unwinders found it. Exceptions are caught at every entry
// from SQLite, so they must keep unwinding on old systems.
struct FindObjectQuery {
  uintptr_t pc;
  struct dl_find_object* result;
  bool found;
};

static int FindObjectOf(struct dl_phdr_info* info, size_t, void* data) {
  auto* q = static_cast<FindObjectQuery*>(data);
  uintptr_t low = UINTPTR_MAX, high = 0;
  const ElfW(Phdr)* eh_frame = nullptr;
  bool contains = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_GNU_EH_FRAME) eh_frame = &ph;
    if (ph.p_type != PT_LOAD) continue;
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    const uintptr_t end = start + ph.p_memsz;
    if (start < low) low = start;
    if (end > high) high = end;
    if (q->pc >= start && q->pc < end) contains = true;
  }
  if (!contains) return 0;
  q->result->dlfo_flags = 0;
  q->result->dlfo_map_start = reinterpret_cast<void*>(low);
  q->result->dlfo_map_end = reinterpret_cast<void*>(high);
  q->result->dlfo_link_map = nullptr;
  q->result->dlfo_eh_frame =
      eh_frame ? reinterpret_cast<void*>(info->dlpi_addr + eh_frame->p_vaddr) : nullptr;
  q->found = true;
  return 1;
}

__attribute__((visibility("hidden"))) int doctor_find_object_by_phdr(
    void* pc, struct dl_find_object* result) {
  FindObjectQuery q{reinterpret_cast<uintptr_t>(pc), result, false};
  dl_iterate_phdr(FindObjectOf, &q);
  return q.found ? 0 : -1;
}

using FindObjectFn = int (*)(void*, struct dl_find_object*);

__attribute__((visibility("hidden"))) int __wrap__dl_find_object(void* pc,
                                                                 struct dl_find_object* result) {
  static const FindObjectFn real = reinterpret_cast<FindObjectFn>(
      __wrap_dlsym(RTLD_DEFAULT, "_dl_find_object"));  // thread-safe static init
  if (real != nullptr) return real(pc, result);
  return doctor_find_object_by_phdr(pc, result);
}

}  // extern "C"

#endif
