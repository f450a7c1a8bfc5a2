#!/usr/bin/env bash
# The README's reference section is exactly what tools/reference generates from doctor_help.
set -euo pipefail
so="$1" reference="$2" readme="$3"
source "$(dirname "$(realpath "$0")")/../sanitizer_env.sh" "$so"
# tools/reference is a bash script and bash cannot run under TSAN's runtime: only the sqlite3 it
# starts gets the preload, through a wrapper first on PATH.
shim="$(mktemp -d "${TEST_TMPDIR:-/tmp}/shim.XXXXXX")"
trap 'rm -rf "$shim"' EXIT
printf '#!/bin/sh\nLD_PRELOAD="%s" exec %s "$@"\n' "${DOCTOR_PRELOAD:-}" "$(command -v sqlite3)" > "$shim/sqlite3"
chmod +x "$shim/sqlite3"
expected="$(PATH="$shim:$PATH" "$reference" "$so")"
actual="$(python3 -c 'import re,sys; print(re.search(r"<!-- reference:begin.*?<!-- reference:end -->", open(sys.argv[1]).read(), re.S).group(0))' "$readme")"
if [ "$expected" != "$actual" ]; then
  diff <(echo "$actual") <(echo "$expected") || true
  echo "FAIL: README.md's reference is stale: run tools/reference --write"
  exit 1
fi
echo "1 passed, 0 failed"
