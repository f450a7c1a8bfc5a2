--@ schema
CREATE TABLE queues(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, paused INTEGER NOT NULL DEFAULT 0);
CREATE TABLE jobs(id INTEGER PRIMARY KEY, queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  state TEXT NOT NULL, priority INTEGER NOT NULL, run_at INTEGER NOT NULL, attempts INTEGER NOT NULL,
  locked_by TEXT, locked_at INTEGER, created_at INTEGER NOT NULL, payload TEXT);
CREATE TABLE job_logs(id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at INTEGER NOT NULL, level TEXT NOT NULL, message TEXT);
--@ data
INSERT INTO queues SELECT value, 'queue' || value, CASE WHEN value % 7 = 0 THEN 1 ELSE 0 END FROM seq WHERE value <= 20;
INSERT INTO jobs SELECT value,
  CASE WHEN value % 600 = 0 THEN 14 + value % 7 ELSE 1 + (h(value) * h(value) % 1000003) % 13 END,
  CASE WHEN value % 101 = 0 THEN 'queued' WHEN value % 101 = 1 THEN 'running'
  WHEN value % 17 = 0 THEN 'failed' ELSE 'done' END,
  h(value + 1) % 10, 1700000000 + value * 13, h(value + 2) % 5,
  CASE WHEN value % 101 = 1 THEN 'worker' || (value % 8) END,
  CASE WHEN value % 101 = 1 THEN 1700000000 + value * 13 END, 1700000000 + value * 13 - 60,
  '{"n":' || value || '}' FROM seq WHERE value <= 60000;
INSERT INTO job_logs SELECT value, 1 + h(value + 3) % 60000, 1700000000 + value * 5,
  CASE WHEN value % 10 = 0 THEN 'error' ELSE 'info' END, 'log line' FROM seq WHERE value <= 90000;
--@ workload
SELECT id, payload FROM jobs WHERE queue_id = 3 AND state = 'queued' AND run_at <= 1700500000 ORDER BY priority DESC, run_at LIMIT 1;
SELECT * FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 10;
UPDATE jobs SET state = 'running', locked_by = 'worker3', locked_at = 1700800000, attempts = attempts + 1 WHERE id = 40400;
UPDATE jobs SET state = 'done', locked_by = NULL WHERE id = 40401;
SELECT count(*) FROM jobs WHERE state = 'failed' AND attempts >= 3;
SELECT id FROM jobs WHERE state = 'running' AND locked_at < 1700300000;
UPDATE jobs SET state = 'queued', locked_by = NULL WHERE state = 'running' AND locked_at < 1700100000;
SELECT state, count(*) FROM jobs WHERE queue_id = 5 GROUP BY state;
SELECT * FROM job_logs WHERE job_id = 1234 ORDER BY at;
SELECT count(*) FROM job_logs WHERE job_id = 777 AND level = 'error';
INSERT INTO job_logs(job_id, at, level, message) VALUES (40400, 1700800001, 'info', 'started');
DELETE FROM jobs WHERE id = 2345;
DELETE FROM jobs WHERE state = 'done' AND created_at < 1700001000;
SELECT q.name, count(*) FROM jobs j JOIN queues q ON q.id = j.queue_id WHERE j.state = 'queued' GROUP BY q.name;
SELECT * FROM jobs WHERE locked_by = 'worker5' AND state = 'running';
SELECT max(run_at) FROM jobs WHERE queue_id = 11;
DELETE FROM queues WHERE id = 14;
INSERT INTO jobs(queue_id, state, priority, run_at, attempts, created_at, payload) VALUES (2, 'queued', 5, 1700900000, 0, 1700899990, '{}')
