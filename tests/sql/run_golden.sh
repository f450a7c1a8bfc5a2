#!/usr/bin/env bash
# Golden SQL test: runs a script through the real sqlite3 shell with doctor.so loaded and compares
# stdout+stderr with the .expected file beside it.
#   run_golden.sh DOCTOR_SO SCRIPT.sql            (under bazel test)
#   run_golden.sh --update DOCTOR_SO SCRIPT.sql   (rewrites SCRIPT.expected; see tools/regold)
set -uo pipefail
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
so="$(realpath "$1")"
script="$(realpath "$2")"
expected="${script%.sql}.expected"
source "$(dirname "$(realpath "$0")")/../sanitizer_env.sh" "$so"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/golden.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp "$script" "$work/"
# doctor.so, or doctor.dll for the Windows build (tools/windows): `.load ./doctor` finds either.
ln -s "$so" "$work/doctor.${so##*.}"
actual="$work/actual.out"
# The script runs in a scratch folder holding ./doctor.so, so relative file names stay local and
# a script can `.load ./doctor` again as users type it.
# DOCTOR_SQLITE3 names another shell (tools/arm64 runs the arm64 one under qemu, tools/windows
# the Windows one under wine).
(cd "$work" && sanitized ${DOCTOR_SQLITE3:-sqlite3} -batch -cmd ".load ./doctor" :memory: < "$(basename "$script")" > "$actual" 2>&1)
sed -i "s|$work|<tmp>|g" "$actual"
if [ "$update" = 1 ]; then
  cp "$actual" "$expected"
  echo "updated $expected"
  exit 0
fi
if ! diff -u "$expected" "$actual"; then
  echo "FAIL: $(basename "$script") differs from $(basename "$expected") (diff above: - expected, + actual)"
  echo "To accept the new output: tools/regold $(basename "$script")"
  exit 1
fi
echo "PASS: $(basename "$script")"
