-- The indexes area on the sample database: advice for the captured workload, a what-if, the
-- lint, then the advice applied and the workload's VM steps before and after.
-- Run from the repository root: sqlite3 build/demo.db -cmd ".load bazel-bin/doctor" < sql/demo_indexes.sql
.mode box --wrap 60 --wordwrap on
.print
.print '== Indexes: the app runs its typical statements (query_stats captures them)'
.output /dev/null
SELECT * FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1;
SELECT * FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1;
SELECT * FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1;
SELECT id, name FROM projects WHERE owner_id = 42 ORDER BY created_at DESC;
SELECT id, name FROM projects WHERE owner_id = 43 ORDER BY created_at DESC;
SELECT count(*), sum(size_bytes) FROM resources WHERE project_id = 7;
SELECT t.name FROM resource_tags rt JOIN tags t ON t.id = rt.tag_id WHERE rt.resource_id = 99;
SAVEPOINT demo; DELETE FROM users WHERE id = 7; ROLLBACK TO demo; RELEASE demo;
.output stdout
.print
.print '== index_advise(): one row per recommended index for the captured workload'
CREATE TEMP TABLE demo_advice AS SELECT * FROM index_advise();
SELECT table_name, columns, printf('%.1f%%', benefit * 100) AS saves, statements,
       printf('%.0f kB', est_bytes / 1024.0) AS size, index_sql
  FROM demo_advice ORDER BY benefit DESC;
.print
.print '== Why: plans and costs (VM steps on a sample) before and after, for the top index'
SELECT json_extract(j.value, '$.sql') AS statement,
       json_extract(j.value, '$.plan_before') AS plan_before,
       json_extract(j.value, '$.plan_after') AS plan_after,
       json_extract(j.value, '$.cost_before') AS cost_before,
       json_extract(j.value, '$.cost_after') AS cost_after
  FROM (SELECT detail FROM demo_advice ORDER BY benefit DESC LIMIT 1), json_each(detail) AS j;
.print
.print '== index_whatif: the queue poll with a hypothetical partial index (nothing is built here)'
SELECT plan_before, plan_after, cost_before, cost_after, printf('%.1f%%', saving * 100) AS saving
  FROM index_whatif('SELECT * FROM jobs WHERE state = ''queued'' ORDER BY priority DESC, run_at LIMIT 1',
                    'CREATE INDEX jobs_queue ON jobs(priority DESC, run_at) WHERE state = ''queued''');
.print
.print '== index_lint: the existing indexes and foreign keys'
SELECT kind, table_name, index_name, finding, fix_sql FROM index_lint;
.print
.print '== Apply the advice and run the same workload again: total VM steps before and after'
-- Deltas of query_stats (nothing is reset: earlier sections' statistics stay).
CREATE TEMP VIEW demo_total AS
  SELECT coalesce(sum(vm_steps), 0) AS steps FROM query_stats
   WHERE query NOT LIKE '%query_stats%' AND query NOT LIKE '%demo_%' AND query NOT LIKE 'CREATE%';
CREATE TEMP TABLE demo_steps(phase TEXT, start INTEGER, vm_steps INTEGER);
INSERT INTO demo_steps SELECT 'before', steps, NULL FROM demo_total;
.output /dev/null
SELECT * FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1;
SELECT id, name FROM projects WHERE owner_id = 42 ORDER BY created_at DESC;
SELECT count(*), sum(size_bytes) FROM resources WHERE project_id = 7;
SELECT t.name FROM resource_tags rt JOIN tags t ON t.id = rt.tag_id WHERE rt.resource_id = 99;
SAVEPOINT demo; DELETE FROM users WHERE id = 7; ROLLBACK TO demo; RELEASE demo;
.output stdout
UPDATE demo_steps SET vm_steps = (SELECT steps FROM demo_total) - start WHERE phase = 'before';
.headers off
.mode list
.output build/demo_advice.sql
SELECT index_sql || ';' FROM demo_advice;
.output stdout
.read build/demo_advice.sql
.headers on
.mode box --wrap 60 --wordwrap on
INSERT INTO demo_steps SELECT 'after', steps, NULL FROM demo_total;
.output /dev/null
SELECT * FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1;
SELECT id, name FROM projects WHERE owner_id = 42 ORDER BY created_at DESC;
SELECT count(*), sum(size_bytes) FROM resources WHERE project_id = 7;
SELECT t.name FROM resource_tags rt JOIN tags t ON t.id = rt.tag_id WHERE rt.resource_id = 99;
SAVEPOINT demo; DELETE FROM users WHERE id = 7; ROLLBACK TO demo; RELEASE demo;
.output stdout
UPDATE demo_steps SET vm_steps = (SELECT steps FROM demo_total) - start WHERE phase = 'after';
SELECT phase, vm_steps,
       CASE phase WHEN 'after' THEN printf('%.0fx fewer VM steps',
            (SELECT vm_steps FROM demo_steps WHERE phase = 'before') * 1.0 / max(vm_steps, 1))
       ELSE '' END AS change
  FROM demo_steps;
.print
.print "== Plan changes the new indexes caused (SELECT * FROM plan_changes: the app's own SQLite planned them)"
SELECT query, cause, old_plan, new_plan, printf('%.0f', old_steps) AS steps_before,
       printf('%.0f', new_steps) AS steps_after
  FROM plan_changes WHERE query NOT LIKE '%demo_%' ORDER BY at LIMIT 4;
