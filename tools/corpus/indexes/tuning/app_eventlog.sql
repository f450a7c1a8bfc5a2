--@ schema
CREATE TABLE sources(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, region TEXT);
CREATE TABLE events(id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id),
  ts INTEGER NOT NULL, level TEXT NOT NULL, kind TEXT NOT NULL, host TEXT, duration_ms REAL, message TEXT);
CREATE TABLE alerts(id INTEGER PRIMARY KEY, event_id INTEGER REFERENCES events(id) ON DELETE CASCADE,
  rule TEXT, at INTEGER);
--@ data
INSERT INTO sources SELECT value, 'src' || value, CASE value % 3 WHEN 0 THEN 'eu' WHEN 1 THEN 'us' ELSE 'ap' END FROM seq WHERE value <= 200;
INSERT INTO events SELECT value, 1 + (h(value) * h(value) % 1000003) % 200, 1700000000 + value * 3,
  CASE WHEN value % 50 = 0 THEN 'error' WHEN value % 7 = 0 THEN 'warn' ELSE 'info' END,
  CASE h(value + 1) % 6 WHEN 0 THEN 'http' WHEN 1 THEN 'db' WHEN 2 THEN 'cache' WHEN 3 THEN 'auth' WHEN 4 THEN 'cron' ELSE 'queue' END,
  'host' || (h(value + 2) % 40), (h(value + 3) % 100000) / 10.0, 'message ' || value FROM seq WHERE value <= 120000;
INSERT INTO alerts SELECT value, 50 * value, CASE value % 2 WHEN 0 THEN 'p95' ELSE 'errors' END, 1700000000 + value * 150
  FROM seq WHERE value <= 2000;
--@ workload
SELECT * FROM events WHERE ts BETWEEN 1700100000 AND 1700100600 ORDER BY ts;
SELECT count(*) FROM events WHERE level = 'error' AND ts >= 1700300000;
SELECT kind, count(*), avg(duration_ms) FROM events WHERE ts >= 1700200000 AND ts < 1700203600 GROUP BY kind;
SELECT * FROM events WHERE source_id = 17 AND ts > 1700250000 ORDER BY ts DESC LIMIT 50;
SELECT * FROM events WHERE host = 'host7' AND level = 'error' ORDER BY ts DESC LIMIT 20;
SELECT s.name, count(*) FROM events e JOIN sources s ON s.id = e.source_id WHERE e.ts BETWEEN 1700000000 AND 1700003600 AND e.level = 'warn' GROUP BY s.name;
SELECT max(ts) FROM events WHERE source_id = 33;
SELECT * FROM events WHERE kind = 'db' AND duration_ms > 9990 ORDER BY duration_ms DESC LIMIT 10;
INSERT INTO events(source_id, ts, level, kind, host, duration_ms, message) VALUES (5, 1700400000, 'info', 'http', 'host1', 12.5, 'ok');
DELETE FROM events WHERE ts < 1700000300;
SELECT e.* FROM alerts a JOIN events e ON e.id = a.event_id WHERE a.at > 1700250000 AND a.rule = 'errors';
SELECT count(*) FROM events WHERE source_id IN (SELECT id FROM sources WHERE region = 'eu') AND ts >= 1700350000;
SELECT host, max(ts) FROM events WHERE ts > 1700355000 GROUP BY host;
DELETE FROM events WHERE id = 60000
