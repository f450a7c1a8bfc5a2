// Processes that all migrate when they open the database (a web server and its worker started
// together): a fresh file, the driver's default busy timeout, foreign keys on (so the drizzle-kit
// rebuild in the fixture commits between migrations), WAL and rollback-journal modes, many rounds.
// Every migration runs exactly once, every process succeeds and then sees nothing pending.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DOCTOR_SO, openDoctor, scratchDir } from './doctor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, 'fixtures/drizzle-app/drizzle');
const tags = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'meta/_journal.json'), 'utf8'))
  .entries.map((e) => e.tag);
const ROUNDS = 5;
const PROCESSES = 3;

// One process's start-up: open (better-sqlite3's default 5 s busy timeout), set the journal mode
// as apps do, migrate, then read what it sees as pending. Prints JSON, or the error. The
// processes wait for a common start time once loaded, so that they really open at once.
const startup = (file, journalMode, call, at) => `
  const Database = require(${JSON.stringify(path.join(here, 'node_modules/better-sqlite3'))});
  while (Date.now() < ${at});
  let step = 'open';
  try {
    const db = new Database(${JSON.stringify(file)});
    db.loadExtension(${JSON.stringify(DOCTOR_SO)});
    step = 'journal_mode';
    // SQLite itself may refuse PRAGMA journal_mode = WAL with SQLITE_BUSY at once, without the
    // busy timeout, while another process converts the fresh file or writes to it (measured: after
    // 3-12 ms, with or without the extension loaded): apps retry it, as here.
    for (let tries = 0; ; ++tries) {
      try { db.pragma('journal_mode = ${journalMode}'); break; } catch (e) {
        if (e.code !== 'SQLITE_BUSY' || tries === 100) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
    db.pragma('foreign_keys = ON');
    step = 'migrate';
    const n = db.prepare(${JSON.stringify(call)}).pluck().get();
    step = 'status';
    const pending = db.prepare("SELECT count(*) FROM migration_status(?) WHERE status <> 'applied'")
      .pluck().get(${JSON.stringify(FIXTURE)});
    process.stdout.write(JSON.stringify({ n, pending }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: step + ': ' + e.message }));
  }`;

const run = (script) => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${out}`))));
});

for (const journalMode of ['WAL', 'DELETE']) {
  test(`${PROCESSES} processes run migrate_dir on open of a fresh ${journalMode} database, ${ROUNDS} rounds`, async (t) => {
    const dir = scratchDir(t);
    for (let round = 0; round < ROUNDS; ++round) {
      const file = path.join(dir, `app${round}.db`);
      const script = startup(file, journalMode, `SELECT migrate_dir('${FIXTURE}')`, Date.now() + 700);
      const results = await Promise.all(Array.from({ length: PROCESSES }, () => run(script)));
      for (const r of results) assert.equal(r.error, undefined, `round ${round}: ${JSON.stringify(results)}`);
      assert.equal(results.reduce((a, r) => a + r.n, 0), tags.length, `round ${round}: ${JSON.stringify(results)}`);
      for (const r of results) assert.equal(r.pending, 0, `round ${round}: ${JSON.stringify(results)}`);
      const db = openDoctor(file);
      assert.deepEqual(db.prepare('SELECT name FROM doctor_migrations ORDER BY id').pluck().all(), tags);
      assert.equal(db.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get(), tags.length);
      assert.deepEqual(db.prepare('PRAGMA foreign_key_check').all(), []);
      db.close();
    }
  });

  test(`${PROCESSES} processes run migrate(name, sql) on open of a fresh ${journalMode} database`, async (t) => {
    const dir = scratchDir(t);
    for (let round = 0; round < ROUNDS; ++round) {
      const file = path.join(dir, `one${round}.db`);
      const call = "SELECT migrate('0001_jobs', 'CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT); " +
        "CREATE INDEX jobs_state ON jobs(state); INSERT INTO jobs(state) VALUES (''queued'');')";
      const script = startup(file, journalMode, call, Date.now() + 700);
      const results = await Promise.all(Array.from({ length: PROCESSES }, () => run(script)));
      for (const r of results) assert.equal(r.error, undefined, `round ${round}: ${JSON.stringify(results)}`);
      assert.deepEqual(results.map((r) => r.n).sort(),
        ['already applied', 'already applied', 'applied'], `round ${round}`);
      const db = openDoctor(file);
      assert.equal(db.prepare('SELECT count(*) FROM jobs').pluck().get(), 1);
      assert.equal(db.prepare('SELECT count(*) FROM doctor_migrations').pluck().get(), 1);
      db.close();
    }
  });
}
