-- SQLite's ext/expert/expert1.test, case 10.1 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t3(a, "b b", c);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t3 WHERE "b b" = ?
--@ binds
t3.b b@0.5
