-- The WAL area through the real sqlite3 shell: every assertion row ends in 1.
.headers off
.mode list
-- An in-memory main database and the temp database get an honest row, never an error.
SELECT 'memory main is n/a', status = 'n/a', advice LIKE '%in-memory%' FROM wal_health('main');
SELECT 'one row per database (main, temp)', count(*) = 2 FROM wal_health;
SELECT 'temp is n/a', status = 'n/a' FROM wal_health('temp');
ATTACH 'rollback.db' AS old;
CREATE TABLE old.t(x);
SELECT 'rollback journal is n/a', journal_mode = 'delete' AND status = 'n/a' FROM wal_health('old');
-- A WAL database.
ATTACH 'app.db' AS app;
PRAGMA app.journal_mode = WAL;
CREATE TABLE app.t(x);
INSERT INTO app.t SELECT randomblob(100) FROM generate_series(1, 200);
SELECT 'wal row', journal_mode = 'wal', status = 'ok', wal_frames > 0, backfilled_frames = 0,
  pending_frames = wal_frames, readers = 0, oldest_reader_frame IS NULL FROM wal_health('app');
SELECT 'wal_bytes is header + frames', wal_bytes = 32 + wal_frames * (page_size + 24) FROM wal_health('app');
SELECT 'settings shown', autocheckpoint = 1000, journal_size_limit = -1, synchronous = 'FULL' FROM wal_health('app');
SELECT 'one row per database', count(*) = 4 FROM wal_health;
SELECT 'checkpoint done', json_extract(doctor_checkpoint('PASSIVE', 'app'), '$.result') = 'done';
SELECT 'backfilled', backfilled_frames = wal_frames, pending_frames = 0, checkpoints = 1,
  commits_since_checkpoint = 0, last_checkpoint_ms >= 0, last_checkpoint_at LIKE '____-__-__T__:__:__.___Z'
  FROM wal_health('app');
INSERT INTO app.t VALUES (1);
INSERT INTO app.t VALUES (2);
SELECT 'two commits since', commits_since_checkpoint = 2 FROM wal_health('app');
SELECT 'truncate empties the WAL and says what it moved', json_extract(j, '$.wal_bytes_after') = 0,
  json_extract(j, '$.log_frames') = 0, json_extract(j, '$.wal_frames_after') = 0,
  json_extract(j, '$.copied_frames') = json_extract(j, '$.wal_frames_before'),
  json_extract(j, '$.wal_frames_before') > 0
  FROM (SELECT doctor_checkpoint('truncate', 'app', 1000) AS j);
SELECT 'history', count(*) = 2, group_concat(mode, ',') = 'PASSIVE,TRUNCATE' FROM wal_checkpoints WHERE schema = 'app';
SELECT 'history row', typeof(at) = 'text', typeof(ms) = 'real', busy = 0, log_frames = checkpointed_frames
  FROM wal_checkpoints WHERE mode = 'PASSIVE';
SELECT 'json keys', json_extract(j, '$.log_frames') IS NULL, json_extract(j, '$.result')
  FROM (SELECT doctor_checkpoint('FULL') AS j);
-- Settings and lock_stats.
SELECT name, value, default_value FROM doctor_config WHERE name IN ('busy_timeout_ms', 'wal_checkpoint_history');
SELECT doctor_set('busy_timeout_ms', 250);
-- lock_stats: one row per database file; this connection has app.db and rollback.db attached.
SELECT 'lock_stats row per file', schema, connections = 1, counting = 1, timeout_ms = 250,
  busy_waits = 0, busy_retries = 0, wait_ms = 0, longest_wait_ms = 0, busy_errors = 0
  FROM lock_stats WHERE schema IS NOT NULL ORDER BY schema;
SELECT 'no row for in-memory or temp', count(*) = 0 FROM lock_stats WHERE file = '';
SELECT 'lock_stats_connections', handler = 'doctor', timeout_ms = 250, files = 2, busy_waits = 0
  FROM lock_stats_connections WHERE this_connection;
PRAGMA busy_timeout = 100;
SELECT 'the application''s new timeout is adopted', handler = 'doctor', timeout_ms = 100
  FROM lock_stats_connections WHERE this_connection;
SELECT 'still counting', counting = 1, timeout_ms = 100 FROM lock_stats WHERE schema = 'app';
SELECT doctor_set('busy_timeout_ms', -1);
-- Known issues of the shell's SQLite (3.40.1): the WAL-reset bug, and it has the progress handler.
SELECT 'wal reset bug known', affected = 1, sqlite_version = sqlite_version(), fix LIKE '%3.51.3%'
  FROM doctor_known_issues WHERE issue = 'wal_reset_bug';
SELECT 'progress handler present', affected = 0 FROM doctor_known_issues WHERE issue = 'no_progress_handler';
-- Bad input: clear errors.
SELECT * FROM wal_health('nope');
SELECT * FROM wal_health(1);
SELECT doctor_checkpoint('SOMETIMES');
SELECT doctor_checkpoint('PASSIVE', 'nope');
SELECT doctor_checkpoint(NULL);
SELECT doctor_checkpoint('PASSIVE', 'app', -5);
SELECT doctor_checkpoint();
SELECT doctor_set('busy_timeout_ms', -5);
SELECT 'nobody writes app', writer = 'none', writer_pid IS NULL FROM lock_stats WHERE schema = 'app';
BEGIN;
INSERT INTO app.t VALUES (3);
SELECT 'the writer is this connection', writer, writer_pid > 0 FROM lock_stats WHERE schema = 'app';
SELECT doctor_checkpoint('FULL', 'app');
SELECT 'its open transaction', schema, state, mode, upgraded, age_ms >= 0, begin_statement,
       first_statement, this_connection FROM open_transactions;
COMMIT;
SELECT 'no transaction open', count(*) FROM open_transactions;
-- An argument column not given is NULL: a filter other than = on it is refused, not silently empty.
SELECT 'schema_name given with =', count(*) FROM wal_health WHERE schema_name = 'app';
SELECT 'given, then filtered', count(*) FROM wal_health('app') WHERE schema_name LIKE 'a%';
SELECT * FROM wal_health WHERE schema_name LIKE 'a%';
SELECT * FROM wal_health WHERE schema_name IS NOT NULL;
-- Direct-only: not from views or triggers.
CREATE VIEW app.v AS SELECT status FROM wal_health;
SELECT * FROM app.v;
-- doctor_known_issues of another process's SQLite, by its version (better-sqlite3's 3.53.2 is
-- fixed; its build is not known): doctor_report asks it for the application's versions.
SELECT 'version asked', issue, affected, sqlite_version FROM doctor_known_issues('3.53.2');
SELECT 'version asked', issue, affected FROM doctor_known_issues('3.45.1') WHERE issue = 'wal_reset_bug';
SELECT 'own version asked', affected FROM doctor_known_issues(sqlite_version()) WHERE issue = 'no_progress_handler';
SELECT * FROM doctor_known_issues('3.40');
SELECT * FROM doctor_known_issues(3);
