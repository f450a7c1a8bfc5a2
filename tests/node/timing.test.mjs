// Query timing across processes: two better-sqlite3 processes flush their statistics into the
// database's sidecar; the sqlite3 shell (another SQLite library, 3.40) and a third connection see
// exactly the merged counts, and the plan the workers' SQLite captured.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCTOR_SO, Database, openDoctor, scratchDir } from './doctor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const INSERT = 'INSERT INTO events(kind, n) VALUES (?, ?)';
const SELECT = 'SELECT count(*) FROM events WHERE n > ?';

function runWorker(file, inserts, selects) {
  const out = execFileSync(process.execPath, [path.join(here, 'timing_worker.mjs'), file,
    String(inserts), String(selects)], { encoding: 'utf8' });
  return JSON.parse(out);
}

test('flushes of two processes merge exactly in the sqlite3 shell and a third connection', (t) => {
  const dir = scratchDir(t);
  const file = path.join(dir, 'app.db');
  const setup = new Database(file);
  setup.pragma('journal_mode = WAL');
  setup.exec('CREATE TABLE events(id INTEGER PRIMARY KEY, kind TEXT, n INTEGER)');
  setup.close();

  // query_stats_flush() writes what the background flusher has not written yet (maybe nothing).
  assert.ok(runWorker(file, 120, 30).written >= 0);
  assert.ok(runWorker(file, 80, 45).written >= 0);
  assert.ok(fs.existsSync(`${file}-doctor`), 'the sidecar sits next to the database');

  // The sqlite3 shell, after .load, shows the merged view.
  const shell = execFileSync('sqlite3', ['-batch', file, `.load ${DOCTOR_SO}`,
    `SELECT calls FROM query_stats WHERE query = '${INSERT}'`,
    `SELECT calls FROM query_stats WHERE query = '${SELECT}'`,
    `SELECT rows FROM query_stats WHERE query = '${INSERT}'`], { encoding: 'utf8' });
  assert.deepEqual(shell.trim().split('\n'), ['200', '75', '200']);

  // The plan the workers' SQLite (3.53) captured travels with the store (format 3): the shell,
  // which never ran the query, shows it with its plan_id, and so does the fleet view.
  const plans = execFileSync('sqlite3', ['-batch', file, `.load ${DOCTOR_SO}`,
    `SELECT plan_id IS NOT NULL, plan FROM query_stats WHERE query = '${SELECT}'`,
    `SELECT sources, calls, plan_id = (SELECT plan_id FROM query_stats WHERE query = '${SELECT}')
       FROM query_stats_merge('${file}-doctor') WHERE query = '${SELECT}'`],
  { encoding: 'utf8' }).trim().split('\n');
  assert.match(plans[0], /^1\|SCAN events/);
  assert.equal(plans[1], '1|75|1');

  // A third connection in this process: its own unflushed calls are added to the sidecar's.
  const db = openDoctor(file);
  db.prepare("INSERT INTO events(kind, n) VALUES ('z', 1)").run();
  const row = db.prepare('SELECT calls, db, histogram FROM query_stats WHERE query = ?').get(INSERT);
  assert.equal(row.calls, 201);
  assert.equal(row.db, file);
  assert.match(row.histogram, /[▁▂▃▄▅▆▇█]/);

  // The user's database was never written by the flushes: no doctor table in it.
  const names = db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'doctor%'").all();
  assert.deepEqual(names, []);
  db.close();
});


// query_id read by better-sqlite3 without safeIntegers() is a JavaScript number: a 64-bit id
// lost its low bits (148527681850127491 read as 148527681850127500), so looking the row up again
// by the id the application got found nothing. Ids fit in 53 bits now.
test('a query_id read into JavaScript finds its row again', (t) => {
  const db = openDoctor(path.join(scratchDir(t), 'ids.db'));
  db.exec('CREATE TABLE t(a, b)');
  const shapes = [];
  for (let i = 0; i < 40; i++) {
    const sql = `SELECT a FROM t WHERE b = ? AND a > ${i % 2 ? '?' : "'x'"} LIMIT ${i + 1}`;
    db.prepare(sql).all(1, ...(i % 2 ? [2] : []));
    shapes.push(sql);
  }
  const rows = db.prepare("SELECT query_id FROM query_stats WHERE query LIKE 'SELECT a FROM t%'").all();
  assert.equal(rows.length, 40);
  const byId = db.prepare('SELECT count(*) AS n FROM query_stats WHERE query_id = ?');
  for (const { query_id } of rows) {
    assert.ok(Number.isSafeInteger(query_id), `query_id ${query_id} is not exact in JavaScript`);
    assert.equal(byId.get(query_id).n, 1);
  }
});
