#!/usr/bin/env bash
# doctor_html's page rendered by headless Chromium (Debian's `chromium`, installed by tools/setup):
# the sample database with a captured workload and a hostile table name, written to a file and
# opened from it. Checks that the page's script ran to its end with no script error logged, that
# every section and the hostile text show as text (no <img> element comes from it), and that a
# click on a column header sorts the table.
# Usage: html_render_test.sh DOCTOR_SO SAMPLE_SQL. Skips (passes with a message) without chromium.
set -euo pipefail
so="$(realpath "$1")"
sample="$(realpath "$2")"
source "$(dirname "$(realpath "$0")")/../sanitizer_env.sh" "$so"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "SKIPPED: chromium is not installed (tools/setup installs Debian's chromium package)"
  exit 0
fi
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/html.XXXXXX")"
db="$work/app.db"
sqlite3 "$db" < "$sample" > /dev/null
sanitized sqlite3 -batch "$db" -cmd ".load ${so%.so}" > "$work/page.html" <<'SQL'
.output /dev/null
CREATE TABLE "</script><img src=x onerror=alert(1)>" (x);
SELECT doctor_set('slow_ms', 0);
SELECT * FROM "</script><img src=x onerror=alert(1)>" WHERE x = 'a';
SELECT name, email FROM users WHERE id = 17;
SELECT name, email FROM users WHERE id = 18;
SELECT name, email FROM users WHERE id = 19;
SELECT count(*), sum(size_bytes) FROM resources WHERE project_id = 42;
SELECT count(*), sum(size_bytes) FROM resources WHERE project_id = 43;
SELECT doctor_set('slow_ms', 100);
SELECT doctor_checkpoint('PASSIVE');
.output stdout
.mode list
SELECT doctor_html();
SQL

# The page as shipped, and a copy with a test script after it that sorts the top queries by
# calls (one click: descending) and writes what it sees into the DOM.
cp "$work/page.html" "$work/sorted.html"
cat >> "$work/sorted.html" <<'HTML'
<script>
(function () {
  var table = document.querySelector('#queries table');
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var calls = headers.filter(function (h) { return h.textContent === 'calls'; })[0];
  calls.click();
  var index = headers.indexOf(calls);
  var seen = Array.prototype.map.call(table.tBodies[0].rows, function (r) {
    return r.cells[index].textContent;
  });
  document.body.setAttribute('data-sorted-calls', seen.join(','));
})();
</script>
HTML

render() {  # render FILE OUT_DOM OUT_LOG
  HOME="$work" "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
    --virtual-time-budget=2000 --dump-dom "file://$1" > "$2" 2> "$3" || {
      echo "FAIL: chromium failed on $1"; cat "$3"; exit 1; }
}
render "$work/page.html" "$work/page.dom" "$work/page.log"
render "$work/sorted.html" "$work/sorted.dom" "$work/sorted.log"

failures=0
expect() {  # expect DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
expect "the page's script ran to its end" has "$work/page.dom" 'data-ready="1"'
for log in "$work/page.log" "$work/sorted.log"; do
  expect "no script error logged ($(basename "$log"))" \
    bash -c "! grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE.*[Ee]rror|Refused to' '$log'"
done
for id in findings queries slow wal locks indexes migrations; do
  expect "section $id" has "$work/page.dom" "<section id=\"$id\">"
done
expect "the hostile name shows as text" has "$work/page.dom" '&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'
expect "no element comes from the hostile name" lacks "$work/page.dom" '<img'
expect "the finding's fix is there to copy" has "$work/page.dom" 'PRAGMA foreign_keys = ON;</pre>'
expect "the captured query and its plan" has "$work/page.dom" 'SEARCH users USING INTEGER PRIMARY KEY'
expect "a latency histogram" has "$work/page.dom" '<svg class="bars"'
expect "the checkpoint is listed" has "$work/page.dom" '<td>PASSIVE</td>'
order="$(grep -o 'data-sorted-calls="[^"]*"' "$work/sorted.dom" | sed 's/.*="\(.*\)"/\1/')"
echo "calls after one click: $order"
sorted_desc="$(tr ',' '\n' <<< "$order" | sort -rn | paste -sd, -)"
expect "a click sorts by calls, most first" test -n "$order" -a "$order" = "$sorted_desc"
expect "the sort changed the order of a mixed table" test "$(tr ',' '\n' <<< "$order" | head -1)" = 3
if [ "$failures" -gt 0 ]; then
  echo "--- chromium log"; cat "$work/page.log"
  exit 1
fi
