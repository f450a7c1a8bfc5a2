// Failed runs by result code (issue 15 item 7) on better-sqlite3's SQLite (3.53): two
// connections, a deferred transaction that read and then tries to write after the other
// connection committed gets SQLITE_BUSY_SNAPSHOT. Each failed run is counted by its code and adds
// no rows (before: `errors` was NULL and `rows` took the previous statement's 20 changes).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, openDoctor, scratchDir } from './doctor.mjs';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'timing_errors_worker.mjs');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('BUSY_SNAPSHOT on a deferred read-then-write upgrade is counted, with no rows', (t) => {
  const file = path.join(scratchDir(t), 'app.db');
  const web = openDoctor(file);
  const worker = new Database(file);
  web.pragma('journal_mode = WAL');
  web.exec('CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT)');
  web.exec(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 20)
            INSERT INTO jobs(state) SELECT 'new' FROM c`);  // 20 changes
  const read = web.prepare("SELECT id FROM jobs WHERE state = 'new' LIMIT 1");
  const claim = web.prepare("UPDATE jobs SET state = 'taken' WHERE id = ?");
  // db.transaction() steps prepared BEGIN/ROLLBACK statements: nothing clears the error code
  // between the failed UPDATE and the ROLLBACK, so the extended code is known.
  const poll = web.transaction(() => {
    const job = read.get();
    worker.prepare("INSERT INTO jobs(state) VALUES ('new')").run();  // commits meanwhile
    claim.run(job.id);
  });
  let snapshots = 0;
  for (let i = 0; i < 5; i++) {
    try {
      poll();
    } catch (e) {
      assert.equal(e.code, 'SQLITE_BUSY_SNAPSHOT');
      snapshots++;
    }
  }
  assert.equal(snapshots, 5);
  const row = web.prepare('SELECT calls, rows, errors FROM query_stats WHERE query = ?')
    .get('UPDATE jobs SET state = ? WHERE id = ?');
  assert.deepEqual(row, { calls: 5, rows: 0, errors: '{"BUSY_SNAPSHOT": 5}' });
  const ok = web.prepare('SELECT errors FROM query_stats WHERE query = ?')
    .get("SELECT id FROM jobs WHERE state = ? LIMIT 1");
  assert.equal(ok.errors, '{}');
  worker.close();
  web.close();
});

// Issue 16: the same failure becomes a doctor_report finding that names the fix for Drizzle,
// better-sqlite3 and SQL, and the finding goes once the transaction begins IMMEDIATE.
test('doctor_report asks for IMMEDIATE transactions after deferred upgrades fail', (t) => {
  const file = path.join(scratchDir(t), 'app.db');
  const web = openDoctor(file);
  const worker = new Database(file);
  web.pragma('journal_mode = WAL');
  web.exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT); INSERT INTO jobs(state) VALUES ('new')");
  const read = web.prepare("SELECT id FROM jobs WHERE state = 'new' LIMIT 1");
  const claim = web.prepare("UPDATE jobs SET state = 'taken' WHERE id = ?");
  const poll = web.transaction(() => {
    const job = read.get();
    worker.prepare("INSERT INTO jobs(state) VALUES ('new')").run();
    claim.run(job.id);
  });
  for (let i = 0; i < 3; i++) assert.throws(() => poll(), { code: 'SQLITE_BUSY_SNAPSHOT' });
  const finding = () => web.prepare(
    "SELECT severity, finding, advice FROM doctor_report WHERE area = 'locks' AND finding LIKE '%BUSY_SNAPSHOT%'").all();
  const rows = finding();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].severity, 'warn');
  assert.match(rows[0].finding, /UPDATE jobs SET state = \? WHERE id = \?/);
  assert.match(rows[0].advice, /behavior: 'immediate'/);
  assert.match(rows[0].advice, /\.immediate\(\)/);
  assert.match(rows[0].advice, /BEGIN IMMEDIATE/);
  // The application's fix: the same work in an IMMEDIATE transaction, counted afresh.
  web.prepare('SELECT query_stats_reset()').get();
  const pollNow = web.transaction(() => {
    const job = read.get();
    if (job) claim.run(job.id);
  });
  for (let i = 0; i < 3; i++) {
    worker.prepare("INSERT INTO jobs(state) VALUES ('new')").run();
    pollNow.immediate();
  }
  assert.deepEqual(finding(), []);
  worker.close();
  web.close();
});

// The failed run reaches the store before the worker's next statement tells its code: a web
// request fails with BUSY_SNAPSHOT, the next comes later, and meanwhile the worker's flusher
// (stats_share_ms 50) wrote the run as plain BUSY. The code still follows to the store: another
// process reads BUSY_SNAPSHOT, and doctor_report asks for BEGIN IMMEDIATE, not a busy timeout
// (before: {"BUSY": 1} for good, and the plain-BUSY advice).
test('BUSY_SNAPSHOT known after a pause longer than stats_share_ms reaches other processes', async (t) => {
  const file = path.join(scratchDir(t), 'app.db');
  const setup = new Database(file);
  setup.pragma('journal_mode = WAL');
  setup.exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT); INSERT INTO jobs(state) VALUES ('new')");
  setup.close();
  const child = spawn(process.execPath, [WORKER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const lines = [];
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
  });
  const until = async (what, check) => {
    const start = Date.now();
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() - start > 10000) assert.fail(`${what}: not within 10 s`);
      await sleep(10);
    }
  };
  const web = openDoctor(file);  // another process: it reads the worker's runs from the store
  t.after(() => web.close());
  const claim = 'UPDATE jobs SET state = ? WHERE id = ?';
  const errors = () => web.prepare('SELECT calls, errors FROM query_stats WHERE query = ?').get(claim);
  await until('the failure', () => lines.length >= 1);
  assert.equal(lines[0].code, 'SQLITE_BUSY_SNAPSHOT');
  // The pause: the worker's flusher writes the failed run before its code is known.
  assert.deepEqual(await until('the run in the store', () => errors()), { calls: 1, errors: '{"BUSY": 1}' });
  child.stdin.write('next\n');
  await until('the next statement', () => lines.length >= 2);
  // The worker's flusher shares the code within 50 ms; 3 s for a loaded machine.
  for (const start = Date.now(); errors().errors === '{"BUSY": 1}' && Date.now() - start < 3000;) {
    await sleep(10);
  }
  assert.deepEqual(errors(), { calls: 1, errors: '{"BUSY_SNAPSHOT": 1}' });
  const locks = web.prepare("SELECT finding, advice FROM doctor_report WHERE area = 'locks'").all();
  assert.equal(locks.length, 1, JSON.stringify(locks));
  assert.match(locks[0].finding, /1 of 1 runs of this write failed with SQLITE_BUSY_SNAPSHOT/);
  assert.match(locks[0].finding, /cannot become a writer/);
  assert.match(locks[0].advice, /BEGIN IMMEDIATE/);
  assert.doesNotMatch(locks[0].advice, /raise the busy timeout/);
  child.stdin.end();
  await new Promise((resolve) => child.on('exit', resolve));
});
