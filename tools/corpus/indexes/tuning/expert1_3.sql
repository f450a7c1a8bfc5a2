-- SQLite's ext/expert/expert1.test, case 3 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t1(a, b, c);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t1 WHERE b COLLATE nocase BETWEEN ? AND ?
--@ binds
t1.b@0.3
t1.b@0.32
