-- SQLite's ext/expert/expert1.test, case 13.1 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t8(a, b);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t8 WHERE rowid=?
--@ binds
2500
