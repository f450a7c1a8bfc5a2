-- The fleet view (issue 15 item 8) through the real sqlite3 shell: the stores of two machines'
-- copies of app.db (here two folders) merged exactly by query_stats_merge, with the number of
-- stores each row came from; the plan each application captured travels with its store; bad
-- stores and arguments give errors naming them.
.headers on
.mode list
SELECT doctor_autoload() LIKE 'autoload on%' AS autoload;
SELECT doctor_set('stats_share_ms', 0) AS share;
-- Every run is slow (a fixed threshold made the count depend on the machine: qemu crossed it).
SELECT doctor_set('slow_ms', 0) AS slow_ms;
SELECT count(*) AS folders FROM (SELECT writefile('east', NULL, 16877), writefile('west', NULL, 16877));
-- Machine east: 3 inserts, 2 lookups.
.open east/app.db
CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);
CREATE INDEX users_email ON users(email);
INSERT INTO users(email) VALUES ('a@x');
INSERT INTO users(email) VALUES ('b@x');
INSERT INTO users(email) VALUES ('c@x');
SELECT id FROM users WHERE email = 'a@x';
SELECT id FROM users WHERE email = 'b@x';
SELECT query_stats_flush() > 0 AS flushed;
-- Machine west: 4 inserts, 1 lookup.
.open west/app.db
CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);
CREATE INDEX users_email ON users(email);
INSERT INTO users(email) VALUES ('d@x');
INSERT INTO users(email) VALUES ('e@x');
INSERT INTO users(email) VALUES ('f@x');
INSERT INTO users(email) VALUES ('g@x');
SELECT id FROM users WHERE email = 'd@x';
SELECT query_stats_flush() > 0 AS flushed;
.open :memory:
SELECT query, db, sources, calls, rows, min_ms <= max_ms AS ordered, p50_ms <= p99_ms AS pcts,
       json_array_length(buckets) AS buckets, errors,
       minmax_since = stats_since AS minmax_since  -- no min/max-only reset in either store
  FROM query_stats_merge('["east/app.db-doctor", "west/app.db-doctor"]')
 WHERE query LIKE '%users%' AND query NOT LIKE 'CREATE%' ORDER BY query;
-- The merged histogram is the sum of the two, bucket by bucket.
WITH m AS (SELECT buckets FROM query_stats_merge('["east/app.db-doctor","west/app.db-doctor"]')
            WHERE query LIKE 'INSERT%'),
     e AS (SELECT buckets FROM query_stats_merge('east/app.db-doctor') WHERE query LIKE 'INSERT%'),
     w AS (SELECT buckets FROM query_stats_merge('west/app.db-doctor') WHERE query LIKE 'INSERT%')
SELECT count(*) AS buckets, sum(mb.value = eb.value + wb.value) AS sums_match
  FROM m, e, w, json_each(m.buckets) mb JOIN json_each(e.buckets) eb USING (key)
  JOIN json_each(w.buckets) wb USING (key);
-- The lookup's plan as east's SQLite captured it.
SELECT plan, plan_id IS NOT NULL AS captured FROM query_stats_merge('east/app.db-doctor')
 WHERE query LIKE 'SELECT id FROM users%';
-- Their hourly buckets merge the same way; their slow rings too (every run: slow_ms is 0).
SELECT query, db, sources, calls, min_ms <= max_ms AS ordered, hours_ago >= 0 AS recent
  FROM query_stats_buckets_merge('["east/app.db-doctor", "west/app.db-doctor"]')
 WHERE query LIKE '%users%' AND query NOT LIKE 'CREATE%' ORDER BY query;
SELECT sql, count(*) AS slow FROM slow_queries_merge('["east/app.db-doctor", "west/app.db-doctor"]')
 WHERE sql LIKE 'SELECT id FROM users%' OR sql LIKE 'INSERT INTO users%' GROUP BY sql ORDER BY sql;
-- Errors name the store.
SELECT * FROM query_stats_buckets_merge('north/app.db-doctor');
SELECT * FROM slow_queries_merge('["east/app.db-doctor", "east/app.db-doctor"]');
SELECT * FROM query_stats_merge('north/app.db-doctor');
SELECT * FROM query_stats_merge('east');
SELECT * FROM query_stats_merge('east/app.db');
SELECT * FROM query_stats_merge('["east/app.db-doctor", "east/app.db-doctor"]');
SELECT * FROM query_stats_merge('[]');
SELECT * FROM query_stats_merge;
-- Files only: not from a view or trigger.
CREATE VIEW fleet AS SELECT * FROM query_stats_merge('east/app.db-doctor');
SELECT count(*) FROM fleet;
CREATE VIEW fleet_slow AS SELECT * FROM slow_queries_merge('east/app.db-doctor');
SELECT count(*) FROM fleet_slow;
