// A worker process for timing_cluster.test.mjs: a web worker of a node:cluster-like app on
// drizzle-orm + hand-written SQL over better-sqlite3, counting its own calls and rows. It runs
// N iterations, prints "half", waits for a line on stdin (the parent creates an index meanwhile),
// runs N more, prints its counts as JSON and exits with the others (closing its database).
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { sqliteTable, integer } from 'drizzle-orm/sqlite-core';
import { eq } from 'drizzle-orm';
import { openDoctor } from './doctor.mjs';

const [file, n] = process.argv.slice(2);
const events = sqliteTable('events', { id: integer('id').primaryKey(), n: integer('n') });
const log = sqliteTable('log', { id: integer('id').primaryKey(), v: integer('v') });
const client = openDoctor(file);
client.pragma('busy_timeout = 5000');
const db = drizzle(client);
const counts = {};
const count = (key, rows) => {
  const c = (counts[key] ??= { calls: 0, rows: 0 });
  c.calls += 1;
  c.rows += rows;
};
const hand = client.prepare('select ID, n from Events where EVENTS.id = ?');  // drizzle's shape
const byN = client.prepare('SELECT id FROM events WHERE n = ?');
const bump = client.prepare('UPDATE counters SET v = v + 1 WHERE id <= 3');  // 3 changes
const insert = client.prepare('INSERT INTO log(v) VALUES (?)');  // 1 change, after the 3
function iterations(from, to) {
  for (let i = from; i < to; i++) {
    const id = 1 + (i % 100);
    count('lookup', db.select({ id: events.id, n: events.n }).from(events).where(eq(events.id, id)).get() ? 1 : 0);
    count('lookup', hand.get(id) ? 1 : 0);
    count('byN', byN.all(i % 10).length);
    count('bump', bump.run().changes);
    count('insert', insert.run(i).changes);
    db.transaction((tx) => {
      tx.insert(log).values({ v: -i }).run();
      tx.transaction(() => {});
    });
    for (const key of ['begin', 'drizzleInsert', 'savepoint', 'release', 'commit']) {
      count(key, key === 'drizzleInsert' ? 1 : 0);
    }
  }
}
iterations(0, Number(n));
process.stdout.write('half\n');
process.stdin.once('data', () => {
  iterations(Number(n), 2 * Number(n));
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  client.close();
  process.exit(0);
});
