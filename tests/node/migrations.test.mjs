// Migrations against the real Drizzle: drizzle-orm's better-sqlite3 migrator and a folder that
// drizzle-kit generated (fixtures/drizzle-app). Each migration applied exactly once whichever
// migrator ran it, both journals agree, and a parent-table rebuild loses no rows with ours where
// Drizzle's migrator loses every child row.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate as drizzleMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import { DOCTOR_SO, openDoctor, scratchDir } from './doctor.mjs';
import { counts, seed } from './drizzle_fixture.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, 'fixtures/drizzle-app/drizzle');
const journal = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'meta/_journal.json'), 'utf8'));

// A copy of the folder listing only its first `n` entries: the project at an earlier commit.
function folderUpTo(dir, n, name = `upto${n}`) {
  const out = path.join(dir, name);
  fs.mkdirSync(path.join(out, 'meta'), { recursive: true });
  for (const e of journal.entries.slice(0, n)) {
    fs.copyFileSync(path.join(FIXTURE, `${e.tag}.sql`), path.join(out, `${e.tag}.sql`));
  }
  fs.writeFileSync(path.join(out, 'meta/_journal.json'),
    JSON.stringify({ ...journal, entries: journal.entries.slice(0, n) }, null, 2));
  return out;
}

const drizzleRows = (db) =>
  db.prepare('SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at').all();
const doctorNames = (db) =>
  db.prepare("SELECT name, count(*) AS n FROM doctor_migrations GROUP BY name ORDER BY name").all();
const expectedDrizzleRows = () => journal.entries.map((e) => ({
  hash: crypto.createHash('sha256').update(fs.readFileSync(path.join(FIXTURE, `${e.tag}.sql`)).toString()).digest('hex'),
  created_at: e.when,
}));
const migrateDir = (db, dir) => db.prepare('SELECT migrate_dir(?) AS n').get(dir).n;
const schemaOf = (db) => db.prepare(
  "SELECT type, name, sql FROM sqlite_schema WHERE name NOT IN ('doctor_migrations', 'doctor_migrations_name') ORDER BY name").all();

test('Drizzle applies the first half, migrate_dir the rest; Drizzle then applies nothing', (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  drizzleMigrate(drizzle(db), { migrationsFolder: folderUpTo(dir, 2) });
  assert.equal(drizzleRows(db).length, 2);
  assert.equal(migrateDir(db, FIXTURE), 2);
  assert.deepEqual(drizzleRows(db), expectedDrizzleRows());
  assert.deepEqual(doctorNames(db), journal.entries.map((e) => ({ name: e.tag, n: 1 })));
  assert.deepEqual(db.prepare('SELECT DISTINCT kind FROM doctor_migrations ORDER BY 1').pluck().all(),
    ['adopted', 'apply']);
  const before = schemaOf(db);
  drizzleMigrate(drizzle(db), { migrationsFolder: FIXTURE });
  assert.equal(drizzleRows(db).length, 4, "Drizzle's migrator applied nothing more");
  assert.deepEqual(schemaOf(db), before);
  assert.equal(migrateDir(db, FIXTURE), 0);
  assert.deepEqual(db.prepare('SELECT DISTINCT status FROM migration_status(?)').pluck().all(FIXTURE),
    ['applied']);
  db.close();
});

test("Drizzle's migrationsTable option: drizzle_table names the same table, made the same way", (t) => {
  const dir = scratchDir(t);
  const table = 'app_migrations';
  const theirs = openDoctor(path.join(dir, 'theirs.db'));
  const ours = openDoctor(path.join(dir, 'ours.db'));
  ours.prepare("SELECT doctor_set('drizzle_table', ?)").get(table);
  t.after(() => openDoctor().prepare("SELECT doctor_set('drizzle_table', '__drizzle_migrations')").get());  // process-wide
  const custom = (db, folder) => drizzleMigrate(drizzle(db), { migrationsFolder: folder, migrationsTable: table });
  const rows = (db) => db.prepare('SELECT hash, created_at FROM app_migrations ORDER BY created_at').all();
  const ddl = (db) => db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(table);
  custom(theirs, FIXTURE);
  custom(ours, folderUpTo(dir, 2));
  assert.equal(migrateDir(ours, FIXTURE), 2);
  assert.equal(ddl(ours), ddl(theirs));
  assert.deepEqual(rows(ours), expectedDrizzleRows());
  assert.deepEqual(rows(ours), rows(theirs));
  assert.equal(ours.prepare("SELECT count(*) FROM sqlite_schema WHERE name = '__drizzle_migrations'").pluck().get(), 0);
  custom(ours, FIXTURE);
  assert.equal(rows(ours).length, 4, "Drizzle's migrator applied nothing more");
  theirs.close();
  ours.close();
});

test('migrate_dir applies the first half, Drizzle the rest; journals agree', (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  assert.equal(migrateDir(db, folderUpTo(dir, 2)), 2);
  assert.equal(drizzleRows(db).length, 2);
  drizzleMigrate(drizzle(db), { migrationsFolder: FIXTURE });
  assert.deepEqual(drizzleRows(db), expectedDrizzleRows());
  assert.equal(migrateDir(db, FIXTURE), 0, 'nothing pending: the rest was applied by Drizzle');
  assert.deepEqual(doctorNames(db), journal.entries.map((e) => ({ name: e.tag, n: 1 })));
  drizzleMigrate(drizzle(db), { migrationsFolder: FIXTURE });
  assert.equal(drizzleRows(db).length, 4);
  db.close();
});

test('__drizzle_migrations is the same table, hash and created_at as Drizzle writes', (t) => {
  const dir = scratchDir(t);
  const theirs = openDoctor(path.join(dir, 'theirs.db'));
  drizzleMigrate(drizzle(theirs), { migrationsFolder: FIXTURE });
  const ours = openDoctor(path.join(dir, 'ours.db'));
  assert.equal(migrateDir(ours, FIXTURE), 4);
  const ddl = (db) => db.prepare("SELECT sql FROM sqlite_schema WHERE name = '__drizzle_migrations'").pluck().get();
  assert.equal(ddl(ours), ddl(theirs));
  assert.deepEqual(drizzleRows(ours), drizzleRows(theirs));
  assert.deepEqual(ours.prepare('SELECT id FROM __drizzle_migrations').pluck().all(), [null, null, null, null]);
  assert.deepEqual(schemaOf(ours).filter((r) => r.name !== '__drizzle_migrations'),
    schemaOf(theirs).filter((r) => r.name !== '__drizzle_migrations'));
  theirs.close();
  ours.close();
});

test("a parent-table rebuild: ours loses no row, Drizzle's migrator loses every child row", (t) => {
  const dir = scratchDir(t);
  const upto3 = folderUpTo(dir, 3);
  // Ours.
  const ours = openDoctor(path.join(dir, 'ours.db'));
  assert.equal(ours.pragma('foreign_keys', { simple: true }), 1, 'better-sqlite3 enables foreign keys');
  assert.equal(migrateDir(ours, upto3), 3);
  seed(ours);
  assert.equal(migrateDir(ours, FIXTURE), 1);
  assert.deepEqual(counts(ours), { users: 3, posts: 4, comments: 5 });
  assert.equal(ours.pragma('foreign_keys', { simple: true }), 1, 'setting restored');
  assert.deepEqual(ours.pragma('foreign_key_check'), []);
  ours.close();
  // Drizzle's own migrator on the same folder.
  const theirs = openDoctor(path.join(dir, 'theirs.db'));
  drizzleMigrate(drizzle(theirs), { migrationsFolder: upto3 });
  seed(theirs);
  drizzleMigrate(drizzle(theirs), { migrationsFolder: FIXTURE });
  assert.deepEqual(counts(theirs), { users: 3, posts: 0, comments: 0 },
    'PRAGMA foreign_keys=OFF inside the transaction is ignored: DROP TABLE users cascades');
  theirs.close();
});

test('migrate_check shows the cascade Drizzle would cause and that migrate avoids it', (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  db.pragma('journal_mode = WAL');
  migrateDir(db, folderUpTo(dir, 3));
  seed(db);
  const sql = fs.readFileSync(path.join(FIXTURE, `${journal.entries[3].tag}.sql`), 'utf8');
  const findings = db.prepare('SELECT severity, kind, object FROM migrate_check(?)').all(sql);
  assert.ok(findings.some((f) => f.kind === 'table_rebuild' && f.object === 'users'));
  assert.ok(!findings.some((f) => f.kind === 'cascade'), 'no cascade when run the documented way');
  assert.deepEqual(counts(db), { users: 3, posts: 4, comments: 5 }, 'the dry run changed nothing');
  db.exec('BEGIN');
  const inTxn = db.prepare('SELECT severity, kind, object FROM migrate_check(?)').all(sql);
  db.exec('ROLLBACK');
  assert.ok(inTxn.some((f) => f.kind === 'cascade' && f.object === 'posts'), JSON.stringify(inTxn));
  assert.ok(inTxn.some((f) => f.severity === 'error' && f.object === 'foreign_keys'));
  db.close();
});

test("migrate_check says, per tool, what the rebuild does: none lost with migrate_dir, the rows Drizzle's migrator deletes", (t) => {
  const dir = scratchDir(t);
  const upto3 = folderUpTo(dir, 3);
  const db = openDoctor(path.join(dir, 'app.db'));
  migrateDir(db, upto3);
  seed(db);
  const sql = fs.readFileSync(path.join(FIXTURE, `${journal.entries[3].tag}.sql`), 'utf8');
  const findings = db.prepare('SELECT * FROM migrate_check(?)').all(sql);
  const rebuild = findings.find((f) => f.kind === 'table_rebuild' && f.object === 'users');
  assert.match(rebuild.migrate_dir, /no child row deleted/);
  assert.match(rebuild.drizzle, /deletes 5 row\(s\) of comments, 4 row\(s\) of posts through ON DELETE CASCADE/);
  const warned = findings.filter((f) => f.kind === 'drizzle_cascade');
  assert.deepEqual(warned.map((f) => [f.severity, f.object, f.migrate_dir, f.drizzle]), [
    ['warning', 'comments', 'deletes none', 'deletes 5 row(s) of comments'],
    ['warning', 'posts', 'deletes none', 'deletes 4 row(s) of posts'],
  ]);
  assert.ok(findings.every((f) => f.migrate_dir && f.drizzle), JSON.stringify(findings));
  assert.deepEqual(counts(db), { users: 3, posts: 4, comments: 5 }, 'the dry runs changed nothing');
  db.close();
  // What Drizzle's migrator really deletes on a database in the same state.
  const theirs = openDoctor(path.join(dir, 'theirs.db'));
  drizzleMigrate(drizzle(theirs), { migrationsFolder: upto3 });
  seed(theirs);
  drizzleMigrate(drizzle(theirs), { migrationsFolder: FIXTURE });
  assert.deepEqual(counts(theirs), { users: 3, posts: 4 - 4, comments: 5 - 5 });
  theirs.close();
});

test('schema_drift: an index added by hand and one dropped by hand, with the migration and Drizzle line that record them', (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  assert.equal(migrateDir(db, FIXTURE), 4);
  seed(db);
  const drift = () => db.prepare('SELECT drift, type, name, fix_sql, drizzle FROM schema_drift ORDER BY name').all();
  assert.deepEqual(drift(), [], 'the live schema is what the migrations produce');
  db.exec('CREATE INDEX comments_post_id_idx ON comments(post_id); DROP INDEX posts_user_id_idx');
  assert.deepEqual(drift(), [
    { drift: 'extra', type: 'index', name: 'comments_post_id_idx',
      fix_sql: 'CREATE INDEX IF NOT EXISTS comments_post_id_idx ON comments(post_id);',
      drizzle: "index('comments_post_id_idx').on(t.postId)" },
    { drift: 'missing', type: 'index', name: 'posts_user_id_idx',
      fix_sql: 'DROP INDEX IF EXISTS "posts_user_id_idx";', drizzle: null },
  ]);
  assert.deepEqual(db.prepare('SELECT DISTINCT migration_file FROM schema_drift(?)').pluck().all(FIXTURE),
    [path.join(FIXTURE, '0004_record_drift.sql')]);
  // The journal's schema hashes say when: after the last migration migrate_dir applied.
  assert.deepEqual(db.prepare('SELECT DISTINCT since FROM schema_drift').pluck().all(),
    ["after the last migration '0003_users_email_not_null' (the live schema is not its schema_after)"]);
  // The proposed SQL, applied as a migration, records the drift: none is left.
  const fix = drift().map((d) => d.fix_sql).join('\n');
  assert.equal(db.prepare("SELECT migrate('0004_record_drift', ?) AS r").get(fix).r, 'applied');
  assert.deepEqual(drift(), []);
  db.close();
});

test('an edited file is changed and blocks migrate_dir; CRLF-only differences do not', (t) => {
  const dir = scratchDir(t);
  const folder = folderUpTo(dir, 4, 'copy');
  const db = openDoctor(path.join(dir, 'app.db'));
  assert.equal(migrateDir(db, folder), 4);
  const f0 = path.join(folder, `${journal.entries[0].tag}.sql`);
  fs.writeFileSync(f0, fs.readFileSync(f0, 'utf8').replace(/\n/g, '\r\n'));
  const f2 = path.join(folder, `${journal.entries[2].tag}.sql`);
  fs.appendFileSync(f2, '\n-- edited\n');
  const status = Object.fromEntries(
    db.prepare('SELECT name, status, note FROM migration_status(?)').all(folder).map((r) => [r.name, r]));
  assert.equal(status[journal.entries[2].tag].status, 'changed');
  assert.equal(status[journal.entries[0].tag].status, 'applied');
  assert.match(status[journal.entries[0].tag].note, /differs only by line endings/);
  assert.throws(() => migrateDir(db, folder), /1 applied migration\(s\) changed on disk: 0002_comments/);
  fs.writeFileSync(f2, fs.readFileSync(path.join(FIXTURE, `${journal.entries[2].tag}.sql`)));
  assert.equal(migrateDir(db, folder), 0);
  db.close();
});

test('two processes migrating at once apply each migration exactly once', async (t) => {
  const dir = scratchDir(t);
  const file = path.join(dir, 'app.db');
  const setup = openDoctor(file);
  setup.pragma('journal_mode = WAL');
  setup.close();
  const script = `
    const Database = require(${JSON.stringify(path.join(here, 'node_modules/better-sqlite3'))});
    const db = new Database(${JSON.stringify(file)}, { timeout: 20000 });
    db.loadExtension(${JSON.stringify(DOCTOR_SO)});
    process.stdout.write(String(db.prepare('SELECT migrate_dir(?) AS n').get(${JSON.stringify(FIXTURE)}).n));`;
  const run = () => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`exit ${code}`))));
  });
  const applied = await Promise.all([run(), run(), run()]);
  assert.equal(applied.reduce((a, b) => a + b, 0), 4, `applied per process: ${applied}`);
  const db = openDoctor(file);
  assert.deepEqual(doctorNames(db), journal.entries.map((e) => ({ name: e.tag, n: 1 })));
  assert.equal(drizzleRows(db).length, 4);
  db.close();
});

test('a migration that is not valid UTF-8: the same hash as Drizzle 0.45 records, both ways', (t) => {
  const dir = scratchDir(t);
  const folder = path.join(dir, 'latin1');
  fs.mkdirSync(path.join(folder, 'meta'), { recursive: true });
  fs.writeFileSync(path.join(folder, '0000_cafe.sql'),
    Buffer.concat([Buffer.from('-- caf'), Buffer.from([0xe9]), Buffer.from('\nCREATE TABLE `b` (`x` text);')]));
  fs.writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite',
    entries: [{ idx: 0, version: '6', when: 1700000000000, tag: '0000_cafe', breakpoints: true }] }));
  const theirs = openDoctor(path.join(dir, 'theirs.db'));
  drizzleMigrate(drizzle(theirs), { migrationsFolder: folder });
  assert.equal(migrateDir(theirs, folder), 0, 'applied by Drizzle: recognised by its hash');
  const ours = openDoctor(path.join(dir, 'ours.db'));
  assert.equal(migrateDir(ours, folder), 1);
  assert.deepEqual(drizzleRows(ours), drizzleRows(theirs));
  theirs.close();
  ours.close();
});
