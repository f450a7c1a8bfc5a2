#!/usr/bin/env bash
# sql/report.sql through the real sqlite3 shell: without a folder, and with one set as the shell
# parameter @migrations. Of two indexes with the same key (t_a_idx from a migration, idx_t_a built
# by hand), only the folder tells which one the migrations own: the script must pass it on, or its
# fix drops the migrations' index and drizzle-kit push creates it again.
# Usage: report_script_test.sh DOCTOR_SO REPORT_SQL
set -euo pipefail
so="$(realpath "$1")"
script="$(realpath "$2")"
source "$(dirname "$(realpath "$0")")/../sanitizer_env.sh" "$so"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/report_script.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir migrations
printf 'CREATE TABLE t(id INTEGER PRIMARY KEY, a INT);\nCREATE INDEX t_a_idx ON t(a);\n' \
  > migrations/0001_t.sql
sanitized sqlite3 -batch app.db -cmd ".load ${so%.so}" > /dev/null <<'SQL'
SELECT migrate_dir('migrations');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO t(a) SELECT i % 500 FROM n;
CREATE INDEX idx_t_a ON t(a);
SQL

fail=0
expect() {  # expect LABEL OUTPUT PRESENT ABSENT
  if ! grep -qF -- "$3" <<< "$2" || grep -qF -- "$4" <<< "$2"; then
    echo "FAIL: $1: expected '$3' and not '$4' in:"; echo "$2"; fail=1
  else
    echo "PASS: $1"
  fi
}
plain="$(sanitized sqlite3 -batch app.db -cmd ".load ${so%.so}" ".read $script" 2>&1)"
expect "no folder: index_lint's rule drops the larger name" "$plain" \
  'DROP INDEX "main".t_a_idx;' 'DROP INDEX "main".idx_t_a;'
folder="$(sanitized sqlite3 -batch app.db -cmd ".load ${so%.so}" \
  -cmd ".parameter set @migrations 'migrations'" ".read $script" 2>&1)"
expect "with @migrations: the hand-built twin goes" "$folder" \
  'DROP INDEX "main".idx_t_a;' 'DROP INDEX "main".t_a_idx;'
expect "with @migrations: no error" "$folder" "== Fixes" "Error"
exit $fail
