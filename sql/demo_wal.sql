-- WAL health on the sample database: what the WAL is doing, who pins it, what to do.
-- Run from the repository root: sqlite3 build/demo.db -cmd ".load bazel-bin/doctor" < sql/demo_wal.sql
.mode box --wrap 72 --wordwrap on
.print
.print '== WAL health now (SELECT * FROM wal_health)'
SELECT schema, journal_mode, wal_frames, backfilled_frames AS backfilled, pending_frames AS pending,
       readers, wal_bytes, status, advice
FROM wal_health;
.print
.print '== A reader in another process holds an old snapshot while the app keeps writing'
.shell sh sql/demo_wal_reader.sh
UPDATE jobs SET attempts = attempts + 1 WHERE state = 'queued';
SELECT doctor_checkpoint('PASSIVE') AS "doctor_checkpoint('PASSIVE')";
SELECT wal_frames, backfilled_frames AS backfilled, pending_frames AS pending, readers,
       oldest_reader_frame AS oldest_reader, status, advice
FROM wal_health('main');
.print
.print '== The reader is gone: the next checkpoint catches up'
.shell sleep 2.5
SELECT json_extract(doctor_checkpoint('PASSIVE'), '$.result') AS checkpoint;
SELECT wal_frames, backfilled_frames AS backfilled, pending_frames AS pending, readers,
       checkpoints, commits_since_checkpoint, status
FROM wal_health('main');
.print
.print '== A transaction left open in this process (open_transactions; doctor_report flags old ones)'
BEGIN;
.output /dev/null
SELECT count(*) FROM jobs WHERE state = 'queued';
.output stdout
SELECT connection, this_connection, schema, state, mode, age_ms >= 0 AS aged, begin_statement,
       first_statement
  FROM open_transactions;
COMMIT;
.print
.print '== Checkpoints this process ran or saw (SELECT * FROM wal_checkpoints)'
SELECT mode, round(ms, 2) AS ms, busy, log_frames, checkpointed_frames, wal_bytes_after
FROM wal_checkpoints;
.print
.print '== Known problems of this SQLite (doctor_known_issues; doctor_report turns them into findings)'
SELECT issue, affected, summary, fix FROM doctor_known_issues;
