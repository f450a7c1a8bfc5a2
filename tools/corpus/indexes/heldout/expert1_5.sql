-- SQLite's ext/expert/expert1.test, case 5 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t1(a, b, c);
--@ data
--@ generate 5000
--@ workload
SELECT a FROM t1 WHERE a=? ORDER BY b
--@ binds
t1.a@0.5
