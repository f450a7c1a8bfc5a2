-- SQLite's ext/expert/expert1.test, case 4 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t1(a, b, c);
--@ data
--@ generate 5000
--@ workload
SELECT a FROM t1 ORDER BY b
