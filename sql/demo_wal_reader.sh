#!/bin/sh
# For sql/demo_wal.sql: another process opens a read transaction on build/demo.db and keeps it
# for 2 seconds (in the background), like a slow report or a backup holding an old snapshot.
(sqlite3 build/demo.db "BEGIN; SELECT count(*) FROM jobs;" ".shell sleep 2" "COMMIT;" >/dev/null &)
sleep 0.3
