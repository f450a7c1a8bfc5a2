// The live shared store (issue 15 items 1, 3, 4) with real processes on better-sqlite3 (SQLite
// 3.53): a worker that never calls anything of ours is visible to this "web" process within 1 s;
// after SIGKILL its figures up to 1 s before are kept; a reset here is seen by every process
// (this one, the worker, the sqlite3 shell); slow_queries shows the worker's slow statement.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCTOR_SO, Database, openDoctor, scratchDir } from './doctor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(here, 'timing_live_worker.mjs');
const LOOKUP = 'SELECT n FROM events WHERE id = ?';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function makeDb(t) {
  const file = path.join(scratchDir(t), 'app.db');
  const setup = new Database(file);
  setup.pragma('journal_mode = WAL');
  setup.exec(`CREATE TABLE events(id INTEGER PRIMARY KEY, n INTEGER);
              WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100)
              INSERT INTO events SELECT x, x FROM c`);
  setup.close();
  return file;
}

// A running loop worker; reports[] fills with its {at, calls} lines.
function startWorker(t, file) {
  const child = spawn(process.execPath, [WORKER, 'loop', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const worker = { child, reports: [] };
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      worker.reports.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
  });
  t.after(() => child.kill('SIGKILL'));
  return worker;
}

async function until(what, ms, check) {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - start > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

const callsIn = (db) => db.prepare('SELECT calls FROM query_stats WHERE query = ?').get(LOOKUP)?.calls ?? 0;

test('a worker is visible within 1 s, its slow statement too, and SIGKILL keeps all but ~1 s', async (t) => {
  const file = makeDb(t);
  const worker = startWorker(t, file);
  const web = openDoctor(file);
  t.after(() => web.close());
  const first = await until('first report', 10000, () => worker.reports.find((r) => r.calls >= 100));
  // The store holds at least what the worker had done at `first.at` within 1 s of it.
  await until('worker visible', 3000, () => callsIn(web) >= first.calls && Date.now());
  const latency = Date.now() - first.at;
  assert.ok(latency < 1000, `visible after ${latency} ms`);
  const slow = await until('slow statement', 2000, () => web.prepare(
    "SELECT ms, process FROM slow_queries WHERE sql LIKE 'WITH RECURSIVE c(x)%'").get());
  assert.ok(slow.ms >= 100 && slow.process !== 'this', JSON.stringify(slow));

  await sleep(1200);
  const killedAt = Date.now();
  worker.child.kill('SIGKILL');
  await new Promise((resolve) => worker.child.once('exit', resolve));
  const before = worker.reports.filter((r) => r.at <= killedAt - 1000).pop();
  const last = worker.reports[worker.reports.length - 1];
  const kept = callsIn(web);
  assert.ok(kept >= before.calls, `kept ${kept}, had ${before.calls} 1 s before the kill`);
  assert.ok(kept <= last.calls, `kept ${kept}, more than the ${last.calls} it ran`);
});

test('a reset in one process is seen by all: this one, the worker and the sqlite3 shell', async (t) => {
  const file = makeDb(t);
  const worker = startWorker(t, file);
  const web = openDoctor(file);
  t.after(() => web.close());
  await until('worker visible', 10000, () => callsIn(web) >= 300);
  const resetAt = Date.now();
  assert.equal(web.prepare('SELECT query_stats_reset() AS r').get().r, 'ok');
  assert.ok(callsIn(web) <= 20, `right after the reset: ${callsIn(web)}`);
  await sleep(1200);  // the worker flushes twice meanwhile: its older counts must not return
  const atReset = worker.reports.filter((r) => r.at <= resetAt).pop();
  const shell = Number(execFileSync('sqlite3', ['-batch', file, `.load ${DOCTOR_SO}`,
    `SELECT coalesce(sum(calls), 0) FROM query_stats WHERE query = '${LOOKUP}'`],
  { encoding: 'utf8' }).trim());
  const since = worker.reports[worker.reports.length - 1].calls - atReset.calls;
  assert.ok(shell > 0 && shell <= since + 10, `shell sees ${shell}; ${since} ran since the reset`);
  assert.ok(callsIn(web) <= since + 10, `web sees ${callsIn(web)}; ${since} ran since the reset`);
});

test('a process that exits without closing keeps its last counts; unloading stops the flusher', (t) => {
  const file = makeDb(t);
  execFileSync(process.execPath, [WORKER, 'exit', file, '37']);
  const shell = execFileSync('sqlite3', ['-batch', file, `.load ${DOCTOR_SO}`,
    `SELECT calls FROM query_stats WHERE query = '${LOOKUP}'`], { encoding: 'utf8' }).trim();
  assert.equal(shell, '37');
  // Loaded, used and unloaded three times in one process: no crash, every count kept.
  assert.equal(execFileSync(process.execPath, [WORKER, 'reload', file], { encoding: 'utf8' }), 'done');
  const db = openDoctor(file);
  assert.equal(callsIn(db), 52);
  db.close();
});

// A worker killed inside a flush (SIGKILL, an OOM kill) leaves the store with a hot rollback
// journal. Before, every read-only reader failed until some process flushed again, for good once
// the application's processes were gone: the shell said "store .../app.db-doctor: attempt to write
// a readonly database". The reader rolls it back now: the figures of the last finished flush.
test('a worker killed inside a flush leaves figures the sqlite3 shell still reads', (t) => {
  const file = makeDb(t);
  execFileSync(process.execPath, [WORKER, 'exit', file, '37']);
  const killed = spawnSync(process.execPath, [WORKER, 'killed-flush', file]);
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(fs.existsSync(`${file}-doctor-journal`), 'no hot journal left');
  const shell = spawnSync('sqlite3', ['-batch', file, `.load ${DOCTOR_SO}`,
    `SELECT calls FROM query_stats WHERE query = '${LOOKUP}'`], { encoding: 'utf8' });
  assert.equal(shell.stderr, '');
  assert.equal(shell.stdout.trim(), '37');  // the killed flush's +1000 rolled back
});
