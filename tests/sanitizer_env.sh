# Sourced by shell tests that load doctor.so into a program not built with sanitizers (the
# sqlite3 shell, python3): when the .so was built with --config=asan/ubsan/tsan, the sanitizer
# runtime has to be preloaded into that program. No-op for a normal build.
# Usage: source tests/sanitizer_env.sh DOCTOR_SO, then `sanitized sqlite3 ...`.
# The runtime goes only into the commands that load doctor.so: exported to every child, TSAN's
# runtime kills tools such as ldd at start.
sanitizer_preload=""
# ldd's output is read whole first: `ldd | grep -q` under pipefail fails at random (SIGPIPE).
sanitizer_deps="$(ldd "$1" 2>/dev/null || true)"
for runtime in asan ubsan tsan; do
  if [[ "$sanitizer_deps" == *"lib${runtime}.so"* ]]; then
    sanitizer_preload="$sanitizer_preload $(gcc -print-file-name="lib${runtime}.so")"
  fi
done
if [ -n "$sanitizer_preload" ]; then
  export DOCTOR_PRELOAD="${sanitizer_preload# }"
  # The host programs' own allocations are not ours to judge; our errors still abort.
  # verify_asan_link_order=0: the runtime is preloaded, yet its link-order check fails at random
  # inside the Bazel sandbox (about one run in eight).
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:verify_asan_link_order=0:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
  export DOCTOR_SANITIZED=1
fi
sanitized() { LD_PRELOAD="${DOCTOR_PRELOAD:-}${LD_PRELOAD:+ $LD_PRELOAD}" "$@"; }
