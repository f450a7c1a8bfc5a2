-- SQLite's ext/expert/expert1.test, case 18.0 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE SomeObject (a INTEGER PRIMARY KEY, x TEXT GENERATED ALWAYS AS(HEX(a)) VIRTUAL);
--@ data
--@ generate 5000
--@ workload
SELECT x FROM SomeObject
