-- sqlite-doctor's tour on the built-in sample database (tools/demo builds it from sql/sample.sql).
-- Run from the repository root with the extension loaded:
--   sqlite3 build/demo.db -cmd ".load bazel-bin/doctor" < sql/demo.sql
.mode box --wrap 72 --wordwrap on
.print
.print '== sqlite-doctor'
SELECT doctor_version() AS version,
       json_extract(doctor_debug(), '$.sqlite_runtime') AS sqlite,
       (SELECT count(*) FROM doctor_help) AS sql_objects;
.print
.print '== What it offers (SELECT * FROM doctor_help)'
SELECT area, group_concat(name, ', ') AS objects FROM doctor_help GROUP BY area ORDER BY min(rowid);

-- 1. An application runs its workload; query timing folds it into per-query statistics.
.read sql/demo_timing.sql

-- 2. The doctor's first look, planted problems and all (the migration folder's pending change
--    is dry-run too).
.print
.print '== doctor_report(''main'', ''quick'', ''sql/migrations''): warnings and worse, before any fix'
SELECT severity, area, object, finding, fix_sql
  FROM doctor_report('main', 'quick', 'sql/migrations') WHERE severity <> 'info';

-- 3. The WAL: a reader in another process pins it; the checkpoint starves, then recovers.
.read sql/demo_wal.sql

-- 4. Indexes: advice for the captured workload, measured; applied; VM steps before and after.
.read sql/demo_indexes.sql

-- 5. Migrations: adopt the folder, dry-run the risky rebuild, apply it without losing a row.
.read sql/demo_migrations.sql

-- 6. The report again, with the folder: what is left.
.print
.print "== The report after the migrations (.parameter set @migrations 'sql/migrations', .read sql/report.sql)"
.parameter set @migrations 'sql/migrations'
.read sql/report.sql
.parameter clear

-- 7. The same as one page to open in a browser (self-contained: no network, no assets).
.print
.print "== SELECT doctor_html('main', 'sql/migrations'): the page, written to build/doctor.html"
.mode list
.headers off
.once build/doctor.html
SELECT doctor_html('main', 'sql/migrations');
.headers on
.mode box
SELECT 'build/doctor.html: ' || length(CAST(readfile('build/doctor.html') AS BLOB)) || ' bytes' AS page;
