-- SQLite's ext/expert/expert1.test, case 12.1 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t7(a, b);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t7 WHERE a=? OR b=?
--@ binds
t7.a@0.5
t7.b@0.5
