#!/usr/bin/env bash
# doctor.so is self-contained, exports only its entry point, and never links SQLite.
set -euo pipefail
so="$1"
fail() { echo "FAIL: $*"; exit 1; }
source "$(dirname "$(realpath "$0")")/../sanitizer_env.sh" "$so"

deps="$(ldd "$so" | awk '{print $1}' | sed 's|.*/||; s/\.so.*//' | sort -u | tr '\n' ' ')"
for dep in $deps; do
  case "$dep" in
    linux-vdso|ld-linux-x86-64|libc|libm|libdl|libpthread) ;;
    libstdc++|libgcc_s|libasan|libubsan|libtsan|librt) [ -n "${DOCTOR_SANITIZED:-}" ] || fail "doctor.so depends on $dep (libstdc++ and libgcc are linked in statically)";;
    *) fail "doctor.so depends on $dep (allowed: libc, libm, libdl, libpthread)";;
  esac
done
echo "ok: depends only on: $deps"

# Loads on glibc 2.31 and newer (Debian 11, Ubuntu 20.04): no newer symbol version, no libstdc++
# version at all (ext/glibc_compat.cc). Sanitizer builds use the system's libraries as they are.
if [ -z "${DOCTOR_SANITIZED:-}" ]; then
  bash "$(dirname "$(realpath "$0")")/check_symbol_versions.sh" "$so" || exit 1
fi

exported="$(nm -D --defined-only "$so" | awk '$2 ~ /^[A-Z]$/ {print $3}')"
[ "$exported" = "sqlite3_doctor_init" ] || fail "exports more than the entry point: $exported"
echo "ok: exports only sqlite3_doctor_init"

undefined="$(nm -D --undefined-only "$so" | awk '{print $2}')"
if [[ $'\n'"$undefined" == *$'\n'sqlite3_* ]]; then
  fail "calls SQLite directly (links a SQLite copy): $(nm -D --undefined-only "$so" | grep sqlite3_)"
fi
defined="$(nm "$so" 2>/dev/null || true)"
if [[ "$defined" == *" T sqlite3_open"* ]]; then fail "contains a SQLite copy"; fi
echo "ok: no SQLite symbols linked"

out="$(sanitized sqlite3 :memory: ".load ${so%.so}" "SELECT doctor_version()")"
[[ "$out" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "doctor_version() gave '$out'"
out="$(sanitized sqlite3 :memory: ".load $so sqlite3_doctor_init" "SELECT count(*) > 0 FROM doctor_help")"
[ "$out" = 1 ] || fail "explicit entry point load gave '$out'"
echo "ok: loads in the sqlite3 shell with and without the entry point named"
# Every function and module the load adds is listed in doctor_help, and nothing else is added.
before_f="$(sanitized sqlite3 :memory: "SELECT DISTINCT name FROM pragma_function_list ORDER BY 1")"
after_f="$(sanitized sqlite3 :memory: ".load ${so%.so}" "SELECT DISTINCT name FROM pragma_function_list ORDER BY 1")"
added_f="$(comm -13 <(echo "$before_f") <(echo "$after_f"))"
help_f="$(sanitized sqlite3 :memory: ".load ${so%.so}" "SELECT DISTINCT name FROM doctor_help WHERE kind = 'function' ORDER BY 1")"
[ "$added_f" = "$help_f" ] || fail "functions added by the load differ from doctor_help: $(diff <(echo "$added_f") <(echo "$help_f"))"
before_m="$(sanitized sqlite3 :memory: "SELECT name FROM pragma_module_list ORDER BY 1")"
after_m="$(sanitized sqlite3 :memory: ".load ${so%.so}" "SELECT name FROM pragma_module_list ORDER BY 1")"
added_m="$(comm -13 <(echo "$before_m") <(echo "$after_m"))"
help_m="$(sanitized sqlite3 :memory: ".load ${so%.so}" "SELECT name FROM doctor_help WHERE kind = 'table' ORDER BY 1")"
[ "$added_m" = "$help_m" ] || fail "tables added by the load differ from doctor_help: $(diff <(echo "$added_m") <(echo "$help_m"))"
echo "ok: doctor_help lists exactly the $(echo "$added_f" | wc -l) functions and $(echo "$added_m" | wc -l) tables the load adds"
echo "1 passed, 0 failed"
