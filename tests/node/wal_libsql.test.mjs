// WAL health under libsql (libSQL, SQLite 3.45.1). Its own file: one process binds the extension
// to one SQLite library.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DOCTOR_SO, LibsqlDatabase, scratchDir } from './doctor.mjs';

test('libsql: wal_health reads the wal-index and doctor_checkpoint agrees with it', (t) => {
  const file = path.join(scratchDir(t), 'app.db');
  const db = new LibsqlDatabase(file);
  db.loadExtension(DOCTOR_SO);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('CREATE TABLE t(x)');
  for (let i = 0; i < 20; i++) db.exec('INSERT INTO t VALUES (randomblob(1000))');
  const h = db.prepare("SELECT * FROM wal_health('main')").get();
  assert.equal(h.journal_mode, 'wal');
  assert.ok(h.wal_frames > 0);
  assert.equal(h.backfilled_frames, 0);
  assert.equal(h.readers, 0);
  assert.equal(h.status, 'ok');
  assert.equal(h.wal_bytes, 32 + h.wal_frames * (h.page_size + 24));
  const ck = JSON.parse(db.prepare("SELECT doctor_checkpoint('PASSIVE') AS j").get().j);
  assert.equal(ck.log_frames, h.wal_frames);
  assert.equal(ck.result, 'done');
  const after = db.prepare("SELECT backfilled_frames, pending_frames, checkpoints FROM wal_health('main')").get();
  assert.equal(after.backfilled_frames, h.wal_frames);
  assert.equal(after.pending_frames, 0);
  assert.equal(after.checkpoints, 1);
  db.close();
});
