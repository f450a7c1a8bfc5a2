-- SQLite's ext/expert/expert1.test, case 15 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t1(a, b);
CREATE TABLE t2(c, d);
--@ data
WITH s(i) AS (VALUES(1) UNION ALL SELECT i+1 FROM s WHERE i<100) INSERT INTO t1 SELECT (i-1)/50, (i-1)/20 FROM s;
WITH s(i) AS (VALUES(1) UNION ALL SELECT i+1 FROM s WHERE i<100) INSERT INTO t2 SELECT (i-1)/20, (i-1)/5 FROM s;
--@ workload
SELECT * FROM t2, t1 WHERE b=? AND d=? AND t2.rowid=t1.rowid
--@ binds
t1.b@0.5
t2.d@0.5
