// The sqlite-doctor command line (tools/npm/cli.js, the package's bin) against the fixture Drizzle
// app: every command, drizzle.config.ts read for out / dbCredentials.url / migrations.table, and
// the exit codes a CI pipeline relies on.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCTOR_SO, Database, openDoctor, scratchDir } from './doctor.mjs';
import { seed, counts } from './drizzle_fixture.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../tools/npm/cli.js');
const FIXTURE = path.join(here, 'fixtures/drizzle-app/drizzle');
const JOURNAL = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'meta/_journal.json'), 'utf8'));

function run(cwd, ...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd, encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(here, 'node_modules'), SQLITE_DOCTOR_SO: DOCTOR_SO },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The fixture's first `upto` migrations as the app's folder.
function writeFolder(out, upto) {
  fs.rmSync(out, { recursive: true, force: true });
  fs.cpSync(FIXTURE, out, { recursive: true });
  for (const e of JOURNAL.entries.slice(upto)) fs.rmSync(path.join(out, `${e.tag}.sql`));
  fs.writeFileSync(path.join(out, 'meta/_journal.json'),
    JSON.stringify({ ...JOURNAL, entries: JOURNAL.entries.slice(0, upto) }, null, 2));
}

// A scratch Drizzle app: drizzle.config.ts (with a decoy `out` in a comment) and its folder.
function app(t, upto) {
  const dir = scratchDir(t);
  writeFolder(path.join(dir, 'drizzle'), upto);
  fs.writeFileSync(path.join(dir, 'drizzle.config.ts'), `import { defineConfig } from 'drizzle-kit';
// out: './not-this-one',
export default defineConfig({
  dialect: 'sqlite',
  schema: './schema.ts',
  out: './drizzle',
  dbCredentials: { url: 'file:./app.db' },
  migrations: { table: 'app_migrations' },
  tablesFilter: ['*', '!doctor_migrations'],
});
`);
  return dir;
}

// Two application connections: `holder` keeps the write lock (its transaction left open) and
// `waiter`'s INSERT fails with SQLITE_BUSY after its 50 ms busy timeout.
function busyInsert(t, file) {
  const holder = openDoctor(file);
  const waiter = openDoctor(file);
  t.after(() => { waiter.close(); holder.close(); });
  holder.pragma('journal_mode = WAL');
  waiter.pragma('busy_timeout = 50');
  holder.exec('BEGIN IMMEDIATE');
  holder.prepare("INSERT INTO users(id, email) VALUES (1, 'a@x')").run();
  assert.throws(() => waiter.prepare("INSERT INTO users(id, email) VALUES (2, 'b@x')").run(),
    /database is locked/);
  return { holder, waiter };
}

test('migrate reads drizzle.config.ts; check fails the pipeline on a cascading rebuild', (t) => {
  const dir = app(t, 3);
  let r = run(dir, 'migrate');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /applied 3 migration\(s\)/);
  const db = new Database(path.join(dir, 'app.db'));
  t.after(() => db.close());
  assert.equal(db.prepare('SELECT count(*) FROM app_migrations').pluck().get(), 3,
    'migrations.table of the config is the Drizzle journal');
  seed(db);

  writeFolder(path.join(dir, 'drizzle'), 4);  // 0003 rebuilds users, the parent of everything
  r = run(dir, 'check', 'drizzle');
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /critical .*0003_users_email_not_null/);
  assert.match(r.out, /ON DELETE CASCADE: posts 4 -> 0, comments 5 -> 0/);
  assert.equal(run(dir, 'check', 'drizzle', '--fail-on', 'never').code, 0);
  r = run(dir, 'check', 'drizzle/0003_users_email_not_null.sql', '--json');
  assert.equal(r.code, 1);
  assert.ok(JSON.parse(r.out).findings.some((f) => f.severity === 'critical'));
  // migrate_check's rows have no advice: no empty "advice:" line under each of them.
  r = run(dir, 'check', 'drizzle/0003_users_email_not_null.sql');
  assert.match(r.out, /dry_run: /);
  assert.doesNotMatch(r.out, /advice: *$/m, r.out);
  assert.deepEqual(counts(db), { users: 3, posts: 4, comments: 5 }, 'the dry runs changed nothing');

  r = run(dir, 'migrate');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /applying 1 pending migration\(s\) from .*0003_users_email_not_null/);
  assert.deepEqual(counts(db), { users: 3, posts: 4, comments: 5 }, 'nothing lost');
  r = run(dir, 'status', '--json');
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.out).map((m) => m.status), ['applied', 'applied', 'applied', 'applied']);
  assert.equal(run(dir, 'check', 'drizzle').code, 0, 'nothing pending, nothing to fail');
});

// A run of two pending migrations whose second fails: the first is rolled back with it, but
// the command said "migration failed, nothing of it was applied" after "applying 2 pending
// migration(s): A, B", which reads as if A stayed applied (found on an invoicing app).
test('migrate says how many of the pending migrations a failed run applied', (t) => {
  const dir = app(t, 3);
  assert.equal(run(dir, 'migrate').code, 0);
  fs.writeFileSync(path.join(dir, 'drizzle/0003_ok.sql'), 'CREATE TABLE notes(id integer);');
  fs.writeFileSync(path.join(dir, 'drizzle/0004_bad.sql'), 'ALTER TABLE nope ADD x text;');
  const journal = JSON.parse(fs.readFileSync(path.join(dir, 'drizzle/meta/_journal.json'), 'utf8'));
  const last = journal.entries[journal.entries.length - 1];
  journal.entries.push({ ...last, idx: 3, tag: '0003_ok', when: last.when + 1 },
    { ...last, idx: 4, tag: '0004_bad', when: last.when + 2 });
  fs.writeFileSync(path.join(dir, 'drizzle/meta/_journal.json'), JSON.stringify(journal));
  const r = run(dir, 'migrate');
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /migration '0004_bad' failed at statement 1 of 1/);
  assert.match(r.err, /0 of the 2 pending migration\(s\) applied, 2 still pending/);
  assert.doesNotMatch(r.err, /nothing of it was applied/);
});

test('report: text, --json, --html, and exit 1 on a critical finding', (t) => {
  const dir = app(t, 4);
  assert.equal(run(dir, 'migrate').code, 0);
  let r = run(dir, 'report');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /\d+ critical, \d+ warn, \d+ info/);
  r = run(dir, 'report', 'app.db', '--json', '--html', 'page.html');
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out);
  assert.equal(json.database, path.join(dir, 'app.db'));
  assert.equal(json.summary.critical, 0);
  assert.ok(json.findings.every((f) => 'fix_sql' in f && 'advice' in f));
  // The command turns its own timing off: that is no warning (before: "warn timing query_stats:
  // query timing is not active on this connection: off" in every report, so --fail-on warn
  // failed on a clean database).
  assert.deepEqual(json.findings.filter((f) => f.severity !== 'info').map((f) => f.finding), []);
  assert.equal(json.summary.warn, 0);
  assert.match(json.findings.find((f) => f.area === 'timing' && f.object === 'query_stats').finding,
    /off in this process/);
  const page = fs.readFileSync(path.join(dir, 'page.html'), 'utf8');
  assert.match(page, /^<!DOCTYPE html>/);
  assert.match(page, /<section id="migrations">/);

  fs.mkdirSync(path.join(dir, 'broken'));
  fs.writeFileSync(path.join(dir, 'broken/0001_bad.sql'), 'ALTER TABLE nope ADD COLUMN x;\n');
  r = run(dir, 'report', '--migrations', 'broken');
  assert.equal(r.code, 1, 'a migration that fails on this database is critical');
  assert.match(r.out, /critical .*0001_bad/);
  assert.equal(run(dir, 'report', '--migrations', 'broken', '--fail-on', 'never').code, 0);
});

test('advise, stats, wal and locks read what the application recorded', (t) => {
  const dir = app(t, 4);
  assert.equal(run(dir, 'migrate').code, 0);
  const db = openDoctor(path.join(dir, 'app.db'));
  t.after(() => db.close());
  db.pragma('journal_mode = WAL');
  seed(db);
  for (let i = 0; i < 5; i++) db.prepare('SELECT * FROM posts WHERE user_id = ?').all(i);
  db.prepare('SELECT query_stats_flush()').get();  // into app.db-doctor, for other processes

  let r = run(dir, 'stats', '--json');
  assert.equal(r.code, 0, r.err);
  const top = JSON.parse(r.out).find((q) => q.query.includes('FROM posts WHERE user_id'));
  assert.equal(top.calls, 5);
  r = run(dir, 'stats', '--limit', '3');
  assert.equal(r.code, 0);
  assert.match(r.out, /^query\s+calls\s+total_ms/);
  fs.writeFileSync(path.join(dir, 'workload.sql'),
    'SELECT * FROM comments WHERE post_id = 3;\n');
  db.exec('WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) ' +
    "INSERT INTO comments(id, post_id, body) SELECT i, 1 + i % 4, 'x' FROM n");
  r = run(dir, 'advise', 'workload.sql', '--json');
  assert.equal(r.code, 0, r.err);
  assert.match(JSON.parse(r.out)[0].index_sql, /ON comments\(post_id/);
  r = run(dir, 'wal');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /main\s+wal\s/);
  r = run(dir, 'locks', '--json');
  assert.equal(r.code, 0, r.err);
  assert.ok(Array.isArray(JSON.parse(r.out).waits));
});

// The command's own statements (its migrate_dir, its report and stats queries) went into the
// application's shared statistics, where the report then counted them as the application's.
test("the command's own statements stay out of the application's statistics", (t) => {
  const dir = app(t, 4);
  assert.equal(run(dir, 'migrate').code, 0);
  assert.equal(run(dir, 'report').code === 2, false);
  assert.equal(run(dir, 'stats').code, 0);
  const db = openDoctor(path.join(dir, 'app.db'));
  t.after(() => db.close());
  const mine = db.prepare('SELECT query FROM query_stats WHERE instr(query, ?) OR instr(query, ?) ' +
    'OR instr(query, ?)').pluck().all('migrate_dir', 'doctor_report', 'FROM query_stats');
  assert.deepEqual(mine, []);
});

// `locks` ran lock_stats in the command's own process, which is never the application's: it
// printed one connection and zero waits while the application had just failed with
// SQLITE_BUSY (found trying the CLI on a shop app as a new user). It shows who holds the write
// lock now and the waits and BUSY errors the application's processes recorded in the store.
test('locks shows the application\'s lock waits and the writer holding the lock', (t) => {
  const dir = app(t, 4);
  assert.equal(run(dir, 'migrate').code, 0);
  const { holder, waiter } = busyInsert(t, path.join(dir, 'app.db'));
  waiter.prepare('SELECT query_stats_flush()').get();
  const r = run(dir, 'locks', '--json');
  holder.exec('COMMIT');
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out);
  assert.equal(out.writer[0].writer_pid, process.pid, r.out);
  const wait = out.waits.find((w) => w.query.startsWith('INSERT INTO users'));
  assert.ok(wait, r.out);
  assert.equal(wait.busy_errors, 1);
  assert.ok(wait.lock_wait_ms >= 40, r.out);
  const text = run(dir, 'locks');
  assert.match(text.out, /INSERT INTO users/);
});

// A query that failed with SQLITE_BUSY after waiting in a handler that replaced doctor's (the
// sqlite3 shell's .timeout typed after .load) has lock_wait_ms 0: `locks` printed 0 where
// doctor_report says the wait is not known.
test('locks says not known, not 0, for a wait doctor could not count', (t) => {
  const dir = app(t, 4);
  assert.equal(run(dir, 'migrate').code, 0);
  const file = path.join(dir, 'app.db');
  const holder = openDoctor(file);
  t.after(() => holder.close());
  holder.pragma('journal_mode = WAL');
  holder.exec('BEGIN IMMEDIATE');
  holder.prepare("INSERT INTO users(id, email) VALUES (1, 'a@x')").run();
  const shell = spawnSync('sqlite3', [file, '-cmd', `.load ${DOCTOR_SO}`, '-cmd', '.timeout 60',
    "INSERT INTO users(id, email) VALUES (2, 'b@x')"], { encoding: 'utf8' });
  assert.match(shell.stderr, /database is locked/);
  holder.exec('COMMIT');
  const r = run(dir, 'locks', '--json');
  assert.equal(r.code, 0, r.err);
  const wait = JSON.parse(r.out).waits.find((w) => w.query.startsWith('INSERT INTO users'));
  assert.ok(wait, r.out);
  assert.equal(wait.busy_errors, 1);
  assert.equal(wait.lock_wait_ms, null, r.out);
  const text = run(dir, 'locks').out;
  assert.match(text, /INSERT INTO users.*not known/, text);
});

// Tables print three places: a statement that took 0.0004 ms in all (a BEGIN run once) printed
// "0.000", as if it had taken no time.
test('a small non-zero figure is never printed as 0.000', () => {
  const { printTable } = createRequire(import.meta.url)('../../tools/npm/cli_support.js');
  let text = '';
  printTable([{ q: 'BEGIN', total_ms: 0.00042 }, { q: 'x', total_ms: 12.34567 }, { q: 'y', total_ms: 0 }],
    ['q', 'total_ms'], { write: (s) => { text += s; } });
  assert.match(text, /BEGIN\s+0\.00042\n/, text);
  assert.match(text, /x\s+12\.346\n/, text);
  assert.match(text, /y\s+0\n/, text);
});

// `report` in its own process (as `npx sqlite-doctor report`, or the sqlite3 shell) read the
// BUSY errors from lock_stats, which counts that process only: an invoicing app's web process
// had failed 3 payments with SQLITE_BUSY behind a worker's batch and the report said nothing
// of locks. It reads what the application's processes recorded in the store.
test('report in another process names the BUSY errors the application recorded', (t) => {
  const dir = app(t, 4);
  assert.equal(run(dir, 'migrate').code, 0);
  const { holder, waiter } = busyInsert(t, path.join(dir, 'app.db'));
  holder.exec('COMMIT');
  waiter.prepare('SELECT query_stats_flush()').get();
  const r = run(dir, 'report', 'app.db', '--json', '--migrations', 'drizzle');
  assert.equal(r.code, 0, r.err);
  const locks = JSON.parse(r.out).findings.filter((f) => f.area === 'locks');
  assert.equal(locks.length, 1, r.out);
  assert.equal(locks[0].severity, 'warn');
  assert.match(locks[0].finding, /^1 SQLITE_BUSY error reached the application, after \d+\.\d ms/);
  assert.match(locks[0].finding, /the most: INSERT INTO users/);
});

// A deferred transaction's failed upgrades (BUSY_SNAPSHOT, and a plain BUSY when the writer
// still holds the lock) are the deferred-upgrade finding's; the recorded-BUSY finding repeated
// the plain BUSY with advice (a longer busy timeout) that cannot help it.
test('report names a deferred transaction\'s failed upgrades once', (t) => {
  const dir = app(t, 4);
  assert.equal(run(dir, 'migrate').code, 0);
  const file = path.join(dir, 'app.db');
  const web = openDoctor(file);
  const worker = openDoctor(file);
  t.after(() => { worker.close(); web.close(); });
  web.pragma('journal_mode = WAL');
  const insert = worker.prepare("INSERT INTO users(id, email) VALUES (NULL, 'w@x')");
  // The worker commits between the read and the write (BUSY_SNAPSHOT), then holds the write
  // lock there (a plain BUSY, at once: no busy handler runs inside a read transaction).
  const pay = web.transaction((holdLock) => {
    web.prepare('SELECT count(*) FROM users').get();
    if (holdLock) worker.exec('BEGIN IMMEDIATE');
    insert.run();
    web.prepare("INSERT INTO users(email) VALUES ('p@x')").run();
  });
  assert.throws(() => pay(false), /database is locked/);
  assert.throws(() => pay(true), /database is locked/);
  worker.exec('COMMIT');
  web.prepare('SELECT query_stats_flush()').get();
  const r = run(dir, 'report', 'app.db', '--json', '--migrations', 'drizzle');
  assert.equal(r.code, 0, r.err);
  const locks = JSON.parse(r.out).findings.filter((f) => f.area === 'locks');
  assert.equal(locks.length, 1, r.out);
  assert.match(locks[0].finding, /^1 of 2 runs of this write failed with SQLITE_BUSY_SNAPSHOT and 1 with SQLITE_BUSY/);
});

// The package's errors start with "sqlite-doctor: " and the command line added its own:
// "sqlite-doctor: sqlite-doctor: the package for linux-x64 is not installed".
test('an error of the package is prefixed once', (t) => {
  const dir = app(t, 1);
  assert.equal(run(dir, 'migrate').code, 0);
  const r = spawnSync(process.execPath, [CLI, 'status'], {
    cwd: dir, encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(here, 'node_modules'), SQLITE_DOCTOR_SO: '' },
  });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^sqlite-doctor: [a-z]/);
  assert.doesNotMatch(r.stderr, /sqlite-doctor: sqlite-doctor:/);
});

// Drizzle's own template for SQLite: `import 'dotenv/config'` and `url: process.env.DB_FILE_NAME!`
// with DB_FILE_NAME in .env. The command read only a string literal there: "no database: give its
// path, or dbCredentials.url in drizzle.config".
test('dbCredentials.url from process.env, as drizzle-kit reads it through .env', (t) => {
  const dir = app(t, 2);
  fs.writeFileSync(path.join(dir, 'drizzle.config.ts'), `import 'dotenv/config';
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  out: './drizzle',
  schema: './src/db/schema.ts',
  dialect: 'sqlite',
  dbCredentials: {
    url: process.env.DB_FILE_NAME!,
  },
});
`);
  const env = { ...process.env, NODE_PATH: path.join(here, 'node_modules'), SQLITE_DOCTOR_SO: DOCTOR_SO };
  delete env.DB_FILE_NAME;
  const cli = (extra, ...args) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...env, ...extra } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  let r = cli({}, 'migrate');
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /process\.env\.DB_FILE_NAME, which is set neither in the environment nor in \.\/\.env/);

  fs.writeFileSync(path.join(dir, '.env'), '# local\nexport OTHER=1\nDB_FILE_NAME="file:env.db"  # the app\n');
  r = cli({}, 'migrate');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /applied 2 migration\(s\)/);
  assert.ok(fs.existsSync(path.join(dir, 'env.db')), 'the .env file names the database');

  // The environment comes first, as with dotenv.
  r = cli({ DB_FILE_NAME: 'other.db' }, 'migrate');
  assert.equal(r.code, 0, r.err);
  assert.ok(fs.existsSync(path.join(dir, 'other.db')));
  r = cli({}, 'status', '--json');
  assert.deepEqual(JSON.parse(r.out).map((m) => m.status), ['applied', 'applied']);

  // No `out`: drizzle-kit's default folder, ./drizzle (status listed the journal alone).
  writeFolder(path.join(dir, 'drizzle'), 3);
  fs.writeFileSync(path.join(dir, 'drizzle.config.ts'), fs.readFileSync(
    path.join(dir, 'drizzle.config.ts'), 'utf8').replace("out: './drizzle',", ''));
  r = cli({}, 'status', '--json');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out).map((m) => m.status), ['applied', 'applied', 'pending']);
});

// The project files the command reads on its own (drizzle.config.*, ./.env) are read only when
// they are regular files of at most 1 MiB, through one descriptor opened without blocking, and
// what is not read is said. Before: a FIFO named drizzle.config.ts hung the command, one linked
// to /dev/zero ran it out of memory (std::bad_alloc), a directory was "EISDIR: illegal operation
// on a directory, read" (exit 3); a .env left unread (a FIFO, a device, over 1 MiB) was "set
// neither in the environment nor in ./.env"; and `DB_FILE_NAME="app.db" # the "main" one` was
// read as `app.db" # the "main`.
test('drizzle.config and .env: a FIFO, a device, a directory or a huge file is named, never read', (t) => {
  const dir = app(t, 1);
  const config = path.join(dir, 'drizzle.config.ts');
  const envConfig = `export default { out: './drizzle', dialect: 'sqlite',
  dbCredentials: { url: process.env.DB_FILE_NAME! } };
`;
  const env = { ...process.env, NODE_PATH: path.join(here, 'node_modules'), SQLITE_DOCTOR_SO: DOCTOR_SO };
  delete env.DB_FILE_NAME;
  const cli = (...args) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env, timeout: 20000 });
    assert.equal(r.error, undefined, `${args.join(' ')}: ${r.error}`);  // ETIMEDOUT: it hung
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const place = (file, kind) => {
    fs.rmSync(file, { recursive: true, force: true });
    if (kind === 'fifo') spawnSync('mkfifo', [file]);
    else if (kind === 'device') fs.symlinkSync('/dev/zero', file);
    else if (kind === 'directory') fs.mkdirSync(file);
    else fs.writeFileSync(file, kind);
  };
  for (const [kind, what] of [['fifo', 'a FIFO'], ['device', 'a device'], ['directory', 'a directory']]) {
    place(config, kind);
    const r = cli('status');
    assert.equal(r.code, 2, `${kind}: ${r.out}${r.err}`);
    assert.match(r.err, new RegExp(`drizzle\\.config\\.ts is ${what}, not a regular file`));
  }
  place(config, envConfig);
  const huge = `X=${'a'.repeat(1 << 20)}\nDB_FILE_NAME=huge.db\n`;
  for (const [kind, why] of [['fifo', 'a FIFO, not a regular file'], ['device', 'a device, not a regular file'],
    [huge, 'over 1048576 bytes']]) {
    place(path.join(dir, '.env'), kind);
    const r = cli('status');
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, new RegExp(`nor in \\./\\.env \\(not read: \\.env is ${why}\\)`));
  }
  place(path.join(dir, '.env'), 'DB_FILE_NAME="quoted.db" # the "main" one\n');
  const r = cli('migrate');
  assert.equal(r.code, 0, r.err);
  assert.ok(fs.existsSync(path.join(dir, 'quoted.db')), fs.readdirSync(dir).join(', '));
});

// ./.env as dotenv reads it (what `import 'dotenv/config'` in drizzle.config loads): `KEY: value`,
// a double-quoted value across lines or with \n in it, a # right after an unquoted value. Before,
// .env was read line by line with `=` only: `DB_FILE_NAME: colon.db` was "set neither in the
// environment nor in ./.env", a line inside a quoted certificate was taken for a variable (the
// database became inside-the-cert.db), "two\nlines.db" kept its backslash and `hash.db#x` its
// comment.
test('.env: KEY: value, multi-line quoted values and \\n, as dotenv parses them', (t) => {
  const dir = app(t, 1);
  fs.writeFileSync(path.join(dir, 'drizzle.config.ts'), `import 'dotenv/config';
export default { out: './drizzle', dialect: 'sqlite', dbCredentials: { url: process.env.DB_FILE_NAME! } };
`);
  const env = { ...process.env, NODE_PATH: path.join(here, 'node_modules'), SQLITE_DOCTOR_SO: DOCTOR_SO };
  delete env.DB_FILE_NAME;
  const migrateWith = (dotenv) => {
    fs.writeFileSync(path.join(dir, '.env'), dotenv);
    const r = spawnSync(process.execPath, [CLI, 'migrate'], { cwd: dir, encoding: 'utf8', env });
    assert.equal(r.status, 0, `${JSON.stringify(dotenv)}: ${r.stdout}${r.stderr}`);
  };
  const made = (file) => fs.existsSync(path.join(dir, file));
  migrateWith('DB_FILE_NAME: colon.db\n');
  assert.ok(made('colon.db'), fs.readdirSync(dir).join(', '));
  migrateWith('DB_FILE_NAME=first.db\nCERT="-----BEGIN CERTIFICATE-----\nDB_FILE_NAME=inside-the-cert.db\n' +
    '-----END CERTIFICATE-----"\n');
  assert.ok(made('first.db') && !made('inside-the-cert.db'), fs.readdirSync(dir).join(', '));
  migrateWith('DB_FILE_NAME="two\\nlines.db"  # \\n is a newline in double quotes\n');
  assert.ok(made('two\nlines.db'), fs.readdirSync(dir).join(', '));
  migrateWith('export DB_FILE_NAME="span\r\nning.db"\r\n');
  assert.ok(made('span\nning.db'), fs.readdirSync(dir).join(', '));
  migrateWith("DB_FILE_NAME='kept\\nas.db'\n");
  assert.ok(made('kept\\nas.db'), fs.readdirSync(dir).join(', '));  // single quotes: as written
  migrateWith('DB_FILE_NAME=hash.db#the app\n');
  assert.ok(made('hash.db'), fs.readdirSync(dir).join(', '));
});

// Drizzle configs give the variable a default (`process.env.DB_FILE_NAME ?? 'local.db'`) or build
// the path in a template literal (`file:${process.env.DATA_DIR}/app.db`). Before, the default was
// ignored (an unset variable was a usage error) and the template's text itself was taken for the
// path ("${process.env.DATA_DIR}/app.db: no such database file").
test('dbCredentials.url: a default after ?? or ||, and process.env in a template literal', (t) => {
  const dir = app(t, 1);
  const env = { ...process.env, NODE_PATH: path.join(here, 'node_modules'), SQLITE_DOCTOR_SO: DOCTOR_SO };
  delete env.DB_FILE_NAME;
  delete env.DATA_DIR;
  const status = (url, extra = {}) => {
    fs.writeFileSync(path.join(dir, 'drizzle.config.ts'),
      `export default { out: './drizzle', dialect: 'sqlite', dbCredentials: { url: ${url} } };\n`);
    const r = spawnSync(process.execPath, [CLI, 'status'], { cwd: dir, encoding: 'utf8', env: { ...env, ...extra } });
    assert.equal(r.status, 2, r.stdout + r.stderr);  // each names a database that does not exist
    return r.stderr;
  };
  assert.match(status("process.env.DB_FILE_NAME ?? 'local.db'"), /local\.db: no such database file/);
  assert.match(status("process.env.DB_FILE_NAME ?? 'local.db'", { DB_FILE_NAME: 'set.db' }), /set\.db: no such/);
  assert.match(status("process.env.DB_FILE_NAME! || 'file:other.db'", { DB_FILE_NAME: '' }), /other\.db: no such/);
  assert.match(status('`file:${process.env.DATA_DIR}/app.db`', { DATA_DIR: '/nowhere' }),
    /\/nowhere\/app\.db: no such database file/);
  assert.match(status('`file:${process.env.DATA_DIR}/app.db`'), /process\.env\.DATA_DIR, which is set neither/);
  assert.match(status('`${root}/app.db`'), /a template with \$\{root\}, which sqlite-doctor does not run/);
});

test('--help for every command; usage errors exit 2', (t) => {
  const dir = app(t, 1);
  for (const command of ['report', 'migrate', 'status', 'check', 'advise', 'stats', 'wal', 'locks']) {
    const r = run(dir, command, '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`^Usage: sqlite-doctor ${command}`));
    assert.match(r.out, /Exit codes/);
  }
  assert.equal(run(dir, '--help').code, 0);
  assert.equal(run(dir).code, 2);
  assert.equal(run(dir, 'nonsense').code, 2);
  let r = run(dir, 'report', 'missing.db');
  assert.equal(r.code, 2);
  assert.match(r.err, /missing\.db: no such database file/);
  assert.equal(run(dir, 'check').code, 2);
  assert.equal(run(dir, 'report', '--fail-on', 'sometimes').code, 2);
  assert.equal(run(dir, 'report', '--bogus').code, 2);
  r = run(dir, 'status', '--config', 'nope.ts');
  assert.equal(r.code, 2);
  assert.match(r.err, /--config nope\.ts: no such file/);
});

// The README's drizzle.config.ts lines: with them `drizzle-kit push` keeps doctor's journal,
// without them it drops it.
test("the README's tablesFilter keeps doctor_migrations through drizzle-kit push", (t) => {
  const dir = app(t, 4);
  assert.equal(run(dir, 'migrate').code, 0);
  fs.symlinkSync(path.join(here, 'node_modules'), path.join(dir, 'node_modules'));
  fs.copyFileSync(path.join(here, 'fixtures/drizzle-app/schema/s3.ts'), path.join(dir, 'schema.ts'));
  const push = (filter) => {
    fs.writeFileSync(path.join(dir, 'drizzle.config.ts'), `export default {
  dialect: 'sqlite', schema: './schema.ts', out: './drizzle', dbCredentials: { url: './app.db' },
  migrations: { table: 'app_migrations' },${filter}
};
`);
    const r = spawnSync(process.execPath, [path.join(here, 'node_modules/drizzle-kit/bin.cjs'),
      'push', '--force'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const db = new Database(path.join(dir, 'app.db'), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    db.close();
    return tables;
  };
  let tables = push("\n  tablesFilter: ['*', '!doctor_migrations', '!app_migrations'],");
  assert.ok(tables.includes('doctor_migrations') && tables.includes('app_migrations'), tables.join());
  tables = push('');
  assert.ok(!tables.includes('doctor_migrations'), 'without the filter push drops it');
});
