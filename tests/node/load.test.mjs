// The application path: doctor.so loaded by better-sqlite3 (SQLite 3.53.2).
import test from 'node:test';
import assert from 'node:assert/strict';
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
