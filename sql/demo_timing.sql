-- Query timing on the sample database: an application's workload runs, then the top queries
-- (query_stats, pg_stat_statements style) and the slow-query log. Run from the repository root:
--   sqlite3 build/demo.db -cmd ".load bazel-bin/doctor" < sql/demo_timing.sql
.mode box --wrap 60 --wordwrap on
.print
.print '== Query timing: the same queries with different literals fold into one row each'
.output /dev/null
SELECT doctor_set('slow_ms', 20);
SELECT name, email FROM users WHERE id = 17;
SELECT name, email FROM users WHERE id = 1999;
SELECT name, email FROM users WHERE id = 256;
SELECT name FROM users WHERE email = 'user42@example.com';
SELECT name FROM users WHERE email = 'user7@example.com';
SELECT id, payload FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1;
SELECT id, payload FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1;
SELECT id, payload FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1;
SELECT count(*), sum(size_bytes) FROM resources WHERE project_id = 42;
SELECT count(*), sum(size_bytes) FROM resources WHERE project_id = 4242;
SELECT count(*), sum(size_bytes) FROM resources WHERE project_id IN (1, 2, 3, 4);
SELECT p.name, count(*) FROM projects p JOIN resources r ON r.project_id = p.id
 WHERE p.owner_id = 9 GROUP BY p.id;
SELECT u.email, count(*) AS resources FROM users u
  JOIN projects p ON p.owner_id = u.id JOIN resources r ON r.project_id = p.id
 GROUP BY u.id ORDER BY resources DESC LIMIT 5;
SELECT doctor_set('slow_ms', 100);
.output stdout
.print
.print '== Top queries by total time (SELECT * FROM query_stats)'
SELECT query, calls, round(total_ms, 2) AS total_ms, round(p95_ms, 3) AS p95_ms, histogram,
       rows, fullscan_steps AS scanned, plan
  FROM query_stats
 WHERE query NOT LIKE '%query_stats%' AND query NOT LIKE '%slow_queries%'
   AND query NOT LIKE 'SELECT doctor_%'
 ORDER BY total_ms DESC LIMIT 6;
.print
.print '== The slow-query log (statements over slow_ms, here 20 ms; newest first)'
SELECT at, round(ms, 1) AS ms, sql, plan FROM slow_queries LIMIT 3;
.print
.print '== This hour against the hour before (query_stats_buckets: per query and hour, 24 hours kept)'
SELECT hours_ago, query, calls, round(mean_ms, 3) AS mean_ms, round(p95_ms, 3) AS p95_ms
  FROM query_stats_buckets
 WHERE query LIKE 'SELECT%FROM jobs%' OR query LIKE 'SELECT%FROM resources%'
 ORDER BY hours_ago, total_ms DESC LIMIT 3;
.print
.print '== Bookkeeping (query_stats_info): every process shares its figures through the store, live'
SELECT entries, evictions, memory_bytes, bytes_per_entry, status, store, flusher FROM query_stats_info;
