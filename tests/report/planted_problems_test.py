"""doctor_report on the sample database with its planted problems: an unindexed foreign key, a
pinned WAL, slow queue polling and a risky pending migration. Each is reported with the right
severity, and each fix_sql, when run, makes its finding disappear on the next read.

Usage: planted_problems_test.py DOCTOR_SO SAMPLE_SQL   (Debian's /usr/bin/python3)
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

SO = os.path.realpath(sys.argv[1])[:-3]
SAMPLE = os.path.realpath(sys.argv[2])
POLL = "SELECT id, payload FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 1"
failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)
    else:
        print("ok:", message)


def findings(db, folder):
    return db.execute("SELECT area, severity, object, finding, fix_sql FROM "
                      "doctor_report('main', 'quick', ?)", (folder,)).fetchall()


def find(rows, area, needle):
    return [r for r in rows if r[0] == area and needle in (r[2] + " " + r[3])]


def main():
    work = tempfile.mkdtemp(prefix="planted-", dir=os.environ.get("TEST_TMPDIR"))
    path = os.path.join(work, "app.db")
    setup = sqlite3.connect(path)
    setup.executescript(open(SAMPLE).read())
    setup.close()
    folder = os.path.join(work, "migrations")
    os.mkdir(folder)
    with open(os.path.join(folder, "0001_drop_user_names.sql"), "w") as f:
        f.write("ALTER TABLE users DROP COLUMN name;\n")

    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(SO)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("SELECT query_stats_reset()")
    for _ in range(12):
        db.execute(POLL).fetchall()

    # Another process holds an old snapshot while the application keeps writing.
    reader = subprocess.Popen([sys.executable, "-c",
                               "import sqlite3, sys, time\n"
                               "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                               "db.execute('BEGIN'); db.execute('SELECT count(*) FROM jobs').fetchall()\n"
                               "print('reading', flush=True); time.sleep(60)\n", path],
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "reading"
    for i in range(200):
        db.execute("UPDATE jobs SET attempts = attempts + 1 WHERE id = ?", (i + 1,))
    db.execute("SELECT doctor_checkpoint('PASSIVE')")

    rows = findings(db, folder)
    fk = find(rows, "schema", "resources(project_id)")
    expect(len(fk) == 1 and fk[0][1] == "warn" and fk[0][4], "unindexed foreign key: warn with a fix")
    wal = find(rows, "wal", "")
    expect(len(wal) == 1 and wal[0][1] in ("warn", "critical"), "pinned WAL: warn or critical")
    poll = find(rows, "timing", "FROM jobs WHERE state")
    expect(len(poll) == 1 and poll[0][1] in ("info", "warn"), "queue polling: reported")
    risky = find(rows, "migrations", "0001_drop_user_names")
    expect(len(risky) >= 1 and risky[0][1] == "warn", "risky pending migration: warn")

    # The fixes, one by one; each finding is gone on the next read.
    db.execute(fk[0][4])
    expect(not find(findings(db, folder), "schema", "resources(project_id)"), "FK fix removes its finding")
    has_advisor = db.execute("SELECT count(*) FROM doctor_help WHERE name = 'index_advise'").fetchone()[0]
    if has_advisor:
        expect(poll and poll[0][4], "queue polling has a fix from index_advise")
        if poll and poll[0][4]:
            db.execute(poll[0][4])
            expect(not find(findings(db, folder), "timing", "FROM jobs WHERE state"),
                   "queue polling fix removes its finding")
    reader.kill()
    reader.wait()
    # The pin's cause is another process: once it ends, the finding goes, or what is left has a
    # checkpoint as its fix.
    wal = find(findings(db, folder), "wal", "")
    if wal:
        expect(wal[0][4], "WAL without its reader: the fix is a checkpoint")
        if wal[0][4]:
            db.execute(wal[0][4]).fetchall()
    expect(not find(findings(db, folder), "wal", ""), "the WAL finding is gone once the reader ends")
    db.close()
    shutil.rmtree(work, ignore_errors=True)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
