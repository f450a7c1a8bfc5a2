#!/bin/sh
# For sql/demo_wal.sql: another process opens a read transaction on build/demo.db and keeps it
# for 2 seconds (in the background), like a slow report or a backup holding an old snapshot.
# Returns once the reader holds its snapshot.
marker=build/.demo_wal_reader
rm -f "$marker"
(sqlite3 build/demo.db "BEGIN; SELECT count(*) FROM jobs;" ".shell touch $marker" ".shell sleep 2" \
  "COMMIT;" >/dev/null &)
i=0
while [ ! -f "$marker" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
rm -f "$marker"
