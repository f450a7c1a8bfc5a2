--@ schema
CREATE TABLE docs(id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE owners(id INTEGER PRIMARY KEY, name TEXT, country TEXT);
--@ data
INSERT INTO owners SELECT value, 'owner' || value, CASE value % 4 WHEN 0 THEN 'DE' ELSE 'US' END FROM seq WHERE value <= 3000;
INSERT INTO docs SELECT value, 1 + (h(value) * h(value) % 1000003) % 3000, 1700000000 + value * 11,
  json_object('type', CASE h(value + 1) % 5 WHEN 0 THEN 'invoice' WHEN 1 THEN 'order' WHEN 2 THEN 'note' WHEN 3 THEN 'ticket' ELSE 'quote' END,
    'status', CASE WHEN value % 30 = 0 THEN 'open' ELSE 'closed' END,
    'total', h(value + 2) % 100000,
    'customer', json_object('id', 1 + h(value + 3) % 5000, 'tier', CASE value % 9 WHEN 0 THEN 'gold' ELSE 'basic' END),
    'ref', 'R-' || value) FROM seq WHERE value <= 40000;
--@ workload
SELECT id FROM docs WHERE json_extract(body, '$.type') = 'invoice' AND json_extract(body, '$.status') = 'open';
SELECT * FROM docs WHERE json_extract(body, '$.customer.id') = 1234;
SELECT id, created_at FROM docs WHERE owner_id = 77 AND json_extract(body, '$.status') = 'open' ORDER BY created_at DESC;
SELECT id, json_extract(body, '$.total') FROM docs WHERE json_extract(body, '$.type') = 'order' ORDER BY json_extract(body, '$.total') DESC LIMIT 10;
SELECT json_extract(body, '$.type'), count(*) FROM docs WHERE created_at >= 1700300000 GROUP BY json_extract(body, '$.type');
SELECT * FROM docs WHERE json_extract(body, '$.ref') = 'R-31337';
UPDATE docs SET body = json_set(body, '$.status', 'closed') WHERE id = 2024;
SELECT count(*) FROM docs d JOIN owners o ON o.id = d.owner_id WHERE o.country = 'DE' AND json_extract(d.body, '$.customer.tier') = 'gold';
SELECT * FROM docs WHERE owner_id = 12 ORDER BY created_at DESC LIMIT 20;
INSERT INTO docs(owner_id, created_at, body) VALUES (5, 1701000000, '{"type":"note","status":"open","total":0}');
DELETE FROM docs WHERE json_extract(body, '$.status') = 'closed' AND created_at < 1700000500
