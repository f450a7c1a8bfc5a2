#!/usr/bin/env bash
# doctor_help's areas are exactly the area folders //ext:doctor links (DOCTOR_AREAS in ext/BUILD,
# each a package //ext/NAME): folder = area name, everywhere.
set -euo pipefail
so="$1"; shift
source "$(dirname "$(realpath "$0")")/../tests/sanitizer_env.sh" "$so"
expected="$(printf '%s\n' "$@" | sort)"
actual="$(sanitized sqlite3 :memory: ".load ${so%.so}" "SELECT DISTINCT area FROM doctor_help ORDER BY 1")"
if [ "$expected" != "$actual" ]; then
  echo "FAIL: doctor_help areas differ from the folders linked in ext/BUILD:"
  diff <(echo "$expected") <(echo "$actual") || true
  exit 1
fi
echo "ok: areas = folders: $(echo $actual)"
echo "1 passed, 0 failed"
