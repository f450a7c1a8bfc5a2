-- The indexes area through the real sqlite3 shell. Rows ending in 1 are assertions; the advice
-- itself (index_sql) is printed because it is deterministic and is what users read.
.headers off
.mode list
PRAGMA foreign_keys = ON;
CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT COLLATE NOCASE,
                   created_at INTEGER);
CREATE TABLE projects(id INTEGER PRIMARY KEY,
                      owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                      name TEXT, created_at INTEGER);
CREATE TABLE jobs(id INTEGER PRIMARY KEY,
                  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                  state TEXT NOT NULL, priority INTEGER, run_at INTEGER, attempts INTEGER,
                  payload TEXT, "due day" INTEGER AS (run_at / 86400));
INSERT INTO users SELECT value, 'user' || value || '@example.com', 'Name ' || (value % 300),
       1700000000 + value FROM generate_series(1, 3000);
INSERT INTO projects SELECT value, 1 + (value * 7) % 3000, 'project ' || value, value
  FROM generate_series(1, 9000);
INSERT INTO jobs(id, project_id, state, priority, run_at, attempts, payload)
  SELECT value, 1 + (value * 13) % 9000,
         CASE WHEN value % 40 = 0 THEN 'queued' WHEN value % 40 = 1 THEN 'running'
              WHEN value % 9 = 0 THEN 'failed' ELSE 'done' END,
         value % 5, 1700000000 + value * 60, value % 3, 'payload'
  FROM generate_series(1, 30000);
SELECT 'schema before', count(*) FROM sqlite_schema;

-- Shapes .expert handles.
SELECT 'equality', index_sql FROM index_advise('SELECT * FROM projects WHERE owner_id = 42');
SELECT 'range', index_sql FROM index_advise('SELECT id FROM users WHERE created_at > 1700002900', '{"allow_covering": false}');
SELECT 'order by limit', index_sql FROM index_advise('SELECT * FROM users ORDER BY created_at DESC LIMIT 5');
SELECT 'or terms', index_sql FROM index_advise('SELECT * FROM projects WHERE owner_id = 5 OR created_at = 77') ORDER BY 2;
SELECT 'join, transitive', index_sql FROM index_advise('SELECT * FROM projects p JOIN jobs j ON j.project_id = p.id WHERE p.owner_id = 9') ORDER BY 2;
SELECT 'rowid needs nothing', count(*) = 0 FROM index_advise('SELECT * FROM jobs WHERE id = 7 OR rowid = 9');
SELECT 'collate', index_sql FROM index_advise('SELECT id FROM users WHERE email = ''USER7@EXAMPLE.COM'' COLLATE NOCASE', '{"allow_covering": false}');
SELECT 'declared collate kept', index_sql FROM index_advise('SELECT id FROM users WHERE name = ''name 7''', '{"allow_covering": false}');
SELECT 'quoted, generated', index_sql FROM index_advise('SELECT count(*) FROM jobs WHERE "due day" = 19680');

-- What .expert does not do.
SELECT 'partial for the queue', index_sql FROM index_advise('SELECT * FROM jobs WHERE state = ''queued'' ORDER BY priority DESC, run_at LIMIT 1');
SELECT 'expression', index_sql FROM index_advise('SELECT id FROM users WHERE lower(email) = ''user9@example.com''');
SELECT 'fk cascade child', index_sql FROM index_advise('DELETE FROM users WHERE id = 17') ORDER BY 2;
SELECT 'one for two statements', index_sql, statements FROM index_advise('SELECT * FROM jobs WHERE project_id = 4; SELECT count(*) FROM jobs WHERE project_id = 5 AND state = ''done''', '{"allow_covering": false}');
SELECT 'benefit is a share', count(*) = 1 AND min(benefit) > 0.5 AND max(benefit) <= 1 FROM index_advise('SELECT * FROM projects WHERE owner_id = 42');
SELECT 'detail has plans and costs', json_extract(detail, '$[0].plan_before'), json_extract(detail, '$[0].plan_after'),
       json_extract(detail, '$[0].cost_after') * 100 < json_extract(detail, '$[0].cost_before')
  FROM index_advise('SELECT * FROM projects WHERE owner_id = 42');
SELECT 'max_indexes', count(*) FROM index_advise('SELECT * FROM projects WHERE owner_id = 4; SELECT * FROM users WHERE created_at = 5', '{"max_indexes": 1}');
SELECT 'budget too small', count(index_sql) = 0 AND max(limits) LIKE 'budget_bytes (100) kept out%' FROM index_advise('SELECT * FROM projects WHERE owner_id = 4', '{"budget_bytes": 100}');

-- The same two-column equality through the shell's .expert, for comparison: its column order is
-- arbitrary, ours puts the more selective column (project_id) first.
SELECT 'ours', index_sql FROM index_advise('SELECT count(*) FROM jobs WHERE state = ''done'' AND project_id = 4', '{"allow_covering": false, "allow_partial": false}');
.expert
SELECT count(*) FROM jobs WHERE state = 'done' AND project_id = 4;

-- index_whatif: before and after without building anything here.
SELECT 'whatif', plan_before, plan_after, cost_after * 100 < cost_before, uses
  FROM index_whatif('SELECT * FROM jobs WHERE state = ''queued'' ORDER BY priority DESC, run_at LIMIT 1',
                    'CREATE INDEX jobs_queue ON jobs(priority DESC, run_at) WHERE state = ''queued''');
SELECT 'whatif of a write', cost_after < cost_before
  FROM index_whatif('DELETE FROM projects WHERE id = 3', 'CREATE INDEX jobs_project ON jobs(project_id)');

-- index_lint.
CREATE INDEX users_created ON users(created_at);
CREATE INDEX users_created_name ON users(created_at, name);
CREATE INDEX jobs_state ON jobs(state);
-- attempts: three values, each a third of the rows (low selectivity); state's rare 'queued' is
-- selective, so jobs_state is not (issue 20 item 4).
CREATE INDEX jobs_attempts ON jobs(attempts);
SELECT 'lint, little traffic: nothing called unused', count(*) = 0 FROM index_lint WHERE kind = 'unused';
SELECT doctor_set('lint_unused_min_calls', 1), doctor_set('lint_unused_min_queries', 1), doctor_set('lint_unused_min_hours', 0);
SELECT 'lint', kind, table_name, coalesce(index_name, '-'), fix_sql FROM index_lint ORDER BY kind, table_name;
SELECT doctor_set('lint_unused_min_calls', 1000), doctor_set('lint_unused_min_queries', 10), doctor_set('lint_unused_min_hours', 24);
DROP INDEX users_created; DROP INDEX users_created_name; DROP INDEX jobs_state; DROP INDEX jobs_attempts;

-- The captured workload (query_stats of the timing area), weighted by calls.
SELECT query_stats_reset();
SELECT count(*) FROM projects WHERE owner_id = 5;
SELECT count(*) FROM projects WHERE owner_id = 6;
SELECT count(*) FROM projects WHERE owner_id = 7;
SELECT count(*) FROM jobs WHERE state = 'queued';
SELECT 'captured', index_sql, statements FROM index_advise() ORDER BY benefit DESC;

-- Comment-led statements are advised like the bare text (issue 14), and the index a plan uses
-- is matched by its exact name (idx_a is not idx_ab).
SELECT 'comment-led line', count(*) = 1 FROM index_advise('-- note
SELECT * FROM projects WHERE owner_id = 42');
SELECT 'comment-led block', count(*) = 1 FROM index_advise('/* c */ SELECT * FROM projects WHERE owner_id = 42');
SELECT 'uses exact name', uses = 'idx_ab' FROM index_whatif('SELECT * FROM jobs WHERE project_id = 3 AND state = ''done''',
  'CREATE INDEX idx_a ON jobs(run_at)', 'CREATE INDEX idx_ab ON jobs(project_id, state)');

-- Text in a blob (what the shell's readfile() returns) is text when it is UTF-8 (issue 20 item 7).
SELECT 'workload as a blob', index_sql FROM index_advise(CAST('-- from a file
SELECT * FROM projects WHERE owner_id = 42;' AS BLOB));
SELECT 'whatif sql as a blob', uses FROM index_whatif(CAST('SELECT * FROM jobs WHERE run_at = 5' AS BLOB), CAST('CREATE INDEX h ON jobs(run_at)' AS BLOB));

-- Honest limits (issue 20 item 6): a cut is said, not hidden.
SELECT 'complete advice has no limits', count(*) = 1 AND max(limits) IS NULL FROM index_advise('SELECT * FROM projects WHERE owner_id = 42');
SELECT 'time limit said', index_sql IS NULL, limits LIKE 'the search reached its time limit%' FROM index_advise('SELECT * FROM projects WHERE owner_id = 42', '{"time_limit_s": 0}');
SELECT 'step cap said', limits FROM index_advise('SELECT count(*) FROM jobs WHERE payload = ''x''', '{"step_cap": 1000}');

-- Each index as a Drizzle schema line (issue 20 item 8).
SELECT 'drizzle', drizzle FROM index_advise('SELECT * FROM jobs WHERE state = ''queued'' ORDER BY priority DESC, run_at LIMIT 1');
SELECT 'drizzle, odd name', drizzle FROM index_advise('SELECT count(*) FROM jobs WHERE "due day" = 19680');

-- Empty tables: advice from structure, marked (issue 20 item 3).
CREATE TABLE later(id INTEGER PRIMARY KEY, tenant INTEGER, created_at INTEGER);
SELECT 'structural', index_sql, basis, benefit FROM index_advise('SELECT * FROM later WHERE tenant = ? AND created_at > ?');
DROP TABLE later;

-- Nothing changed in this database.
SELECT 'schema after', count(*) FROM sqlite_schema;
SELECT 'no statistics written', count(*) = 0 FROM sqlite_schema WHERE name LIKE 'sqlite_stat%';
SELECT 'rows kept', (SELECT count(*) FROM users) = 3000 AND (SELECT count(*) FROM jobs) = 30000;

-- Bad inputs.
SELECT * FROM index_advise('SELECT * FROM nope');
SELECT * FROM index_advise('SELECT 1; SELEC 2');
SELECT * FROM index_advise('SELECT 1', 'not json');
SELECT * FROM index_advise('SELECT 1', '{"max_indexes": "three"}');
SELECT * FROM index_advise('SELECT 1', '{"allow_parital": true}');
SELECT * FROM index_advise(x'00');
SELECT * FROM index_advise(x'53454c45ff');
SELECT query_stats_reset();
SELECT * FROM index_advise();
SELECT * FROM index_whatif('SELECT 1');
SELECT * FROM index_whatif('SELECT * FROM users', 'DROP TABLE users');
SELECT * FROM index_whatif('SELECT * FROM users', 'CREATE INDEX x ON users(nope)');
SELECT * FROM index_whatif('SELECT * FROM nope', 'CREATE INDEX x ON users(email)');
