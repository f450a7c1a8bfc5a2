// A worker process for timing_errors.test.mjs: a job claim in a deferred transaction that fails
// with SQLITE_BUSY_SNAPSHOT (another connection commits between its read and its write), then a
// pause, as a web request that failed and the next request a while later. Its flusher shares
// every 50 ms (stats_share_ms), so the failed run reaches the store during the pause.
//   node timing_errors_worker.mjs FILE
// Prints {"code": "SQLITE_BUSY_SNAPSHOT"} after the failure and waits for a line on stdin; then
// steps its prepared ROLLBACK (the connection's next statement), prints {"next": true} and
// waits for stdin to close before it closes the database.
import readline from 'node:readline';
import { Database, openDoctor } from './doctor.mjs';

const [file] = process.argv.slice(2);
const db = openDoctor(file);
db.prepare("SELECT doctor_set('stats_share_ms', 50)").get();
const other = new Database(file);
const begin = db.prepare('BEGIN');
const read = db.prepare("SELECT id FROM jobs WHERE state = 'new' LIMIT 1");
const claim = db.prepare("UPDATE jobs SET state = 'taken' WHERE id = ?");
const rollback = db.prepare('ROLLBACK');

begin.run();
const job = read.get();
other.prepare("INSERT INTO jobs(state) VALUES ('new')").run();  // commits in between
let code = null;
try {
  claim.run(job.id);
} catch (e) {
  code = e.code;
}
process.stdout.write(`${JSON.stringify({ code })}\n`);

const lines = readline.createInterface({ input: process.stdin });
let next = false;
lines.on('line', () => {
  if (next) return;
  next = true;
  rollback.run();  // prepared: nothing clears the connection's error code before it starts
  process.stdout.write(`${JSON.stringify({ next: true })}\n`);
});
lines.on('close', () => {
  other.close();
  db.close();
});
