-- The meta area through the real sqlite3 shell: every row ends in 1 when its assertion holds.
.headers off
.mode list
SELECT 'version is semver', doctor_version() GLOB '[0-9]*.[0-9]*.[0-9]*';
SELECT 'debug is json', json_valid(doctor_debug());
SELECT 'runs on this sqlite', json_extract(doctor_debug(), '$.sqlite_runtime') = sqlite_version();
SELECT 'help lists itself', count(*) FROM doctor_help WHERE name = 'doctor_help' AND kind = 'table';
SELECT 'every function is in help', count(*) = 0 FROM doctor_help h
  WHERE h.kind = 'function' AND h.name NOT IN (SELECT name FROM pragma_function_list);
SELECT 'no function outside help', count(*) = 0 FROM pragma_function_list f
  WHERE (f.name LIKE 'doctor%' OR f.name IN ('migrate', 'index_advise')) AND f.name NOT IN (SELECT name FROM doctor_help);
SELECT name, kind, flags FROM doctor_help ORDER BY kind, name;
-- Loading twice into one connection is harmless.
.load ./doctor
SELECT 'still one doctor_version', doctor_version() = (SELECT doctor_version());
-- Bad input gets a clear error, never a crash.
SELECT doctor_set('nope', 1);
SELECT doctor_set(NULL, 1);
SELECT doctor_set('nope');
SELECT * FROM doctor_config WHERE name = 'nope';
