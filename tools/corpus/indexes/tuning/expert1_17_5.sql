-- SQLite's ext/expert/expert1.test, case 17.5 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE example (A INTEGER, B INTEGER, C INTEGER, PRIMARY KEY (A,B));
--@ data
--@ generate 5000
--@ workload
SELECT * FROM example WHERE a>? AND b=?
--@ binds
example.A@0.5
example.B@0.5
