// Plan regressions in a small Drizzle app (issue 18 item 3, issue 15 item 5): the app's hot query
// runs through drizzle-orm on better-sqlite3 (SQLite 3.53), a drizzle-kit migration applied with
// migrate_dir drops the index it uses, and the app's own connection records the change of plan:
// a plan_changes row naming the migration, and a doctor_report finding whose fix recreates it.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';
import { and, eq, lt } from 'drizzle-orm';
import { execFileSync } from 'node:child_process';
import { DOCTOR_SO, openDoctor, scratchDir } from './doctor.mjs';

const jobs = sqliteTable('jobs', {
  id: integer('id').primaryKey(),
  state: text('state').notNull(),
  runAt: integer('run_at').notNull(),
});

const MIGRATIONS = [
  ['0000_jobs', `CREATE TABLE \`jobs\` (\`id\` integer PRIMARY KEY NOT NULL, \`state\` text NOT NULL, \`run_at\` integer NOT NULL);
--> statement-breakpoint
CREATE INDEX \`jobs_state_run_at\` ON \`jobs\` (\`state\`,\`run_at\`);`],
  ['0001_drop_jobs_index', 'DROP INDEX `jobs_state_run_at`;'],
];

// A drizzle-kit folder (meta/_journal.json) with the first `n` migrations.
function folder(dir, n) {
  const out = path.join(dir, `drizzle${n}`);
  fs.mkdirSync(path.join(out, 'meta'), { recursive: true });
  const entries = MIGRATIONS.slice(0, n).map(([tag, sql], idx) => {
    fs.writeFileSync(path.join(out, `${tag}.sql`), sql);
    return { idx, version: '6', when: 1795547328653 + idx, tag, breakpoints: true };
  });
  fs.writeFileSync(path.join(out, 'meta/_journal.json'),
    JSON.stringify({ version: '7', dialect: 'sqlite', entries }, null, 2));
  return out;
}

// The app: the queue poll runs 40 times with the index, then a migration applied with migrate_dir
// drops it and the poll runs 40 times more (scanning).
function appWithDroppedIndex(t) {
  const dir = scratchDir(t);
  const file = path.join(dir, 'app.db');
  const sqlite = openDoctor(file);
  t.after(() => sqlite.close());
  sqlite.prepare('SELECT migrate_dir(?)').get(folder(dir, 1));
  const insert = sqlite.prepare('INSERT INTO jobs(state, run_at) VALUES (?, ?)');
  sqlite.transaction(() => {
    for (let i = 1; i <= 5000; i++) insert.run(i % 100 === 0 ? 'ready' : 'done', i);
  })();
  sqlite.prepare('SELECT query_stats_reset()').get();
  const db = drizzle(sqlite);
  // The queue poll, prepared once as an app would (drizzle's .prepare()).
  const poll = db.select({ id: jobs.id }).from(jobs)
    .where(and(eq(jobs.state, 'ready'), lt(jobs.runAt, 4000))).prepare();
  for (let i = 0; i < 40; i++) assert.equal(poll.all().length, 39);

  sqlite.prepare('SELECT migrate_dir(?)').get(folder(dir, 2));
  for (let i = 0; i < 40; i++) assert.equal(poll.all().length, 39);
  return { file, sqlite };
}

test('a migration that drops the index of a hot query: plan_changes names it, the report recreates it', (t) => {
  const { sqlite } = appWithDroppedIndex(t);
  const changes = sqlite.prepare('SELECT * FROM plan_changes').all();
  assert.equal(changes.length, 1, JSON.stringify(changes));
  const c = changes[0];
  assert.match(c.query, /^SELECT "?id"? FROM "?jobs"? WHERE/i);
  assert.equal(c.cause, 'migration 0001_drop_jobs_index');
  assert.match(c.old_plan, /USING (COVERING )?INDEX jobs_state_run_at \(state=\? AND run_at<\?\)/);
  assert.equal(c.new_plan, 'SCAN jobs');
  assert.equal(c.dropped_indexes, 'jobs_state_run_at');
  // Planned by the application's SQLite (better-sqlite3's), not the reader's.
  assert.equal(c.new_sqlite, sqlite.prepare('SELECT sqlite_version() AS v').get().v);
  assert.ok(c.old_calls >= 40 && c.old_calls + c.new_calls === 80, JSON.stringify(c));
  assert.ok(c.new_steps > 2 * c.old_steps, JSON.stringify(c));
  assert.equal(c.regression, 1);
  // The index exactly as the migration that created it wrote it.
  assert.equal(c.fix, 'CREATE INDEX `jobs_state_run_at` ON `jobs` (`state`,`run_at`);');

  const stats = sqlite.prepare(
    "SELECT plan, plan_id FROM query_stats WHERE query LIKE 'SELECT%jobs%run_at%'").get();
  assert.equal(stats.plan, 'SCAN jobs');
  assert.equal(typeof stats.plan_id, 'number');

  const findings = sqlite.prepare(
    "SELECT severity, finding, advice, fix_sql FROM doctor_report WHERE finding LIKE '%plan of query%'").all();
  assert.equal(findings.length, 1, JSON.stringify(findings));
  assert.equal(findings[0].severity, 'warn');
  assert.match(findings[0].finding, /migration 0001_drop_jobs_index/);
  assert.match(findings[0].advice, /recreate the index the old plan used \(jobs_state_run_at\)/);
  assert.equal(findings[0].fix_sql, c.fix);
});

// How users run the report: the sqlite3 shell (SQLite 3.40, another process) while the app (3.53)
// keeps running and never calls anything of ours. The app's background flusher shares its plan
// change through the store (doctor_plan_changes, format 4); before, the shell saw no change.
test("the sqlite3 shell sees the app process's plan regression, with its cause and fix", (t) => {
  const { file, sqlite } = appWithDroppedIndex(t);
  const appVersion = sqlite.prepare('SELECT sqlite_version() AS v').get().v;
  const shell = (...sql) => JSON.parse(execFileSync('sqlite3', ['-batch', '-json', file,
    `.load ${DOCTOR_SO}`, ...sql], { encoding: 'utf8' }).trim() || '[]');
  let changes = [];
  for (const deadline = Date.now() + 5000; changes.length === 0 && Date.now() < deadline;) {
    changes = shell('SELECT * FROM plan_changes');
    if (changes.length === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  assert.equal(changes.length, 1, JSON.stringify(changes));
  const c = changes[0];
  assert.notEqual(c.process, 'this');
  assert.equal(c.cause, 'migration 0001_drop_jobs_index');
  assert.match(c.old_plan, /USING (COVERING )?INDEX jobs_state_run_at/);
  assert.equal(c.new_plan, 'SCAN jobs');
  assert.equal(c.dropped_indexes, 'jobs_state_run_at');
  assert.equal(c.new_sqlite, appVersion);
  assert.ok(c.old_calls >= 40 && c.new_calls >= 1, JSON.stringify(c));
  assert.equal(c.regression, 1);
  assert.equal(c.fix, 'CREATE INDEX `jobs_state_run_at` ON `jobs` (`state`,`run_at`);');

  const findings = shell("SELECT severity, finding, fix_sql FROM doctor_report WHERE finding LIKE '%plan of query%'");
  assert.equal(findings.length, 1, JSON.stringify(findings));
  assert.equal(findings[0].severity, 'warn');
  assert.match(findings[0].finding, /migration 0001_drop_jobs_index/);
  assert.equal(findings[0].fix_sql, c.fix);
});

// A Drizzle query whose value picks a partial index (better-sqlite3 binds every run, and SQLite
// re-prepares the statement for the value): query_stats.plan is the plan it ran with, and
// index_lint does not call the index unused (before: "SCAN jobs ...", and an EXPLAIN per run).
test('a partial index that the bound value runs with is the plan shown and is not unused', (t) => {
  const sqlite = openDoctor(path.join(scratchDir(t), 'app.db'));
  sqlite.exec(`CREATE TABLE jobs (id integer PRIMARY KEY, state text NOT NULL, run_at integer NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    INSERT INTO jobs (state, run_at) SELECT CASE WHEN i % 100 = 0 THEN 'queued' ELSE 'done' END, i FROM n;
    CREATE INDEX jobs_queued ON jobs (run_at) WHERE state = 'queued';`);
  const db = drizzle(sqlite);
  for (let i = 0; i < 30; i++) {
    db.select().from(jobs).where(and(eq(jobs.state, 'queued'), lt(jobs.runAt, 2000))).all();
  }
  const row = sqlite.prepare("SELECT calls, plan FROM query_stats WHERE query LIKE 'select %jobs%'").get();
  assert.equal(row.calls, 30);
  assert.match(row.plan, /USING (COVERING )?INDEX jobs_queued/);
  sqlite.exec("SELECT doctor_set('lint_unused_min_calls', 1), doctor_set('lint_unused_min_queries', 1), doctor_set('lint_unused_min_hours', 0)");
  const unused = sqlite.prepare("SELECT count(*) AS n FROM index_lint WHERE index_name = 'jobs_queued'").get().n;
  sqlite.exec("SELECT doctor_set('lint_unused_min_calls', 1000), doctor_set('lint_unused_min_queries', 10), doctor_set('lint_unused_min_hours', 24)");
  assert.equal(unused, 0);
  sqlite.close();
});
