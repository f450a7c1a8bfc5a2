-- SQLite's ext/expert/expert1.test, case 8.2 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t1(a, b COLLATE nocase, c);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t1 ORDER BY a ASC, b DESC, c ASC
