--@ schema
CREATE TABLE tenants(id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, plan TEXT NOT NULL, created_at INTEGER);
CREATE TABLE users(id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  email TEXT NOT NULL, role TEXT NOT NULL, last_login INTEGER, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE projects(id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL, name TEXT, archived INTEGER NOT NULL, updated_at INTEGER);
CREATE TABLE invoices(id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  status TEXT NOT NULL, amount_cents INTEGER, issued_at INTEGER, due_at INTEGER);
CREATE TABLE audit(id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, user_id INTEGER, action TEXT, at INTEGER);
--@ data
INSERT INTO tenants SELECT value, 'tenant-' || value, CASE value % 10 WHEN 0 THEN 'enterprise' WHEN 1 THEN 'pro' ELSE 'free' END,
  1600000000 + value * 1000 FROM seq WHERE value <= 2000;
INSERT INTO users SELECT value, 1 + (h(value) * h(value) % 1000003) % 2000, 'u' || value || '@mail.test',
  CASE WHEN value % 20 = 0 THEN 'admin' ELSE 'member' END, 1700000000 + h(value + 1) % 1000000,
  CASE WHEN value % 50 = 0 THEN 1 ELSE 0 END FROM seq WHERE value <= 30000;
INSERT INTO projects SELECT value, 1 + (h(value + 2) * h(value + 2) % 1000003) % 2000, 1 + h(value + 3) % 30000,
  'project ' || value, CASE WHEN value % 8 = 0 THEN 1 ELSE 0 END, 1700000000 + h(value + 4) % 1000000
  FROM seq WHERE value <= 40000;
INSERT INTO invoices SELECT value, 1 + h(value + 5) % 2000,
  CASE WHEN value % 40 = 0 THEN 'overdue' WHEN value % 9 = 0 THEN 'open' ELSE 'paid' END,
  h(value + 6) % 100000, 1650000000 + value * 1000, 1650000000 + value * 1000 + 2592000 FROM seq WHERE value <= 40000;
INSERT INTO audit SELECT value, 1 + (h(value + 7) * h(value + 7) % 1000003) % 2000, 1 + h(value + 8) % 30000,
  CASE value % 4 WHEN 0 THEN 'login' WHEN 1 THEN 'update' WHEN 2 THEN 'create' ELSE 'delete' END,
  1700000000 + value * 7 FROM seq WHERE value <= 80000;
--@ workload
SELECT * FROM tenants WHERE slug = 'tenant-42';
SELECT * FROM users WHERE tenant_id = 42 AND email = 'u1234@mail.test';
SELECT id, email, role FROM users WHERE tenant_id = 7 AND disabled = 0 ORDER BY email LIMIT 50;
SELECT count(*) FROM users WHERE tenant_id = 3 AND role = 'admin';
SELECT * FROM projects WHERE tenant_id = 5 AND archived = 0 ORDER BY updated_at DESC LIMIT 20;
SELECT p.name, u.email FROM projects p JOIN users u ON u.id = p.owner_id WHERE p.tenant_id = 9 AND p.archived = 0;
UPDATE projects SET updated_at = 1701000000, name = 'renamed' WHERE id = 2222 AND tenant_id = 11;
UPDATE users SET last_login = 1701000000 WHERE id = 1500;
SELECT * FROM invoices WHERE tenant_id = 12 ORDER BY issued_at DESC LIMIT 10;
SELECT tenant_id, sum(amount_cents) FROM invoices WHERE status = 'overdue' AND due_at < 1690000000 GROUP BY tenant_id;
SELECT t.slug, count(u.id) FROM tenants t LEFT JOIN users u ON u.tenant_id = t.id WHERE t.plan = 'enterprise' GROUP BY t.id;
SELECT * FROM audit WHERE tenant_id = 4 AND at >= 1700100000 ORDER BY at DESC LIMIT 100;
SELECT action, count(*) FROM audit WHERE tenant_id = 8 GROUP BY action;
INSERT INTO audit(tenant_id, user_id, action, at) VALUES (4, 99, 'login', 1701000001);
DELETE FROM users WHERE id = 2345;
DELETE FROM tenants WHERE id = 1999;
SELECT * FROM projects WHERE owner_id = 321
