--@ schema
CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE articles(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
  title TEXT NOT NULL, status TEXT NOT NULL, published_at INTEGER);
CREATE TABLE tags(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE article_tags(article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, added_at INTEGER, PRIMARY KEY(article_id, tag_id));
--@ data
INSERT INTO authors SELECT value, 'author ' || value FROM seq WHERE value <= 1000;
INSERT INTO articles SELECT value, 1 + (h(value) * h(value) % 1000003) % 1000, 'title ' || value,
  CASE WHEN value % 10 = 0 THEN 'draft' ELSE 'published' END, 1690000000 + value * 600 FROM seq WHERE value <= 30000;
INSERT INTO tags SELECT value, 'tag' || value FROM seq WHERE value <= 500;
INSERT OR IGNORE INTO article_tags SELECT 1 + (value - 1) % 30000, 1 + (h(value + 1) * h(value + 1) % 1000003) % 500,
  1690000000 + value * 200 FROM seq WHERE value <= 100000;
--@ workload
SELECT a.id, a.title FROM articles a JOIN article_tags at ON at.article_id = a.id WHERE at.tag_id = 42 ORDER BY a.published_at DESC LIMIT 20;
SELECT t.name FROM tags t JOIN article_tags at ON at.tag_id = t.id WHERE at.article_id = 1234;
SELECT at1.article_id FROM article_tags at1 JOIN article_tags at2 ON at2.article_id = at1.article_id WHERE at1.tag_id = 3 AND at2.tag_id = 7;
SELECT t.name, count(*) FROM article_tags at JOIN tags t ON t.id = at.tag_id GROUP BY t.name ORDER BY count(*) DESC LIMIT 10;
SELECT count(*) FROM article_tags WHERE tag_id = 250;
SELECT * FROM articles WHERE author_id = 17 AND status = 'published' ORDER BY published_at DESC LIMIT 10;
SELECT a.* FROM articles a WHERE a.status = 'draft' AND a.author_id = 99;
INSERT OR IGNORE INTO article_tags(article_id, tag_id, added_at) VALUES (555, 17, 1700000000);
DELETE FROM article_tags WHERE article_id = 555 AND tag_id = 17;
DELETE FROM tags WHERE id = 321;
DELETE FROM articles WHERE id = 4321;
DELETE FROM authors WHERE id = 88;
SELECT tag_id FROM article_tags WHERE article_id IN (SELECT id FROM articles WHERE author_id = 5)
