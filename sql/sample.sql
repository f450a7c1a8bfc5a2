-- The built-in sample database: a small Drizzle + better-sqlite3 style application in WAL mode.
-- Deterministic data (no random()): the same file every time. Planted problems for the doctor to
-- find: projects.owner_id and resources.project_id have no index (cascading deletes scan), and the
-- job queue is polled with `WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1`, which
-- no index serves.
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;

BEGIN;
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE resource_tags (
  resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (resource_id, tag_id)
) WITHOUT ROWID;
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  priority INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  payload TEXT
);

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO users (id, email, name, created_at)
SELECT i, 'user' || i || '@example.com', 'User ' || i, 1700000000 + i * 3600 FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO projects (id, owner_id, name, created_at)
SELECT i, 1 + (i * 7919) % 2000, 'project-' || i, 1700000000 + i * 1800 FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
INSERT INTO resources (id, project_id, kind, name, size_bytes, created_at)
SELECT i,
       -- skewed: a few projects own many resources
       CASE WHEN i % 10 < 3 THEN 1 + i % 50 ELSE 1 + (i * 104729) % 5000 END,
       CASE i % 5 WHEN 0 THEN 'image' WHEN 1 THEN 'video' WHEN 2 THEN 'doc' WHEN 3 THEN 'sheet'
                  ELSE 'archive' END,
       'resource-' || i,
       (i * 2654435761) % 50000000,
       1700000000 + i * 60
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
INSERT INTO tags (id, name) SELECT i, 'tag-' || i FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT OR IGNORE INTO resource_tags (resource_id, tag_id)
SELECT 1 + i % 50000, 1 + (i * 7 + (i / 50000) * 13) % 50 FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO jobs (id, project_id, state, priority, run_at, attempts, payload)
SELECT i,
       1 + (i * 31) % 5000,
       CASE WHEN i % 100 < 2 THEN 'queued' WHEN i % 100 < 4 THEN 'running'
            WHEN i % 100 < 6 THEN 'failed' ELSE 'done' END,
       i % 10,
       1700000000 + i * 30,
       i % 3,
       json_object('task', 'render', 'resource', 1 + i % 50000)
FROM n;
COMMIT;
