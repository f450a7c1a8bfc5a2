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
-- ... while LIMIT values still fold.
SELECT id FROM users ORDER BY 1 LIMIT 1;
SELECT id FROM users ORDER BY 1 LIMIT 2;
SELECT 'limit folds', calls = 2 FROM query_stats WHERE query = 'SELECT id FROM users ORDER BY 1 LIMIT ?';
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
