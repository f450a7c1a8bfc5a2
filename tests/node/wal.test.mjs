// WAL health from better-sqlite3 (SQLite 3.53.2): the application's own stack.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { openDoctor, scratchDir } from './doctor.mjs';

// Another process (the sqlite3 shell) holding a read transaction until its stdin closes.
const rows = (n) => `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n}) ` +
  'INSERT INTO t SELECT randomblob(300) FROM s';

function startReader(file) {
  const child = spawn('sqlite3', [file], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write('BEGIN;\nSELECT count(*) FROM t;\n');
  return new Promise((resolve) => {
    child.stdout.once('data', () => resolve({
      end: () => new Promise((done) => { child.on('exit', done); child.stdin.end('COMMIT;\n'); }),
    }));
  });
}

test('a reader in another process starves a PASSIVE checkpoint, then lets go', async (t) => {
  const file = path.join(scratchDir(t), 'app.db');
  const db = openDoctor(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t(x)');
  db.exec(rows(50));
  const pinned = db.prepare('SELECT wal_frames FROM wal_health(?)').get('main').wal_frames;
  const reader = await startReader(file);
  db.exec(rows(2000));
  const ck = JSON.parse(db.prepare("SELECT doctor_checkpoint('PASSIVE') AS j").get().j);
  assert.equal(ck.result, 'partial');
  const h = db.prepare("SELECT * FROM wal_health('main')").get();
  assert.equal(h.wal_frames, ck.log_frames);
  assert.equal(h.backfilled_frames, ck.checkpointed_frames);
  assert.equal(h.backfilled_frames, pinned);
  assert.ok(h.readers >= 1);
  assert.equal(h.oldest_reader_frame, pinned);
  assert.notEqual(h.status, 'ok');
  assert.match(h.advice, /a reader in another process \(pid \d+\) has pinned frame/);
  // The shell in another process sees the same WAL: showwal counts the same frames.
  const showwal = execFileSync('showwal', [`${file}-wal`]).toString();
  assert.equal(Number(/Available pages: 1\.\.(\d+)/.exec(showwal)[1]), h.wal_frames);
  await reader.end();
  assert.equal(JSON.parse(db.prepare("SELECT doctor_checkpoint('PASSIVE') AS j").get().j).result, 'done');
  const after = db.prepare("SELECT status, readers FROM wal_health('main')").get();
  assert.deepEqual({ ...after }, { status: 'ok', readers: 0 });
  db.close();
});

test('better-sqlite3 keeps its busy timeout and its autocheckpoint', (t) => {
  const file = path.join(scratchDir(t), 'auto.db');
  const db = openDoctor(file);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);  // better-sqlite3's default
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 20');
  db.exec('CREATE TABLE t(x)');
  assert.equal(db.prepare('SELECT handler FROM lock_stats_connections WHERE this_connection')
                 .get().handler, 'application');
  assert.deepEqual({ ...db.prepare("SELECT connections, counting FROM lock_stats WHERE schema = 'main'")
                       .get() }, { connections: 1, counting: 0 });
  let fired = null;
  let before = 0;
  const insert = db.prepare('INSERT INTO t VALUES (randomblob(3000))');
  const health = db.prepare("SELECT wal_frames, backfilled_frames FROM wal_health('main')");
  for (let i = 0; i < 60 && fired === null; i++) {
    insert.run();
    const h = health.get();
    if (h.backfilled_frames > 0) fired = { before, at: h.wal_frames, backfilled: h.backfilled_frames };
    before = h.wal_frames;
  }
  assert.ok(fired, 'autocheckpoint never ran');
  assert.ok(fired.before < 20 && fired.at >= 20, JSON.stringify(fired));
  assert.equal(fired.backfilled, fired.at);
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 20);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
  db.close();
});
