-- SQLite's ext/expert/expert1.test, case 8.1 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t1(a COLLATE NOCase, b, c);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t1 WHERE a=?
--@ binds
t1.a@0.5
