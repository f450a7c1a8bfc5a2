// Three worker processes of one app (drizzle-orm and hand-written SQL on better-sqlite3, SQLite
// 3.53) and another process creating an index while they run: query_stats read from a fourth
// process equals the sum of what each worker counted itself, and plan_changes holds one change
// per worker. Before: the spellings of one query ('FROM Events', drizzle's 'FROM "events"') made
// two plan "changes" per worker at the CREATE INDEX; a write's first run after it counted the
// previous statement's changes (3 per worker); a worker's last counts could be lost when the
// workers exit together and their final flushes met each other's lock.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, openDoctor, scratchDir } from './doctor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(here, 'timing_cluster_worker.mjs');
const QUERIES = {
  lookup: 'SELECT id, n FROM events WHERE events.id = ?',
  byN: 'SELECT id FROM events WHERE n = ?',
  bump: 'UPDATE counters SET v = v + ? WHERE id <= ?',
  insert: 'INSERT INTO log(v) VALUES (?)',
  drizzleInsert: 'INSERT INTO log(id, v) VALUES (?, ?)',  // Drizzle's (null, ?): NULL is a constant
  begin: 'BEGIN',
  savepoint: 'SAVEPOINT ?',
  release: 'RELEASE ?',
  commit: 'COMMIT',
};

function makeDb(t) {
  const file = path.join(scratchDir(t), 'app.db');
  const setup = new Database(file);
  setup.pragma('journal_mode = WAL');
  setup.exec(`CREATE TABLE events(id INTEGER PRIMARY KEY, n INTEGER);
              WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 500)
              INSERT INTO events SELECT x, x % 10 FROM c;
              CREATE TABLE counters(id INTEGER PRIMARY KEY, v INTEGER);
              INSERT INTO counters VALUES (1, 0), (2, 0), (3, 0), (4, 0);
              CREATE TABLE log(id INTEGER PRIMARY KEY, v INTEGER);`);
  setup.close();
  return file;
}

function startWorker(t, file) {
  const child = spawn(process.execPath, [WORKER, file, '150'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const lines = [];
  let buffer = '';
  const waiters = [];
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      waiters.splice(0).forEach((wake) => wake());
    }
  });
  let ended = false;
  const exited = new Promise((resolve) => child.once('exit', (code) => {
    ended = true;
    waiters.splice(0).forEach((wake) => wake());
    resolve(code);
  }));
  const line = async (i) => {
    while (lines.length <= i && !ended) await new Promise((wake) => waiters.push(wake));
    return lines[i] ?? assert.fail(`worker ${child.pid} exited before line ${i}`);
  };
  return { child, line, exited };
}

test('three workers and an index created meanwhile: exact sums, one plan change per worker', async (t) => {
  const file = makeDb(t);
  const workers = [0, 1, 2].map(() => startWorker(t, file));
  for (const w of workers) assert.equal(await w.line(0), 'half');
  const beforeIndex = Date.now();
  const migration = new Database(file);
  migration.exec('CREATE INDEX events_n ON events(n)');
  migration.close();
  for (const w of workers) w.child.stdin.write('go\n');
  const own = await Promise.all(workers.map(async (w) => JSON.parse(await w.line(1))));
  const finishedAt = Date.now();
  const codes = await Promise.all(workers.map((w) => w.exited));
  assert.deepEqual(codes, [0, 0, 0]);

  const reader = openDoctor(file);  // a fourth process's view: the store only
  t.after(() => reader.close());
  const stats = reader.prepare('SELECT calls, rows FROM query_stats WHERE query = ?');
  for (const [key, query] of Object.entries(QUERIES)) {
    const want = own.reduce((sum, o) => ({ calls: sum.calls + o[key].calls, rows: sum.rows + o[key].rows }),
      { calls: 0, rows: 0 });
    assert.deepEqual({ ...stats.get(query) }, want, query);
  }
  const changes = reader.prepare('SELECT query, at, old_plan, new_plan, process FROM plan_changes').all();
  assert.deepEqual(changes.map((c) => c.query), Array(3).fill(QUERIES.byN), JSON.stringify(changes, null, 1));
  assert.equal(new Set(changes.map((c) => c.process)).size, 3);
  for (const c of changes) {
    assert.equal(c.new_plan, 'SEARCH events USING COVERING INDEX events_n (n=?)');
    const at = Date.parse(c.at);  // after the index was made, before the workers finished
    assert.ok(at >= beforeIndex && at <= finishedAt, `${c.at} not in [${beforeIndex}, ${finishedAt}]`);
  }
});
