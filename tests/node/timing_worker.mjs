// One application process for timing.test.mjs: runs `inserts` INSERTs and `selects` SELECTs that
// differ only in their literals on the database, then flushes its query statistics.
import { openDoctor } from './doctor.mjs';

const [file, inserts, selects] = process.argv.slice(2);
const db = openDoctor(file);
db.pragma('busy_timeout = 5000');
for (let i = 0; i < Number(inserts); i++) {
  db.prepare(`INSERT INTO events(kind, n) VALUES ('k${i % 7}', ${i})`).run();
}
for (let i = 0; i < Number(selects); i++) {
  db.prepare(`SELECT count(*) FROM events WHERE n > ${i}`).get();
}
const written = db.prepare('SELECT query_stats_flush() AS n').get().n;
process.stdout.write(JSON.stringify({ written }));
db.close();
