-- Migration folders through the real sqlite3 shell (files written with the shell's writefile()).
.headers off
.mode list
-- A plain folder with a down migration.
SELECT writefile('plain', NULL, 16877);
SELECT writefile('plain/0001_users.sql', 'CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);');
SELECT writefile('plain/0001_users.down.sql', 'DROP TABLE users;');
SELECT writefile('plain/0002_posts.sql', 'CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT REFERENCES users(id));
-- a comment-only tail
;');
SELECT 'plain: pending first', group_concat(status) = 'pending,pending' FROM migration_status('plain');
SELECT 'plain: applies 2', migrate_dir('plain') = 2;
SELECT 'plain: then 0', migrate_dir('plain') = 0;
SELECT name, status, length(checksum), applied_at IS NOT NULL FROM migration_status('plain');
SELECT 'revert 0002 refused (no down file)', 1;
SELECT migrate_revert('0002_posts');
SELECT writefile('plain/0002_posts.down.sql', 'DROP TABLE posts;');
SELECT 'revert 0002', migrate_revert('0002_posts') = 'reverted';
SELECT 'posts gone', count(*) = 0 FROM sqlite_schema WHERE name = 'posts';
SELECT 'status pending again', status = 'pending' FROM migration_status('plain') WHERE name = '0002_posts';
SELECT 'reapplied', migrate_dir('plain') = 1;
-- Edited after applying: changed, and migrate_dir refuses to run anything.
SELECT writefile('plain/0003_tags.sql', 'CREATE TABLE tags(name TEXT);');
SELECT writefile('plain/0001_users.sql', 'CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT, name TEXT);');
SELECT name, status FROM migration_status('plain');
SELECT migrate_dir('plain');
SELECT 'tags not created', count(*) = 0 FROM sqlite_schema WHERE name = 'tags';
-- A drizzle-kit folder: CRLF line endings only, trailing breakpoint, journal written by hand.
SELECT writefile('dk', NULL, 16877);
SELECT writefile('dk/meta', NULL, 16877);
SELECT writefile('dk/meta/_journal.json', '{"version":"7","dialect":"sqlite","entries":[
  {"idx":0,"version":"6","when":1700000000000,"tag":"0000_a","breakpoints":true},
  {"idx":1,"version":"6","when":1700000001000,"tag":"0001_b","breakpoints":true}]}');
SELECT writefile('dk/0000_a.sql', 'CREATE TABLE `a` (' || char(10) || '`id` integer PRIMARY KEY NOT NULL' || char(10) || ');' || char(10) || '--> statement-breakpoint' || char(10) || 'CREATE INDEX `a_id` ON `a` (`id`);--> statement-breakpoint' || char(10));
SELECT writefile('dk/0001_b.sql', 'CREATE TABLE `b` (`id` integer);');
SELECT 'drizzle: applies 2', migrate_dir('dk') = 2;
SELECT 'drizzle journal', count(*) = 2 AND min(created_at) = 1700000000000 AND max(created_at) = 1700000001000 FROM __drizzle_migrations;
SELECT 'drizzle hash = checksum', count(*) = 2 FROM __drizzle_migrations d JOIN doctor_migrations m ON m.checksum = d.hash;
SELECT writefile('dk/0000_a.sql', replace(readfile('dk/0000_a.sql'), char(10), char(13) || char(10)));
SELECT name, status, note FROM migration_status('dk');
SELECT 'CRLF is not drift', migrate_dir('dk') = 0;
-- An out-of-order entry (older `when` than the newest applied): Drizzle would skip it; ours applies it.
SELECT writefile('dk/meta/_journal.json', '{"version":"7","dialect":"sqlite","entries":[
  {"idx":0,"version":"6","when":1700000000000,"tag":"0000_a","breakpoints":true},
  {"idx":2,"version":"6","when":1700000000500,"tag":"0000_late","breakpoints":true},
  {"idx":1,"version":"6","when":1700000001000,"tag":"0001_b","breakpoints":true}]}');
SELECT writefile('dk/0000_late.sql', 'CREATE TABLE `late` (`id` integer);');
SELECT name, status, note FROM migration_status('dk') WHERE name = '0000_late';
SELECT 'out of order applied', migrate_dir('dk') = 1;
-- Baseline: an existing database adopts a folder without running it.
SELECT writefile('base', NULL, 16877);
SELECT writefile('base/0001_x.sql', 'CREATE TABLE x(a);');
SELECT writefile('base/0002_y.sql', 'CREATE TABLE y(a);');
SELECT 'baseline up to 0001', migrate_baseline('base', '0001_x') = 1;
SELECT 'x not created by baseline', count(*) = 0 FROM sqlite_schema WHERE name = 'x';
SELECT name, status FROM migration_status('base');
SELECT migrate_baseline('base', '0009_nope');
-- Malformed journals and missing files.
SELECT writefile('bad', NULL, 16877);
SELECT writefile('bad/meta', NULL, 16877);
SELECT writefile('bad/meta/_journal.json', '{"entries": [');
SELECT migrate_dir('bad');
SELECT writefile('bad/meta/_journal.json', '{"entries": [{"tag": "0000_x", "when": "soon"}]}');
SELECT migrate_dir('bad');
SELECT writefile('bad/meta/_journal.json', '{"entries": [{"tag": "0000_x", "when": 1}]}');
SELECT migrate_dir('bad');
SELECT writefile('bad/0000_x.sql', '-- Custom SQL migration file, put your code below! --');
SELECT migrate_dir('bad');
