-- SQLite's ext/expert/expert1.test, case 16 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t1(a, b);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t1 WHERE b IS NOT NULL
