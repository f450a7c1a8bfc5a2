-- Drizzle 1.0's folder-per-migration layout (<timestamp>_<name>/migration.sql) and the
-- __drizzle_migrations table its migrator keeps: (id, hash, created_at, name, applied_at).
.headers off
.mode list
SELECT writefile('v1', NULL, 16877);
SELECT writefile('v1/20240101000000_init', NULL, 16877);
SELECT writefile('v1/20240101000000_init/migration.sql', 'CREATE TABLE `users` (' || char(10) || char(9) || '`id` integer PRIMARY KEY' || char(10) || ');' || char(10) || '--> statement-breakpoint' || char(10) || 'CREATE TABLE `posts` (`id` integer PRIMARY KEY, `user_id` integer REFERENCES `users`(`id`));');
SELECT writefile('v1/20240102030405_tags', NULL, 16877);
SELECT writefile('v1/20240102030405_tags/migration.sql', 'CREATE TABLE `tags` (`name` text);');
SELECT writefile('v1/20240102030405_tags/snapshot.json', '{}');
SELECT name, status FROM migration_status('v1');
SELECT 'baseline marks init only', migrate_baseline('v1', '20240101000000_init') = 1;
SELECT 'init not run', count(*) = 0 FROM sqlite_schema WHERE name = 'users';
CREATE TABLE users(id integer PRIMARY KEY);
CREATE TABLE posts(id integer PRIMARY KEY, user_id integer REFERENCES users(id));
SELECT 'applies tags', migrate_dir('v1') = 1;
SELECT 'then nothing', migrate_dir('v1') = 0;
-- The table exactly as Drizzle 1.0 creates it, and its rows.
SELECT sql FROM sqlite_schema WHERE name = '__drizzle_migrations';
SELECT id, created_at, name, length(hash) FROM __drizzle_migrations ORDER BY id;
SELECT 'applied_at is toISOString()', count(*) = 2 FROM __drizzle_migrations WHERE applied_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z';
SELECT 'hash = doctor checksum', count(*) = 2 FROM __drizzle_migrations d JOIN doctor_migrations m ON m.name = d.name AND m.checksum = d.hash;
-- Drizzle 1.0 decides by name: a migration another migrator recorded under its name is applied.
SELECT writefile('v1/20230101000000_older', NULL, 16877);
SELECT writefile('v1/20230101000000_older/migration.sql', 'CREATE TABLE `older` (`x` text);');
SELECT name, status, note FROM migration_status('v1') WHERE name LIKE '%older';
SELECT 'older applied (no watermark)', migrate_dir('v1') = 1;
INSERT INTO __drizzle_migrations (hash, created_at, name, applied_at) VALUES ('00', 1, '20200101000000_gone', NULL);
SELECT name, status, note FROM migration_status('v1') WHERE status <> 'applied';
DELETE FROM __drizzle_migrations WHERE name = '20200101000000_gone';
-- A 0.45 table (id SERIAL, hash, created_at) meets the layout: upgraded as Drizzle 1.0 does.
DROP TABLE __drizzle_migrations;
CREATE TABLE "__drizzle_migrations" (
				id SERIAL PRIMARY KEY,
				hash text NOT NULL,
				created_at numeric
			);
INSERT INTO __drizzle_migrations(hash, created_at) SELECT checksum, 1704067200123 FROM migration_status('v1') WHERE name = '20240101000000_init';
INSERT INTO __drizzle_migrations(hash, created_at) VALUES ('feed', 99);
SELECT migrate_dir('v1');
SELECT 'refused: still 3 columns', count(*) = 3 FROM pragma_table_info('__drizzle_migrations');
DELETE FROM __drizzle_migrations WHERE hash = 'feed';
SELECT 'upgraded, nothing to run', migrate_dir('v1') = 0;
SELECT sql FROM sqlite_schema WHERE name = '__drizzle_migrations';
SELECT quote(id), created_at, name, quote(applied_at) FROM __drizzle_migrations ORDER BY rowid LIMIT 1;
SELECT 'rows ours applied recorded with names', count(*) = 3 AND count(name) = 3 AND count(applied_at) = 2 FROM __drizzle_migrations;
-- Errors.
SELECT writefile('v1bad', NULL, 16877);
SELECT writefile('v1bad/20240101000000_x', NULL, 16877);
SELECT writefile('v1bad/20240101000000_x/migration.sql', '-- nothing' || char(10));
SELECT migrate_dir('v1bad');
