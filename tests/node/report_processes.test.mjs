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
