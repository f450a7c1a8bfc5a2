// Issue 20: running every fix_sql of one doctor_report, then the application's workload again,
// leaves the next report with no index to add, drop or analyze, and index_lint with nothing to
// undo. The workload runs in another process (the captured path: query_stats read from the
// shared store), on a database without sqlite_stat1, with a DELETE whose cost is in its
// ON DELETE CASCADE children (its runs before the fix dominate its figures afterwards).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { DOCTOR_SO, openDoctor, scratchDir } from './doctor.mjs';

// argv: file, how many rounds of the workload. Builds the schema on first use, out of the
// statistics (timing off while seeding).
const APP = `
  import { openDoctor } from ${JSON.stringify(new URL('./doctor.mjs', import.meta.url).href)};
  const [file, rounds] = process.argv.slice(1);
  const db = openDoctor(file);
  db.pragma('journal_mode = WAL');
  if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'orgs'").get()) {
    db.prepare("SELECT doctor_set('timing', 'off')").get();
    db.exec(\`
      CREATE TABLE orgs(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
      CREATE TABLE members(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id)
        ON DELETE CASCADE, email TEXT NOT NULL);
      CREATE TABLE documents(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id)
        ON DELETE CASCADE, title TEXT NOT NULL);
      CREATE TABLE comments(id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL
        REFERENCES documents(id) ON DELETE CASCADE, author_id INTEGER REFERENCES members(id)
        ON DELETE SET NULL, body TEXT NOT NULL);
      CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT NOT NULL, priority INTEGER NOT NULL,
        run_at INTEGER NOT NULL);
      CREATE INDEX jobs_state ON jobs(state);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO orgs SELECT i, 'org' || i FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO members SELECT i, 1 + i % 2000, 'm' || i FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO documents SELECT i, 1 + (i * 7) % 2000, 'doc' || i FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
      INSERT INTO comments SELECT i, 1 + i % 20000, 1 + (i * 13) % 20000, 'c' || i FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO jobs SELECT i, CASE WHEN i % 50 = 0 THEN 'queued' ELSE 'done' END, i % 10, i FROM n;\`);
    db.prepare("SELECT doctor_set('timing', 'on')").get();
  }
  const first = db.prepare('SELECT min(id) AS m FROM orgs').get().m;
  const remove = db.prepare('DELETE FROM orgs WHERE id = ?');
  const poll = db.prepare('SELECT id FROM jobs WHERE state = ? ORDER BY priority DESC, run_at LIMIT 5');
  const titled = db.prepare('SELECT id FROM documents WHERE title = ?');
  const byMember = db.prepare('SELECT count(*) FROM comments WHERE author_id = ?');
  for (let i = 0; i < Number(rounds); i++) {
    remove.run(first + i);
    poll.all('queued');
    titled.all('doc' + (100 + i * 29));
    byMember.get(1 + i * 17);
  }
  db.close();
`;

function runApp(file, rounds) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', APP, file, String(rounds)],
                          { env: { ...process.env, DOCTOR_SO }, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
}

// The report as a reader process sees it (its own statements not timed), slow from 5 ms.
function report(file) {
  const db = openDoctor(file);
  try {
    db.prepare("SELECT doctor_set('timing', 'off'), doctor_set('slow_ms', 5)").get();
    return {
      findings: db.prepare('SELECT area, severity, object, finding, advice, fix_sql FROM ' +
                           "doctor_report('main', 'quick')").all(),
      lint: db.prepare("SELECT kind, index_name FROM index_lint WHERE kind IN " +
                       "('duplicate', 'prefix', 'low_selectivity')").all(),
    };
  } finally {
    db.close();
  }
}

test('every fix of one report, then the workload again: the next report has no index finding',
     (t) => {
  const file = path.join(scratchDir(t), 'app.db');
  runApp(file, 20);
  const first = report(file);
  const fixes = first.findings.filter((f) => f.fix_sql).map((f) => f.fix_sql);
  assert.ok(fixes.some((f) => f.startsWith('ANALYZE')), 'no statistics yet: ' + fixes.join('\n'));
  assert.ok(fixes.filter((f) => f.startsWith('CREATE INDEX')).length >= 3, fixes.join('\n'));
  const removal = first.findings.find((f) => f.finding.includes('DELETE FROM orgs'));
  assert.equal(removal?.severity, 'warn', JSON.stringify(first.findings, null, 1));
  const db = openDoctor(file);
  db.prepare("SELECT doctor_set('timing', 'off')").get();
  for (const fix of fixes) db.exec(fix);
  db.close();
  // Fewer runs after the fix than before: the DELETE's figures are still mostly its old runs.
  runApp(file, 5);
  const second = report(file);
  const shown = JSON.stringify(second.findings, null, 1);
  assert.deepEqual(second.findings.filter((f) => /^(CREATE|DROP) INDEX|^ANALYZE/.test(f.fix_sql ?? '')),
                   [], shown);
  assert.deepEqual(second.findings.filter((f) => f.area === 'indexes'), [], shown);
  assert.deepEqual(second.findings.filter((f) => f.area === 'timing' && f.severity !== 'info'),
                   [], shown);
  const fixed = second.findings.find((f) => f.finding.includes('DELETE FROM orgs'));
  if (fixed) assert.match(fixed.advice, /already applied/, shown);
  assert.deepEqual(second.lint, []);
});
