-- A foreign key SQLite cannot use (posts.author_email references users.email, which is not
-- UNIQUE; SQLite lets it be created), through the real sqlite3 shell with foreign keys off, its
-- default. SQLite's own check fails for the whole database; migrate_check, migrate and
-- migrate_dir still check and apply an unrelated migration, name the broken key, and check the
-- other keys. Every assertion row ends in 1.
.headers off
.mode list
CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT REFERENCES users(id),
  author_email TEXT REFERENCES users(email));
INSERT INTO users VALUES (1, 'a');
INSERT INTO posts VALUES (1, 1, 'a');
PRAGMA foreign_key_check;
-- An unrelated migration: checked, and the broken key is a warning naming it.
SELECT severity, kind, object FROM migrate_check('CREATE TABLE q(a)');
SELECT 'says why and how to fix it', detail LIKE '%users(email) is neither the PRIMARY KEY of users nor UNIQUE%'
  AND detail LIKE '%CREATE UNIQUE INDEX "users_email_unique" ON "users"("email")%'
  FROM migrate_check('CREATE TABLE q(a)') WHERE kind = 'fk_mismatch';
-- The other key of the same table is still checked.
SELECT severity, kind, object, detail FROM migrate_check('UPDATE posts SET user_id = 2')
  WHERE kind = 'foreign_key_violation';
-- A migration that makes such a key: an error.
SELECT severity, kind, object, migrate_dir FROM migrate_check('CREATE TABLE tags(post_email TEXT REFERENCES users(email))')
  WHERE kind = 'fk_mismatch' AND severity = 'error';
SELECT 'applied', migrate('0001_q', 'CREATE TABLE q(a)') = 'applied';
-- With foreign keys on, a migration that turns them off runs under migrate()'s check.
PRAGMA foreign_keys = ON;
SELECT 'guarded migration applied', migrate('0002_r', 'PRAGMA foreign_keys=OFF; CREATE TABLE r(a); PRAGMA foreign_keys=ON;') = 'applied';
SELECT migrate('0003_lossy', 'PRAGMA foreign_keys=OFF; DELETE FROM users; PRAGMA foreign_keys=ON;');
SELECT 'nothing deleted', count(*) = 1 FROM users;
-- With foreign keys on, SQLite refuses the writes the broken key takes part in: in a migration,
-- the error says what it means.
DELETE FROM users WHERE id = 1;
SELECT migrate('0004_delete', 'DELETE FROM users WHERE id = 1');
