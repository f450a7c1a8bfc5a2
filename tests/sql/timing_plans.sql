-- Plans from the application's own SQLite (issue 15 item 5, issue 18 item 3) through the real
-- sqlite3 shell: query_stats.plan/plan_id are captured when the query runs, a DROP INDEX changes
-- the plan at the query's next run, plan_changes records it with the figures before and after,
-- and doctor_report names the fix.
.headers on
.mode line
CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, run_at INTEGER);
CREATE INDEX jobs_state ON jobs(state, run_at);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO jobs(state, run_at) SELECT CASE WHEN i % 100 = 0 THEN 'ready' ELSE 'done' END, i FROM n;
SELECT query_stats_reset();
SELECT id FROM jobs WHERE state = 'ready' AND run_at < 100;
SELECT id FROM jobs WHERE state = 'ready' AND run_at < 200;
SELECT id FROM jobs WHERE state = 'ready' AND run_at < 300;
SELECT query, calls, plan, plan_id IS NOT NULL AS captured FROM query_stats
 WHERE query LIKE 'SELECT id FROM jobs%';
-- The schema changes: the plan shown stays the one the query ran with until it runs again.
DROP INDEX jobs_state;
SELECT plan FROM query_stats WHERE query LIKE 'SELECT id FROM jobs%';
SELECT id FROM jobs WHERE state = 'ready' AND run_at < 100;
SELECT id FROM jobs WHERE state = 'ready' AND run_at < 200;
SELECT id FROM jobs WHERE state = 'ready' AND run_at < 300;
SELECT query, calls, plan FROM query_stats WHERE query LIKE 'SELECT id FROM jobs%';
SELECT query, cause, old_plan, new_plan, dropped_indexes, old_calls, new_calls, old_steps < 100 AS old_few_steps,
       new_steps > 3000 AS new_scans, old_sqlite = sqlite_version() AS same_sqlite, regression, fix
  FROM plan_changes;
SELECT severity, fix_sql FROM doctor_report WHERE finding LIKE '%plan of query%';
-- The fix brings the old plan back: a second change, not a regression; the finding is gone.
CREATE INDEX "jobs_state" ON "jobs"("state", "run_at");
SELECT id FROM jobs WHERE state = 'ready' AND run_at < 100;
SELECT old_plan, new_plan, old_calls, new_calls, regression FROM plan_changes;
SELECT count(*) AS plan_findings FROM doctor_report WHERE finding LIKE '%plan of query%';
-- A reset forgets the history.
SELECT query_stats_reset();
SELECT count(*) AS changes FROM plan_changes;
