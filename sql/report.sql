-- A readable health report for the open database: `.read sql/report.sql` in the sqlite3 shell
-- after `.load ./doctor`. Every section is plain SQL over sqlite-doctor's tables.
-- With a migration folder, set it first: `.parameter set @migrations 'drizzle'` (unset, the
-- parameter is NULL: no folder). The folder tells which of two twin indexes the migrations own.
.mode box --wrap 72 --wordwrap on
.print
.print '== sqlite-doctor report: findings, most severe first'
SELECT severity, area, object, finding, advice FROM doctor_report('main', NULL, @migrations);
.print
.print '== Fixes (review, then run)'
SELECT area, fix_sql FROM doctor_report('main', NULL, @migrations) WHERE fix_sql IS NOT NULL;
.print
.print 'The same as one page for a browser: .headers off, .mode list, .once report.html, then'
.print 'SELECT doctor_html();  (self-contained: no network, no external files)'
