-- Query shapes (issue 15 item 6) through the real sqlite3 shell, adapted from pg_stat_statements'
-- regression tests: what SQLite runs as one statement is one row, what it runs differently is
-- two. Every assertion row ends in 1.
.headers off
.mode list
CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, score INTEGER);
INSERT INTO users VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30);
SELECT query_stats_reset();
-- ORDER BY / GROUP BY positions name result columns: a cheap and a different sort stay apart.
SELECT id, name FROM users ORDER BY 1;
SELECT id, name FROM users ORDER BY 2;
SELECT id, name FROM users ORDER BY 2;
SELECT name, score FROM users GROUP BY 1;
SELECT name, score FROM users GROUP BY 2;
SELECT 'order by positions apart', count(*) = 2, group_concat(calls, ',') = '1,2'
  FROM (SELECT calls FROM query_stats WHERE query LIKE 'SELECT id, name FROM users ORDER BY %'
        ORDER BY calls);
SELECT 'group by positions apart', count(*) = 2
  FROM query_stats WHERE query LIKE 'SELECT name, score FROM users GROUP BY %';
-- ... and so do LIMIT counts (SQLite plans with a literal count: LIMIT 1 may search another
-- index and sort where LIMIT 100000 scans in order), while OFFSET and a bound count fold.
SELECT id FROM users ORDER BY 1 LIMIT 1;
SELECT id FROM users ORDER BY 1 LIMIT 2;
SELECT id FROM users ORDER BY 1 LIMIT 2 OFFSET 1;
SELECT id FROM users ORDER BY 1 LIMIT 1, 2;
SELECT id FROM users ORDER BY 1 LIMIT -1;
SELECT 'limit counts apart', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats WHERE query LIKE 'SELECT id FROM users ORDER BY 1 LIMIT%'
        ORDER BY query);
-- ORDER BY +2 and ORDER BY (2) are column positions too (SQLite's sqlite3ExprIsInteger).
SELECT id, name FROM users ORDER BY +1;
SELECT id, name FROM users ORDER BY +2;
SELECT 'unary plus positions apart', count(*) = 2
  FROM query_stats WHERE query IN ('SELECT id, name FROM users ORDER BY 1', 'SELECT id, name FROM users ORDER BY 2')
  AND calls IN (2, 3);
-- Savepoints with generated names (an ORM's nested transactions): one row each.
SAVEPOINT sp_1; SAVEPOINT sp_2; RELEASE sp_2; SAVEPOINT "sp_3"; ROLLBACK TO sp_3; RELEASE SAVEPOINT sp_3; RELEASE sp_1;
SAVEPOINT s_a; ROLLBACK TRANSACTION TO SAVEPOINT s_a; RELEASE s_a;
SELECT 'savepoints', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats
        WHERE query IN ('SAVEPOINT ?', 'RELEASE ?', 'ROLLBACK TO ?') ORDER BY query);
SELECT 'savepoints fold', count(*) = 3 FROM query_stats WHERE query LIKE 'SAVEPOINT%'
  OR query LIKE 'RELEASE%' OR query LIKE 'ROLLBACK%';
-- The spellings of one transaction statement fold; DEFERRED, IMMEDIATE and EXCLUSIVE stay apart.
BEGIN; COMMIT;
BEGIN TRANSACTION; END;
BEGIN DEFERRED; END TRANSACTION;
BEGIN IMMEDIATE; COMMIT TRANSACTION;
begin immediate transaction; commit;
BEGIN EXCLUSIVE; ROLLBACK;
BEGIN; ROLLBACK TRANSACTION;
SELECT 'transactions', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats
        WHERE query IN ('BEGIN', 'BEGIN IMMEDIATE', 'BEGIN EXCLUSIVE', 'COMMIT', 'ROLLBACK')
        ORDER BY query);
SELECT 'no other spelling', count(*) = 0 FROM query_stats
  WHERE (query LIKE 'BEGIN%' OR query LIKE 'END%' OR query LIKE 'COMMIT%')
    AND query NOT IN ('BEGIN', 'BEGIN IMMEDIATE', 'BEGIN EXCLUSIVE', 'COMMIT');
-- Identifier quoting and case: an ORM quotes, a person does not; SQLite resolves one name.
SELECT name FROM users WHERE id = 1;
SELECT "name" FROM "users" WHERE "id" = 2;
SELECT `name` FROM `users` WHERE `id` = 3;
SELECT [name] FROM [users] WHERE [id] = 1;
SELECT Name FROM Users WHERE ID = 2;
SELECT 'identifiers fold', calls = 5 FROM query_stats WHERE query = 'SELECT name FROM users WHERE id = ?';
SELECT 'one row', count(*) = 1 FROM query_stats WHERE lower(query) LIKE 'select %name% from %users% where %id% = ?';
-- Adapted from pg_stat_statements' squashing.sql: a single IN element stays apart, two or more
-- constants or parameters fold into one row whatever the length; expressions do not fold.
CREATE TABLE squash(id INTEGER PRIMARY KEY, data INTEGER, key TEXT, action TEXT, flag INTEGER);
SELECT query_stats_reset();
SELECT * FROM squash WHERE id IN (1);
SELECT * FROM squash WHERE id IN (1, 2, 3);
SELECT * FROM squash WHERE id IN (1, 2, 3, 4);
SELECT * FROM squash WHERE id IN (-1, 0x10, x'00', NULL, TRUE, 'x');
SELECT * FROM squash WHERE id IN (1 + 1, 2 + 2);
SELECT * FROM squash WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9) AND data = 2;
SELECT * FROM squash WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) AND data = 2;
SELECT 'squashing', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats WHERE query LIKE '%FROM squash%' ORDER BY query);
-- dml.sql: NULL is a constant like any other; TRUE/FALSE too, but not after IS (a truth test).
INSERT INTO squash(data, key) VALUES (1, 'a');
INSERT INTO squash(data, key) VALUES (2, NULL);
UPDATE squash SET key = NULL WHERE data = 1;
UPDATE squash SET key = 'b' WHERE data = 2;
SELECT count(*) FROM squash WHERE flag = TRUE;
SELECT count(*) FROM squash WHERE flag = 0;
SELECT count(*) FROM squash WHERE flag IS TRUE;
SELECT count(*) FROM squash WHERE flag IS 1;
SELECT 'null and booleans', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats
        WHERE query LIKE 'INSERT INTO squash%' OR query LIKE 'UPDATE squash%'
           OR query LIKE 'SELECT count(*) FROM squash%' ORDER BY query);
-- Keywords SQLite takes as column names (key, action) are shown as written, one row for every
-- spelling and quoting.
SELECT key, action FROM squash WHERE key = 'a' AND action = 'x';
SELECT "key", "action" FROM squash WHERE "key" = 'b' AND "action" = 'y';
SELECT KEY, Action FROM squash WHERE [key] = 'c' AND `action` = 'z';
SELECT 'keyword names', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats WHERE lower(query) LIKE 'select %key%, %action% from squash%');
-- utility.sql: definitions keep their constants; spellings of one DROP fold.
CREATE TABLE defs(a INT DEFAULT -1, b TEXT CHECK (b <> 'x'));
CREATE INDEX defs_a ON defs(a) WHERE a > 0;
DROP TABLE IF EXISTS nothing_here; Drop Table If Exists nothing_here;
SELECT 'definitions', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats
        WHERE query LIKE 'CREATE %defs%' OR query LIKE 'DROP %' ORDER BY query);
-- utility.sql's SET statements keep their values (SQLite's settings are PRAGMAs).
PRAGMA cache_size = -1000; pragma Cache_Size = -1000; PRAGMA cache_size = -2000;
SELECT 'pragmas', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats WHERE query LIKE 'PRAGMA cache_size%' ORDER BY query);
-- Literals that are not values. A string where SQLite's grammar reads a name (a table, a column,
-- a collation, a type): folding it merged the statements of every table into one row.
CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER, total INTEGER);
SELECT query_stats_reset();
SELECT count(*) FROM 'users';
SELECT count(*) FROM 'orders';
SELECT count(*) FROM users;
INSERT INTO 'orders'('user_id', 'total') VALUES (1, 10);
INSERT INTO 'orders'('total', 'user_id') VALUES (20, 2);
UPDATE 'orders' SET 'total' = 5 WHERE id = 1;
UPDATE 'orders' SET 'user_id' = 5 WHERE id = 1;
SELECT name FROM users ORDER BY name COLLATE 'nocase';
SELECT name FROM users ORDER BY name COLLATE 'binary';
SELECT 'strings as names', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats
        WHERE query LIKE 'SELECT count(*) FROM%' OR query LIKE 'INSERT INTO orders%'
           OR query LIKE 'UPDATE orders%' OR query LIKE '%COLLATE%' ORDER BY query);
-- A JSON path selects a field: an index on one path serves that path only, so the SEARCH and the
-- SCAN stay apart (as their plans show).
CREATE TABLE docs(id INTEGER PRIMARY KEY, body TEXT);
CREATE INDEX docs_email ON docs(json_extract(body, '$.email'));
INSERT INTO docs(body) VALUES ('{"email": "a@x", "name": "a"}'), ('{"email": "b@x", "name": "b"}');
SELECT query_stats_reset();
SELECT id FROM docs WHERE json_extract(body, '$.email') = 'a@x';
SELECT id FROM docs WHERE json_extract(body, '$.name') = 'a';
SELECT id FROM docs WHERE json_extract(body, '$.name') = 'b';
SELECT id FROM docs WHERE body ->> '$.email' = 'a@x';
SELECT id FROM docs WHERE body ->> '$.name' = 'a';
SELECT 'json paths', group_concat(query || '=' || calls || ' ' || (plan LIKE '%SEARCH%'), ' | ')
  FROM (SELECT query, calls, plan FROM query_stats WHERE query LIKE 'SELECT id FROM docs%' ORDER BY query);
-- A strftime format says what is computed; the time value folds.
SELECT strftime('%Y', '2024-05-06');
SELECT strftime('%Y', '2025-05-06');
SELECT strftime('%m', '2024-05-06');
SELECT 'strftime formats', group_concat(query || '=' || calls, ' | ')
  FROM (SELECT query, calls FROM query_stats WHERE query LIKE 'SELECT strftime%' ORDER BY query);
