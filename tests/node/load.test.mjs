// The application path: doctor.so loaded by better-sqlite3 (SQLite 3.53.2), and by the npm
// package's load(db).
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCTOR_SO, Database, openDoctor } from './doctor.mjs';

test('better-sqlite3 loads doctor.so and runs on its own SQLite', () => {
  const db = openDoctor();
  const version = db.prepare('SELECT doctor_version() AS v').get().v;
  assert.match(version, /^\d+\.\d+\.\d+$/);
  const debug = JSON.parse(db.prepare('SELECT doctor_debug() AS d').get().d);
  assert.equal(debug.sqlite_runtime, db.prepare('SELECT sqlite_version() AS v').get().v);
  assert.equal(debug.sqlite_runtime, '3.53.2');
  assert.ok(db.prepare('SELECT count(*) AS n FROM doctor_help').get().n > 0);
  assert.throws(() => db.prepare("SELECT doctor_set('nope', 1)").get(), /unknown setting 'nope'/);
  db.close();
});

test('loading twice into one connection is harmless', () => {
  const db = openDoctor();
  db.loadExtension(DOCTOR_SO);
  assert.match(db.prepare('SELECT doctor_version() AS v').get().v, /^\d+\.\d+\.\d+$/);
  db.close();
});

test('doctor_autoload gives every later connection the extension, after the first closes', () => {
  const first = openDoctor();
  assert.match(first.prepare('SELECT doctor_autoload() AS r').get().r, /^autoload on/);
  first.close();
  const second = new Database(':memory:');
  assert.match(second.prepare('SELECT doctor_version() AS v').get().v, /^\d+\.\d+\.\d+$/);
  second.close();
});

// The npm package's load(db) (tools/npm/index.js) with a local build: SQLITE_DOCTOR_SO.
test('the package load(db) works for better-sqlite3 here and for libsql in its own process', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const doctor = createRequire(import.meta.url)(path.join(root, 'tools/npm/index.js'));
  const saved = process.env.SQLITE_DOCTOR_SO;
  process.env.SQLITE_DOCTOR_SO = DOCTOR_SO;
  try {
    const db = new Database(':memory:');
    doctor.load(db);
    assert.match(db.prepare('SELECT doctor_version() AS v').get().v, /^\d+\.\d+\.\d+$/);
    db.close();
  } finally {
    if (saved === undefined) delete process.env.SQLITE_DOCTOR_SO; else process.env.SQLITE_DOCTOR_SO = saved;
  }
  // libsql: a second SQLite library, so a process of its own.
  const version = execFileSync('node', ['-e', `
    const db = new (require('libsql'))(':memory:');
    require(${JSON.stringify(path.join(root, 'tools/npm/index.js'))}).load(db);
    console.log(db.prepare('SELECT sqlite_version() AS s, doctor_version() AS v').get().s);
  `], { encoding: 'utf8', env: { ...process.env, SQLITE_DOCTOR_SO: DOCTOR_SO,
    NODE_PATH: path.join(root, 'tests/node/node_modules') } }).trim();
  assert.equal(version, '3.45.1');
});
