-- doctor_autoload(): load, autoload, close the loading connection, open another, use it.
.headers off
.mode list
SELECT 'autoload', doctor_autoload() LIKE 'autoload on%';
.open second.db
SELECT 'second connection has doctor', doctor_version() GLOB '[0-9]*';
.open third.db
SELECT 'third connection has doctor', count(*) > 0 FROM doctor_help;
-- DIRECTONLY: a schema object cannot call it.
CREATE VIEW sneaky AS SELECT doctor_autoload();
SELECT * FROM sneaky;
-- The extension's own connections never get it, autoload or not: a journal's migrations that
-- schema_drift replays on its scratch database (SQL from the database file) cannot call doctor_set
-- or query_stats_reset there as if the user had, at top level.
.open planted.db
SELECT migrate('0001_a', 'CREATE TABLE t(x)');
UPDATE doctor_migrations SET sql = 'CREATE TABLE t(x); SELECT doctor_set(''slow_ms'', 12345);';
CREATE TABLE extra(y);
SELECT 'drift replayed', count(*) > 0 FROM schema_drift;
SELECT 'slow_ms untouched', value <> '12345' FROM doctor_config WHERE name = 'slow_ms';
