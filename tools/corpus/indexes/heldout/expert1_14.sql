-- SQLite's ext/expert/expert1.test, case 14 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE t9(a, b, c);
CREATE TABLE t10(a, b, c);
CREATE TRIGGER t9t AFTER INSERT ON t9 BEGIN UPDATE t10 SET a=new.a WHERE b = new.b; END;
--@ data
--@ generate 5000
--@ workload
INSERT INTO t9 VALUES(?, ?, ?)
--@ binds
1
t10.b@0.5
3
