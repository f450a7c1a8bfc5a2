#!/usr/bin/env bash
# doctor.so is self-contained, exports only its entry point, and never links SQLite.
set -euo pipefail
so="$1"
fail() { echo "FAIL: $*"; exit 1; }

deps="$(ldd "$so" | awk '{print $1}' | sed 's/\.so.*//' | sort -u | tr '\n' ' ')"
for dep in $deps; do
  case "$dep" in
    linux-vdso|/lib64/ld-linux-x86-64|libc|libm|libstdc++|libgcc_s) ;;
    *) fail "doctor.so depends on $dep (allowed: libc, libm, libstdc++, libgcc_s)";;
  esac
done
echo "ok: depends only on: $deps"

exported="$(nm -D --defined-only "$so" | awk '$2 ~ /^[A-Z]$/ {print $3}')"
[ "$exported" = "sqlite3_doctor_init" ] || fail "exports more than the entry point: $exported"
echo "ok: exports only sqlite3_doctor_init"

if nm -D --undefined-only "$so" | awk '{print $2}' | grep -q '^sqlite3_'; then
  fail "calls SQLite directly (links a SQLite copy): $(nm -D --undefined-only "$so" | grep sqlite3_)"
fi
if nm "$so" 2>/dev/null | grep -q ' T sqlite3_open'; then fail "contains a SQLite copy"; fi
echo "ok: no SQLite symbols linked"

out="$(sqlite3 :memory: ".load ${so%.so}" "SELECT doctor_version()")"
[[ "$out" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "doctor_version() gave '$out'"
out="$(sqlite3 :memory: ".load $so sqlite3_doctor_init" "SELECT count(*) > 0 FROM doctor_help")"
[ "$out" = 1 ] || fail "explicit entry point load gave '$out'"
echo "ok: loads in the sqlite3 shell with and without the entry point named"
echo "1 passed, 0 failed"
