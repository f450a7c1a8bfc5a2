-- Migrations on the sample database: adopt a drizzle-kit folder, dry-run its risky pending change,
-- apply it without losing a row, and show what Drizzle's own migrator would have deleted.
-- Run from the repository root (tools/demo): sqlite3 build/demo.db, .load bazel-bin/doctor.
.print
.print '== Migrations: sql/migrations is a drizzle-kit folder; the sample database already has 0000'
PRAGMA foreign_keys = ON;  -- as better-sqlite3, Drizzle's driver, runs
SELECT migrate_baseline('sql/migrations', '0000_initial') AS baselined;
SELECT name, status, substr(checksum, 1, 12) AS checksum FROM migration_status('sql/migrations');
.print
.print '== The risky pending change: 0003 rebuilds users, the parent of projects -> resources, jobs.'
.print '   Dry run (always rolled back) the way migrate_dir runs it: foreign keys off around the'
.print '   transaction, foreign_key_check before COMMIT:'
SELECT severity, kind, object, detail FROM
  migrate_check(CAST(readfile('sql/migrations/0003_users_created_at_default.sql') AS TEXT));
.print
.print '== Apply the folder, then count: nothing lost'
SELECT migrate_dir('sql/migrations') AS applied;
SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM projects) AS projects,
       (SELECT count(*) FROM resources) AS resources, (SELECT count(*) FROM jobs) AS jobs,
       (SELECT count(*) FROM pragma_foreign_key_check) AS fk_violations;
SELECT name, status, applied_at, round(duration_ms, 2) AS ms FROM migration_status('sql/migrations');
SELECT name, kind, statements, substr(schema_before, 1, 8) AS schema_before,
       substr(schema_after, 1, 8) AS schema_after, source FROM doctor_migrations;
SELECT count(*) AS drizzle_rows, sum(hash IN (SELECT checksum FROM doctor_migrations)) AS same_hashes,
       max(created_at) AS newest FROM __drizzle_migrations;
.print
.print "== What Drizzle's migrator does with the same file: it runs it inside its own transaction,"
.print "   where SQLite ignores PRAGMA foreign_keys=OFF, so DROP TABLE users cascades (dry run):"
BEGIN;
SELECT severity, kind, object, detail FROM
  migrate_check(CAST(readfile('sql/migrations/0003_users_created_at_default.sql') AS TEXT))
  WHERE kind IN ('cascade', 'table_rebuild') OR severity = 'error';
ROLLBACK;
PRAGMA foreign_keys = OFF;
.print
.print '== Drift: the indexes built by hand in section 4 are in no migration (schema_drift);'
.print '   drizzle-kit push would drop them. Each row: the migration that records it, and the'
.print '   line for the Drizzle schema file.'
SELECT drift, type, name, migration_file, drizzle FROM schema_drift('sql/migrations');
