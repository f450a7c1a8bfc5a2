-- SQLite's ext/expert/expert1.test, case 19.0 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t1("index");
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t1 ORDER BY "index"
