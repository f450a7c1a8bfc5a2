// migrate_check replays the application's hot queries (query_stats) on the dry run: on the
// Drizzle fixture app, a migration that drops posts_user_id_idx turns the posts-of-a-user query
// from SEARCH into SCAN, and says so with the VM steps before and after; one that leaves the
// index alone adds no plan_change row.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDoctor, scratchDir } from './doctor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, 'fixtures/drizzle-app/drizzle');

function appWithWorkload(t) {
  const db = openDoctor(path.join(scratchDir(t), 'app.db'));
  db.pragma('journal_mode = WAL');
  db.prepare('SELECT migrate_dir(?)').get(FIXTURE);
  db.exec(`INSERT INTO users(id, email) VALUES (1, 'a@x'), (2, 'b@x');
           WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
           INSERT INTO posts(id, user_id, title) SELECT i, CASE WHEN i % 1000 = 0 THEN 2 ELSE 1 END,
             'p' || i FROM n;`);
  db.prepare("SELECT query_stats_reset(), doctor_set('timing', 'on')").get();
  const postsOf = db.prepare('SELECT id, title FROM posts WHERE user_id = ?');
  for (let i = 0; i < 5; i++) assert.equal(postsOf.all(2).length, 10);
  return db;
}

const planChanges = (db, sql) => db.prepare(
  "SELECT severity, object, detail FROM migrate_check(?) WHERE kind = 'plan_change'").all(sql);

test('dropping the index of a hot query: a plan_change warning, SEARCH to SCAN, more steps', (t) => {
  const db = appWithWorkload(t);
  const rows = planChanges(db, 'DROP INDEX `posts_user_id_idx`;');
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.equal(rows[0].severity, 'warning');
  assert.equal(rows[0].object, 'posts_user_id_idx');
  assert.match(rows[0].detail, /^drops posts_user_id_idx, used by this hot query \(\d+% of measured time\): SELECT id, title FROM posts WHERE user_id = \? goes from SEARCH posts USING INDEX posts_user_id_idx \(user_id=\?\) to SCAN posts, /);
  // better-sqlite3 binds the user id: the example keeps the ?, replayed with a value guessed from
  // the data (user_id has 2 values: the rarer one, as a lookup of one user finds few rows).
  const [, before, after] = rows[0].detail.match(/, ([\d,]+) -> ([\d,]+) steps \(with user_id = 2 \(rarest\)\)$/);
  assert.ok(Number(before.replaceAll(',', '')) * 10 < Number(after.replaceAll(',', '')), rows[0].detail);
  assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'posts_user_id_idx'").get().n, 1);
});

test('one finding per dropped index: how many hot queries, their share, the worst one', (t) => {
  const db = appWithWorkload(t);
  const count = db.prepare('SELECT count(*) AS n FROM posts WHERE user_id = ?');
  const latest = db.prepare('SELECT max(id) AS id FROM posts WHERE user_id = ?');
  for (let i = 0; i < 3; i++) { count.get(2); latest.get(2); }
  const rows = planChanges(db, 'DROP INDEX `posts_user_id_idx`;');
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.equal(rows[0].severity, 'warning');
  assert.equal(rows[0].object, 'posts_user_id_idx');
  assert.match(rows[0].detail, /^drops posts_user_id_idx, used by 3 hot queries whose plan changes \((<1|\d+)% of measured time\); the worst: SELECT .* FROM posts WHERE user_id = \? goes from SEARCH posts USING (COVERING )?INDEX posts_user_id_idx \(user_id=\?\) to SCAN posts, [\d,]+ -> [\d,]+ steps \(with user_id = 2 \(rarest\)\)$/);
  // doctor_report's migrations findings carry the same line for a pending migration.
  const dir = scratchDir(t);
  fs.writeFileSync(path.join(dir, '0001_drop.sql'), 'DROP INDEX `posts_user_id_idx`;\n');
  const report = db.prepare("SELECT finding FROM doctor_report('main', 'quick', ?) WHERE area = 'migrations'").all(dir);
  assert.ok(report.some((r) => /\(plan_change\): drops posts_user_id_idx, used by 3 hot queries/.test(r.finding)), JSON.stringify(report));
});

test('a migration that leaves the hot query alone adds no plan_change row', (t) => {
  const db = appWithWorkload(t);
  assert.deepEqual(planChanges(db, 'ALTER TABLE `users` ADD `name` text;'), []);
});
