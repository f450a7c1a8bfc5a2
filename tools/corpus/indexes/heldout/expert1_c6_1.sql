-- SQLite's ext/expert/expert1.test, case c6.1 (written down as schema + query).
--@ kind expert1
--@ schema
CREATE TABLE x1(a, b, c, d);
CREATE INDEX x1ab ON x1(a, lower(b));
CREATE INDEX x1dcba ON x1(d, b+c, a);
--@ data
--@ generate 5000
--@ workload
SELECT * FROM x1 WHERE b=? ORDER BY a
--@ binds
x1.b@0.5
