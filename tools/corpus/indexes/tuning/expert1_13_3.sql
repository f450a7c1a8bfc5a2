-- SQLite's ext/expert/expert1.test, case 13.3 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t8(a, b);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t8 WHERE a=? ORDER BY rowid
--@ binds
t8.a@0.5
