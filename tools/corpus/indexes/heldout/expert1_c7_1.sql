-- SQLite's ext/expert/expert1.test, case c7.1 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE VIRTUAL TABLE ft USING fts5(a);
CREATE TABLE t1(x, y);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM ft, t1 WHERE a=x
