-- The migrations area through the real sqlite3 shell: every assertion row ends in 1.
.headers off
.mode list
PRAGMA foreign_keys = ON;
SELECT 'first apply', migrate('0001_init', 'CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);
  CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT REFERENCES users(id) ON DELETE CASCADE);
  INSERT INTO users VALUES (1, ''a''), (2, ''b''); INSERT INTO posts VALUES (1, 1), (2, 2);') = 'applied';
SELECT 'same again is a no-op', migrate('0001_init', 'CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);
  CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT REFERENCES users(id) ON DELETE CASCADE);
  INSERT INTO users VALUES (1, ''a''), (2, ''b''); INSERT INTO posts VALUES (1, 1), (2, 2);') = 'already applied';
SELECT 'journal row', count(*) = 1 AND min(statements) = 4 AND min(source) = 'sql'
  AND min(applied_at) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z' AND min(duration_ms) >= 0
  AND min(schema_after) = schema_hash() AND length(min(checksum)) = 64
  FROM doctor_migrations;
-- Drift: same name, other text. Failure in statement 3 of 5: nothing changes.
SELECT migrate('0001_init', 'CREATE TABLE x(y)');
CREATE TEMP TABLE before AS SELECT schema_hash() AS h, (SELECT count(*) FROM users) AS u,
  (SELECT count(*) FROM doctor_migrations) AS j;
SELECT migrate('0002_bad', 'CREATE TABLE a(x); INSERT INTO users VALUES (3, ''c''); UPDATE nope SET x = 1;
  CREATE TABLE b(y); DELETE FROM posts;');
SELECT 'nothing changed', h = schema_hash() AND u = (SELECT count(*) FROM users)
  AND j = (SELECT count(*) FROM doctor_migrations) FROM before;
-- A drizzle-kit style rebuild of the parent: foreign keys off around the transaction, no cascade.
SELECT 'rebuild applied', migrate('0002_rebuild', 'PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_users` (`id` integer PRIMARY KEY NOT NULL, `email` text NOT NULL);--> statement-breakpoint
INSERT INTO `__new_users`("id", "email") SELECT "id", "email" FROM `users`;--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
PRAGMA foreign_keys=ON;') = 'applied';
SELECT 'children kept', count(*) = 2 FROM posts;
SELECT 'foreign keys restored', foreign_keys = 1 FROM pragma_foreign_keys;
-- Dry runs: findings without the timing row.
SELECT severity, kind, object FROM migrate_check('DELETE FROM users WHERE id = 1') WHERE kind <> 'dry_run';
SELECT severity, kind, object FROM migrate_check('ALTER TABLE users ADD COLUMN age INT NOT NULL') WHERE kind <> 'dry_run';
SELECT severity, kind, object FROM migrate_check('CREATE TABLE c(id INTEGER PRIMARY KEY, post_id INT REFERENCES posts(id));
  PRAGMA page_size = 8192; DROP TABLE posts;') WHERE kind <> 'dry_run';
SELECT 'dry run rolled back', count(*) = 2 FROM posts;
SELECT 'dry run timed', count(*) = 1 FROM migrate_check('SELECT 1') WHERE kind = 'dry_run' AND detail LIKE '% ms %';
-- Schema hash ignores spelling; schema_diff lists what changed.
SELECT 'hash stable', (SELECT schema_hash()) = (SELECT schema_hash());
SELECT change, type, name, detail FROM schema_diff(
  'CREATE TABLE t(a INT, b TEXT); CREATE INDEX t_a ON t(a); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;',
  'CREATE TABLE "T"(a INT, c TEXT NOT NULL DEFAULT ''x''); CREATE VIEW v AS SELECT a FROM t;');
SELECT name, status FROM migration_status;
-- Bad input: clear errors.
SELECT migrate(NULL, 'SELECT 1');
SELECT migrate('x', 1);
SELECT migrate('x', '-- nothing but a comment');
SELECT migrate('x', 'CREATE TABLE z(a); COMMIT;');
SELECT migrate_dir('./no/such/folder');
SELECT migrate_dir(NULL);
SELECT migrate_baseline('./no/such/folder');
SELECT migrate_revert('0001_init');
SELECT schema_hash('nope');
SELECT * FROM migrate_check(NULL);
SELECT severity, kind, detail FROM migrate_check('SELECT * FROM nope') WHERE kind <> 'dry_run';
SELECT * FROM schema_diff('CREATE TABLE', 'SELECT 1');
SELECT * FROM migration_status('./no/such/folder');
CREATE VIEW sneaky AS SELECT migrate('x', 'DROP TABLE users');
SELECT * FROM sneaky;
SELECT 'users intact', count(*) = 2 FROM users;
