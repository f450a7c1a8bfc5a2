-- The built-in sample database: a small Drizzle + better-sqlite3 style application in WAL mode.
-- Deterministic data (no random()): the same file every time. Planted problems for the doctor to
-- find: projects.owner_id and resources.project_id have no index (cascading deletes scan), and the
-- job queue is polled with `WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1`, which
-- no index serves.
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;

BEGIN;
-- The schema is exactly sql/migrations/0000_initial.sql (drizzle-kit's output), so the demo's
-- migrate_baseline is honest and schema_drift shows only what was changed by hand.
CREATE TABLE `users` (
	`id` integer PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY NOT NULL,
	`owner_id` integer NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
CREATE TABLE `resources` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
CREATE TABLE `tags` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);
CREATE UNIQUE INDEX `tags_name_unique` ON `tags` (`name`);
CREATE TABLE `resource_tags` (
	`resource_id` integer NOT NULL,
	`tag_id` integer NOT NULL,
	PRIMARY KEY(`resource_id`, `tag_id`),
	FOREIGN KEY (`resource_id`) REFERENCES `resources`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tag_id`) REFERENCES `tags`(`id`) ON UPDATE no action ON DELETE cascade
);
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` integer,
	`state` text DEFAULT 'queued' NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`run_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`payload` text,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
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
