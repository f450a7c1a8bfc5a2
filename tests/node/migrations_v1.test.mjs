// Migrations against the real Drizzle 1.0 (drizzle-orm 1.0.0-rc.5, installed as drizzle-orm-v1):
// its better-sqlite3 migrator and a folder-per-migration folder that drizzle-kit 1.0.0-rc.5
// generated (fixtures/drizzle-v1-app/drizzle). Each migration applied exactly once whichever
// migrator ran it, both journals agree, __drizzle_migrations is the same table with the same rows,
// and a 0.45 table is upgraded the way Drizzle 1.0 upgrades it.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle as drizzleV1 } from 'drizzle-orm-v1/better-sqlite3';
import { migrate as migrateV1 } from 'drizzle-orm-v1/better-sqlite3/migrator';
import { drizzle as drizzle045 } from 'drizzle-orm/better-sqlite3';
import { migrate as migrate045 } from 'drizzle-orm/better-sqlite3/migrator';
import { openDoctor, scratchDir } from './doctor.mjs';
import { counts, seed } from './drizzle_fixture.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, 'fixtures/drizzle-v1-app/drizzle');
const FOLDERS = fs.readdirSync(FIXTURE).filter((d) => fs.existsSync(path.join(FIXTURE, d, 'migration.sql'))).sort();
// The 0.45 app (drizzle-kit 0.31 folder) and the same folder after drizzle-kit 1.0's `up`.
const OLD_FIXTURE = path.join(here, 'fixtures/drizzle-app/drizzle');
const UP_FIXTURE = path.join(here, 'fixtures/drizzle-app/drizzle-up');
const UP_FOLDERS = fs.readdirSync(UP_FIXTURE).sort();

const drizzleMigrate = (db, folder) => migrateV1(drizzleV1({ client: db }), { migrationsFolder: folder });
const migrateDir = (db, dir) => db.prepare('SELECT migrate_dir(?) AS n').get(dir).n;

// A copy of a folder-per-migration folder holding only its first `n` migrations.
function firstOf(src, names, dir, n, name) {
  const out = path.join(dir, name);
  for (const f of names.slice(0, n)) fs.cpSync(path.join(src, f), path.join(out, f), { recursive: true });
  return out;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ddl = (db) => db.prepare("SELECT sql FROM sqlite_schema WHERE name = '__drizzle_migrations'").pluck().get();
const drizzleRows = (db) =>
  db.prepare('SELECT id, hash, created_at, name FROM __drizzle_migrations ORDER BY id').all();
const appliedAts = (db) => db.prepare('SELECT applied_at FROM __drizzle_migrations ORDER BY id').pluck().all();
const doctorNames = (db) =>
  db.prepare('SELECT name, count(*) AS n FROM doctor_migrations GROUP BY name ORDER BY name').all();
const schemaOf = (db) => db.prepare(
  "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'doctor_migrations%' AND name <> '__drizzle_migrations' ORDER BY name").all();
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file).toString()).digest('hex');

// What Drizzle 1.0 records for the fixture: hash of migration.sql, created_at = the folder's
// timestamp at second precision, name = the folder's name.
const expectedRows = (src = FIXTURE, names = FOLDERS) => names.map((name, i) => {
  const s = name.slice(0, 14);
  return {
    id: i + 1,
    hash: sha256(path.join(src, name, 'migration.sql')),
    created_at: Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14)),
    name,
  };
});

test('the fixture is drizzle-kit 1.0 output: four folders, each with migration.sql and snapshot.json', () => {
  assert.equal(FOLDERS.length, 4);
  for (const f of FOLDERS) {
    assert.match(f, /^\d{14}_[a-z_]+$/);
    assert.ok(fs.existsSync(path.join(FIXTURE, f, 'snapshot.json')));
  }
  assert.ok(!fs.existsSync(path.join(FIXTURE, 'meta')));
});

test('Drizzle 1.0 applies the first half, migrate_dir the rest; Drizzle then applies nothing', (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  drizzleMigrate(db, firstOf(FIXTURE, FOLDERS, dir, 2, 'half'));
  assert.equal(drizzleRows(db).length, 2);
  assert.equal(migrateDir(db, FIXTURE), 2);
  assert.deepEqual(drizzleRows(db), expectedRows());
  for (const at of appliedAts(db)) assert.match(at, ISO);
  assert.deepEqual(doctorNames(db), FOLDERS.map((name) => ({ name, n: 1 })));
  assert.deepEqual(db.prepare('SELECT kind, count(*) AS n FROM doctor_migrations GROUP BY kind ORDER BY kind').all(),
    [{ kind: 'adopted', n: 2 }, { kind: 'apply', n: 2 }]);
  const before = schemaOf(db);
  drizzleMigrate(db, FIXTURE);
  assert.equal(drizzleRows(db).length, 4, "Drizzle's migrator applied nothing more");
  assert.deepEqual(schemaOf(db), before);
  assert.equal(migrateDir(db, FIXTURE), 0);
  assert.deepEqual(db.prepare('SELECT DISTINCT status FROM migration_status(?)').pluck().all(FIXTURE), ['applied']);
  db.close();
});

test("Drizzle 1.0's migrationsTable option: drizzle_table names the same table both ways", (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  const table = 'app "migrations"';
  db.prepare("SELECT doctor_set('drizzle_table', ?)").get(table);
  t.after(() => openDoctor().prepare("SELECT doctor_set('drizzle_table', '__drizzle_migrations')").get());  // process-wide
  const custom = (folder) =>
    migrateV1(drizzleV1({ client: db }), { migrationsFolder: folder, migrationsTable: table });
  const rows = () => db.prepare('SELECT hash, created_at, name FROM "app ""migrations""" ORDER BY id').all();
  custom(firstOf(FIXTURE, FOLDERS, dir, 2, 'half'));
  assert.equal(rows().length, 2);
  assert.equal(migrateDir(db, FIXTURE), 2, 'only the two Drizzle did not apply');
  assert.deepEqual(rows(), expectedRows().map(({ hash, created_at, name }) => ({ hash, created_at, name })));
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = '__drizzle_migrations'").pluck().get(), 0);
  custom(FIXTURE);
  assert.equal(rows().length, 4, "Drizzle's migrator applied nothing more");
  assert.deepEqual(db.prepare('SELECT DISTINCT status FROM migration_status(?)').pluck().all(FIXTURE), ['applied']);
  db.close();
});

test('migrate_dir applies the first half, Drizzle 1.0 the rest; journals agree', (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  assert.equal(migrateDir(db, firstOf(FIXTURE, FOLDERS, dir, 2, 'half')), 2);
  assert.deepEqual(drizzleRows(db), expectedRows().slice(0, 2));
  drizzleMigrate(db, FIXTURE);
  assert.deepEqual(drizzleRows(db), expectedRows(), 'Drizzle applied exactly the two others');
  assert.equal(migrateDir(db, FIXTURE), 0, 'nothing pending: the rest was applied by Drizzle');
  assert.deepEqual(doctorNames(db), FOLDERS.map((name) => ({ name, n: 1 })));
  drizzleMigrate(db, FIXTURE);
  assert.equal(drizzleRows(db).length, 4);
  const status = db.prepare('SELECT name, status, note FROM migration_status(?)').all(FIXTURE);
  assert.deepEqual(status.map((r) => r.status), ['applied', 'applied', 'applied', 'applied']);
  db.close();
});

test('__drizzle_migrations is byte for byte the table Drizzle 1.0 creates, with the same rows', (t) => {
  const dir = scratchDir(t);
  const theirs = openDoctor(path.join(dir, 'theirs.db'));
  drizzleMigrate(theirs, FIXTURE);
  const ours = openDoctor(path.join(dir, 'ours.db'));
  assert.equal(migrateDir(ours, FIXTURE), 4);
  assert.equal(ddl(ours), ddl(theirs));
  assert.match(ddl(ours), /id INTEGER PRIMARY KEY,\n\t+hash text NOT NULL,\n\t+created_at numeric,\n\t+name text,\n\t+applied_at TEXT/);
  assert.deepEqual(drizzleRows(ours), drizzleRows(theirs));
  assert.deepEqual(drizzleRows(ours), expectedRows());
  assert.deepEqual(ours.prepare('SELECT DISTINCT typeof(created_at) FROM __drizzle_migrations').pluck().all(), ['integer']);
  for (const at of [...appliedAts(ours), ...appliedAts(theirs)]) assert.match(at, ISO);
  assert.deepEqual(schemaOf(ours), schemaOf(theirs));
  theirs.close();
  ours.close();
});

test('a 0.45 table meets the folder layout: migrate_dir upgrades it exactly as Drizzle 1.0 does', (t) => {
  const dir = scratchDir(t);
  const open045 = (name) => {
    const db = openDoctor(path.join(dir, name));
    migrate045(drizzle045(db), { migrationsFolder: OLD_FIXTURE });  // the project under Drizzle 0.45
    assert.equal(db.prepare("SELECT count(*) FROM pragma_table_info('__drizzle_migrations') WHERE name = 'name'").pluck().get(), 0);
    return db;
  };
  const theirs = open045('theirs.db');
  drizzleMigrate(theirs, UP_FIXTURE);  // after `drizzle-kit up`: Drizzle 1.0 upgrades the table
  const ours = open045('ours.db');
  assert.equal(migrateDir(ours, UP_FIXTURE), 0, 'all four were applied by Drizzle 0.45');
  assert.equal(ddl(ours), ddl(theirs), 'same ALTER TABLE ... ADD COLUMN text');
  const rows = (db) => db.prepare('SELECT id, hash, created_at, name, applied_at FROM __drizzle_migrations ORDER BY rowid').all();
  assert.deepEqual(rows(ours), rows(theirs));
  assert.deepEqual(rows(ours).map((r) => r.name), UP_FOLDERS);
  assert.deepEqual(rows(ours).map((r) => r.applied_at), [null, null, null, null]);
  drizzleMigrate(ours, UP_FIXTURE);
  assert.equal(rows(ours).length, 4, 'Drizzle 1.0 applies nothing after our upgrade');
  theirs.close();
  ours.close();
});

test('half by Drizzle 0.45 (old folder), the rest by migrate_dir on the upgraded folder, then Drizzle 1.0: nothing', (t) => {
  const dir = scratchDir(t);
  const journal = JSON.parse(fs.readFileSync(path.join(OLD_FIXTURE, 'meta/_journal.json'), 'utf8'));
  const old = path.join(dir, 'old');
  fs.mkdirSync(path.join(old, 'meta'), { recursive: true });
  for (const e of journal.entries.slice(0, 2)) fs.copyFileSync(path.join(OLD_FIXTURE, `${e.tag}.sql`), path.join(old, `${e.tag}.sql`));
  fs.writeFileSync(path.join(old, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, 2) }));
  const db = openDoctor(path.join(dir, 'app.db'));
  migrate045(drizzle045(db), { migrationsFolder: old });
  assert.equal(migrateDir(db, UP_FIXTURE), 2);
  const rows = db.prepare('SELECT hash, name FROM __drizzle_migrations ORDER BY rowid').all();
  assert.deepEqual(rows.map((r) => r.name), UP_FOLDERS);
  assert.deepEqual(rows.map((r) => r.hash), UP_FOLDERS.map((f) => sha256(path.join(UP_FIXTURE, f, 'migration.sql'))));
  drizzleMigrate(db, UP_FIXTURE);
  assert.equal(db.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get(), 4);
  db.close();
});

test('an unmatched 0.45 row: migrate_dir refuses the upgrade like Drizzle 1.0, changing nothing', (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  migrate045(drizzle045(db), { migrationsFolder: OLD_FIXTURE });
  db.prepare("INSERT INTO __drizzle_migrations(hash, created_at) VALUES ('feed', 1000)").run();
  assert.throws(() => drizzleMigrate(db, UP_FIXTURE), /do not match any local migration/);
  assert.throws(() => migrateDir(db, UP_FIXTURE), /cannot upgrade __drizzle_migrations .*\[id: null, created_at: 1000\]/);
  assert.equal(db.prepare("SELECT count(*) FROM pragma_table_info('__drizzle_migrations')").pluck().get(), 3);
  db.close();
});

test('migrate_baseline writes the rows Drizzle 1.0 needs to consider the folder applied', (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  assert.equal(db.prepare('SELECT migrate_baseline(?, ?) AS n').get(FIXTURE, FOLDERS[1]).n, 2);
  assert.deepEqual(drizzleRows(db), expectedRows().slice(0, 2));
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'users'").pluck().get(), 0, 'not run');
  db.exec('CREATE TABLE users(id integer PRIMARY KEY, email text); CREATE TABLE posts(id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE, title text, body text)');
  drizzleMigrate(db, FIXTURE);
  assert.deepEqual(drizzleRows(db), expectedRows(), 'Drizzle ran only the two after the baseline');
  db.close();
});

test("an edited migration: Drizzle 1.0 never notices, migration_status says changed", (t) => {
  const dir = scratchDir(t);
  const folder = firstOf(FIXTURE, FOLDERS, dir, 4, 'copy');
  const db = openDoctor(path.join(dir, 'app.db'));
  drizzleMigrate(db, folder);
  fs.appendFileSync(path.join(folder, FOLDERS[2], 'migration.sql'), '\n-- edited');
  drizzleMigrate(db, folder);  // by name only: silent
  const st = db.prepare('SELECT name, status, note FROM migration_status(?) WHERE status <> ?').all(folder, 'applied');
  assert.deepEqual(st.map((r) => [r.name, r.status]), [[FOLDERS[2], 'changed']]);
  assert.match(st[0].note, /edited after Drizzle's migrator applied it/);
  assert.throws(() => migrateDir(db, folder), /changed on disk/);
  db.close();
});

test("the drizzle-kit 1.0 parent rebuild: ours loses no row, Drizzle 1.0's migrator loses every child row", (t) => {
  const dir = scratchDir(t);
  const upto3 = firstOf(FIXTURE, FOLDERS, dir, 3, 'upto3');
  const ours = openDoctor(path.join(dir, 'ours.db'));
  assert.equal(migrateDir(ours, upto3), 3);
  seed(ours);
  assert.equal(migrateDir(ours, FIXTURE), 1);
  assert.deepEqual(counts(ours), { users: 3, posts: 4, comments: 5 });
  ours.close();
  const theirs = openDoctor(path.join(dir, 'theirs.db'));
  drizzleMigrate(theirs, upto3);
  seed(theirs);
  drizzleMigrate(theirs, FIXTURE);
  assert.deepEqual(counts(theirs), { users: 3, posts: 0, comments: 0 });
  theirs.close();
});

test('a migration that is not valid UTF-8 (a Latin-1 comment): the hash Drizzle records, both ways', (t) => {
  const dir = scratchDir(t);
  const folder = path.join(dir, 'latin1');
  fs.mkdirSync(path.join(folder, '20240101000000_init'), { recursive: true });
  fs.mkdirSync(path.join(folder, '20240102000000_cafe'), { recursive: true });
  fs.writeFileSync(path.join(folder, '20240101000000_init/migration.sql'), 'CREATE TABLE `a` (`x` text);');
  fs.writeFileSync(path.join(folder, '20240102000000_cafe/migration.sql'),
    Buffer.concat([Buffer.from('-- caf'), Buffer.from([0xe9]), Buffer.from('\nCREATE TABLE `b` (`x` text);')]));
  const theirs = openDoctor(path.join(dir, 'theirs.db'));
  drizzleMigrate(theirs, folder);
  const ours = openDoctor(path.join(dir, 'ours.db'));
  assert.equal(migrateDir(ours, folder), 2);
  assert.deepEqual(drizzleRows(ours), drizzleRows(theirs));
  const bytesHash = crypto.createHash('sha256').update(fs.readFileSync(path.join(folder, '20240102000000_cafe/migration.sql'))).digest('hex');
  assert.notEqual(drizzleRows(ours)[1].hash, bytesHash, 'Drizzle hashes the decoded text, not the bytes');
  assert.equal(ours.prepare("SELECT checksum FROM doctor_migrations WHERE name = '20240102000000_cafe'").pluck().get(), bytesHash);
  assert.equal(migrateDir(theirs, folder), 0, "what Drizzle applied is recognised");
  assert.deepEqual(theirs.prepare('SELECT DISTINCT status FROM migration_status(?)').pluck().all(folder), ['applied']);
  drizzleMigrate(ours, folder);
  assert.equal(drizzleRows(ours).length, 2);
  theirs.close();
  ours.close();
});

test("a database Drizzle 1.0's migrator alone migrated: schema_drift and doctor_report see no drift", (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  drizzleMigrate(db, FIXTURE);
  // Before: every table was "extra", in no migration (doctor_migrations is empty), and
  // doctor_report warned "table users is in the database but in no migration".
  assert.deepEqual(db.prepare('SELECT drift, name FROM schema_drift(?)').all(FIXTURE), []);
  assert.deepEqual(db.prepare(
    "SELECT finding FROM doctor_report('main', 'quick', ?) WHERE area = 'migrations'").pluck().all(FIXTURE), []);
  // An index made by hand is still drift, and the only one.
  db.exec('CREATE INDEX by_hand ON users(email)');
  assert.deepEqual(db.prepare('SELECT drift, type, name FROM schema_drift(?)').all(FIXTURE),
    [{ drift: 'extra', type: 'index', name: 'by_hand' }]);
  // Without the folder the text of Drizzle's migrations is unknown: said, not guessed.
  const [row] = db.prepare('SELECT drift, detail FROM schema_drift()').all();
  assert.equal(row.drift, 'unreplayable');
  assert.match(row.detail, /4 migration\(s\) applied by Drizzle's migrator/);
});

test("schema_drift: a migration Drizzle 1.0 applied whose file was edited since cannot be replayed", (t) => {
  const dir = scratchDir(t);
  const db = openDoctor(path.join(dir, 'app.db'));
  const copy = firstOf(FIXTURE, FOLDERS, dir, 4, 'copy');
  drizzleMigrate(db, copy);
  fs.appendFileSync(path.join(copy, FOLDERS[1], 'migration.sql'), '\n-- edited\n');
  const rows = db.prepare('SELECT drift, detail FROM schema_drift(?)').all(copy);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].drift, 'unreplayable');
  assert.match(rows[0].detail, new RegExp(`'${FOLDERS[1]}' was applied by Drizzle's migrator and its file edited since`));
});
