// doctor.so loaded by libsql (libSQL, SQLite 3.45.1). Its own file: node --test runs each file in
// its own process, and one process binds the extension to one SQLite library.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DOCTOR_SO, Database, LibsqlDatabase } from './doctor.mjs';

test('libsql loads doctor.so', () => {
  const db = new LibsqlDatabase(':memory:');
  db.loadExtension(DOCTOR_SO);
  const row = db.prepare('SELECT doctor_version() AS v, sqlite_version() AS s').get();
  assert.match(row.v, /^\d+\.\d+\.\d+$/);
  assert.equal(row.s, '3.45.1');
  db.close();
});

test('a second SQLite library in the same process is refused clearly, not crashed into', () => {
  const db = new LibsqlDatabase(':memory:');
  db.loadExtension(DOCTOR_SO);
  const other = new Database(':memory:');
  assert.throws(() => other.loadExtension(DOCTOR_SO), /one SQLite library only/);
  other.close();
  db.close();
});
