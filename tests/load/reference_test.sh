#!/usr/bin/env bash
# The README's reference section is exactly what tools/reference generates from doctor_help.
set -euo pipefail
so="$1" reference="$2" readme="$3"
source "$(dirname "$(realpath "$0")")/../sanitizer_env.sh" "$so"
expected="$("$reference" "$so")"
actual="$(python3 -c 'import re,sys; print(re.search(r"<!-- reference:begin.*?<!-- reference:end -->", open(sys.argv[1]).read(), re.S).group(0))' "$readme")"
if [ "$expected" != "$actual" ]; then
  diff <(echo "$actual") <(echo "$expected") || true
  echo "FAIL: README.md's reference is stale: run tools/reference --write"
  exit 1
fi
echo "1 passed, 0 failed"
