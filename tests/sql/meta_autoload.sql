-- doctor_autoload(): load, autoload, close the loading connection, open another, use it.
.headers off
.mode list
SELECT 'autoload', doctor_autoload() LIKE 'autoload on%';
.open second.db
SELECT 'second connection has doctor', doctor_version() GLOB '[0-9]*';
.open third.db
SELECT 'third connection has doctor', count(*) > 0 FROM doctor_help;
-- DIRECTONLY: a schema object cannot call it.
CREATE VIEW sneaky AS SELECT doctor_autoload();
SELECT * FROM sneaky;
