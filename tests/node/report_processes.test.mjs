// doctor_report and index_advise read a workload another process ran: query_stats rows from the
// shared store carry the normalized text only (literal examples stay in their process), so the
// advice must come from the shape, with its `?` and folded IN lists made runnable again.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { DOCTOR_SO, openDoctor, scratchDir } from './doctor.mjs';

// Runs in a child process: builds the table and runs the application's queries, then closes
// (the store is written when the last connection closes).
const APP = `
  import { openDoctor } from ${JSON.stringify(new URL('./doctor.mjs', import.meta.url).href)};
  const db = openDoctor(process.argv[1]);
  db.pragma('journal_mode = WAL');
  db.exec(\`CREATE TABLE items(id INTEGER PRIMARY KEY, tag TEXT, owner INTEGER, body TEXT);
    WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000)
    INSERT INTO items SELECT x, 'tag' || (x % 500), x % 97, hex(randomblob(20)) FROM c\`);
  const byTag = db.prepare('SELECT id, body FROM items WHERE tag = ?');
  const byOwners = db.prepare('SELECT count(*) FROM items WHERE owner IN (?, ?, ?)');
  for (let i = 0; i < 30; i++) {
    byTag.all('tag' + i);
    byOwners.get(i, i + 1, i + 2);
  }
  db.close();
`;

function runApp(t) {
  const file = path.join(scratchDir(t), 'app.db');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', APP, file],
                          { env: { ...process.env, DOCTOR_SO }, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return file;
}

test("the report advises an index for another process's scanning query", (t) => {
  const file = runApp(t);
  const web = openDoctor(file);
  t.after(() => web.close());
  const row = web.prepare("SELECT example FROM query_stats WHERE query LIKE 'SELECT id, body%'").get();
  assert.ok(row, 'the app process\'s query is in the shared store');
  assert.equal(row.example, null, 'its literal example stayed in the app process');
  const findings = web.prepare(
    "SELECT finding, fix_sql FROM doctor_report('main', 'quick') WHERE area = 'timing'").all();
  const scan = findings.find((f) => f.finding.includes('WHERE tag = ?'));
  assert.ok(scan, JSON.stringify(findings));
  assert.match(scan.fix_sql ?? '', /^CREATE INDEX .* ON "?items"?\s*\(\s*"?tag/, JSON.stringify(scan));
});

test("index_advise() on another process's workload advises its IN-list query too", (t) => {
  const file = runApp(t);
  const web = openDoctor(file);
  t.after(() => web.close());
  const advice = web.prepare('SELECT columns FROM index_advise() WHERE index_sql IS NOT NULL').all();
  const columns = advice.map((a) => a.columns);
  assert.ok(columns.some((c) => c.startsWith('tag')), JSON.stringify(columns));
  assert.ok(columns.some((c) => c.startsWith('owner')), JSON.stringify(columns));
});

// The application (better-sqlite3, SQLite 3.53.2: fixed) and the report read from Debian's sqlite3
// shell (3.40.1: the WAL-reset bug). The report names both versions, with who runs each: before,
// it judged the shell's SQLite alone and never mentioned the application's.
test('the report from the sqlite3 shell names its own SQLite and the application\'s', (t) => {
  const shell = '/usr/bin/sqlite3';
  const version = spawnSync(shell, ['-version'], { encoding: 'utf8' });
  if (version.status !== 0) { t.skip('no sqlite3 shell'); return; }
  const shellVersion = version.stdout.split(' ')[0];
  const file = runApp(t);
  const app = openDoctor(file);
  const appVersion = app.prepare('SELECT sqlite_version() AS v').get().v;
  app.close();
  if (shellVersion === appVersion) { t.skip('the shell runs the same SQLite'); return; }
  const report = spawnSync(shell, [file, `.load ${DOCTOR_SO}`,
    "SELECT object || ' | ' || finding FROM doctor_report WHERE area = 'sqlite' AND finding LIKE '%WAL-reset%'"],
  { encoding: 'utf8' });
  assert.equal(report.status, 0, report.stderr);
  const lines = report.stdout.trim().split('\n');
  // The shell's 3.40.1 has the bug; the application's 3.53.2 is named, with its plans, as fixed.
  assert.equal(lines.length, 1, report.stdout);
  assert.ok(lines[0].startsWith(`SQLite ${shellVersion} | SQLite ${shellVersion}, run by this connection, has this problem`),
    report.stdout);
  assert.match(lines[0], new RegExp(`SQLite ${appVersion.replaceAll('.', '\\.')} \\(application processes that captured 2 query plans of this database (at|between) 20[^)]*\\) does not`));
  assert.match(lines[0], /checkpoints run by SQLite [0-9.]+ are at risk, whatever SQLite the writers run: from this connection/);
});
