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
.print '== What it offers (SELECT name, kind, summary FROM doctor_help)'
SELECT name, kind, signature FROM doctor_help ORDER BY area, kind, name;
.print
.print '== Settings (SELECT * FROM doctor_config; change with doctor_set(name, value))'
SELECT name, value, default_value, accepts FROM doctor_config ORDER BY name;
.print
.print '== The report: every finding of every area (sql/report.sql)'
.read sql/report.sql
