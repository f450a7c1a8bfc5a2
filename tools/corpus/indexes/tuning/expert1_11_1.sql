-- SQLite's ext/expert/expert1.test, case 11.1 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t5(a, b);
CREATE TABLE t6(c, d);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM t5, t6 WHERE a=? AND b=c AND c=?
--@ binds
t5.a@0.5
t6.c@0.5
