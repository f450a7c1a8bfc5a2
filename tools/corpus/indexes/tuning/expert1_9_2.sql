-- SQLite's ext/expert/expert1.test, case 9.2 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE "t t"(a, b, c);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM "t t" WHERE b BETWEEN ? AND ?
--@ binds
t t.b@0.3
t t.b@0.32
