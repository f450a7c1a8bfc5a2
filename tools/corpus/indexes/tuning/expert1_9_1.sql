-- SQLite's ext/expert/expert1.test, case 9.1 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE "t t"(a, b, c);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM "t t" WHERE a=?
--@ binds
t t.a@0.5
