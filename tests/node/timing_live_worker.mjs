// A worker process for timing_live.test.mjs that never calls anything of sqlite-doctor's: it
// loads the extension and runs its own statements. Modes:
//   loop FILE  — one slow statement, then batches of 10 point lookups every 10 ms, forever;
//                after each batch a line {"at": ms, "calls": lookups so far} on stdout.
//   exit FILE N — N point lookups, then process.exit(0) without closing the database.
//   reload FILE — load, use and close the extension on two connections in turn (the library is
//                unloaded with the connection that loaded it), then exit.
//   killed-flush FILE — writes FILE's store as a flush does (plain SQLite, synchronous off) and
//                is killed with SIGKILL before its COMMIT, as a worker killed inside a flush.
import { Database, openDoctor } from './doctor.mjs';

const [mode, file, n] = process.argv.slice(2);
const LOOKUP = 'SELECT n FROM events WHERE id = ?';

if (mode === 'loop') {
  const db = openDoctor(file);
  db.pragma('busy_timeout = 5000');
  db.prepare(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000000)
              SELECT max(x) FROM c`).get();  // > slow_ms (100 ms)
  const lookup = db.prepare(LOOKUP);
  let calls = 0;
  setInterval(() => {
    for (let i = 0; i < 10; i++) lookup.get(1 + (calls++ % 100));
    process.stdout.write(`${JSON.stringify({ at: Date.now(), calls })}\n`);
  }, 10);
} else if (mode === 'exit') {
  const db = openDoctor(file);
  const lookup = db.prepare(LOOKUP);
  for (let i = 0; i < Number(n); i++) lookup.get(1);
  process.exit(0);
} else if (mode === 'reload') {
  for (let round = 0; round < 3; round++) {
    const db = openDoctor(file);
    const lookup = db.prepare(LOOKUP);
    for (let i = 0; i < 5; i++) lookup.get(1);
    db.close();  // the last connection: the flusher stops, then SQLite unloads the library
  }
  process.stdout.write('done');
} else if (mode === 'killed-flush') {
  const store = new Database(`${file}-doctor`);
  store.pragma('synchronous = OFF');
  store.pragma('cache_size = 1');  // the flush's pages reach the file before its COMMIT
  store.exec('BEGIN IMMEDIATE');
  store.exec('UPDATE doctor_query_stats SET calls = calls + 1000, example = zeroblob(20000)');
  process.kill(process.pid, 'SIGKILL');
}
