"""Lock waits are counted with Python's sqlite3 defaults (timeout=5.0: SQLite's own busy timeout of
5000 ms), without any doctor_set, and the wait in force stays the application's.

Usage: busy_python_test.py DOCTOR_SO   (Debian's /usr/bin/python3)
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

SO = os.path.realpath(sys.argv[1])

HOLDER = r"""
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN IMMEDIATE'); c.execute('INSERT INTO t VALUES (0)')
print('held', flush=True); time.sleep(float(sys.argv[2])); c.execute('COMMIT')
"""


def hold_write_lock(path, seconds):
    """Another process holding the write lock of `path` for `seconds`, once it holds it."""
    child = subprocess.Popen([sys.executable, "-c", HOLDER, path, str(seconds)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def connect(path, **kwargs):
    c = sqlite3.connect(path, isolation_level=None, **kwargs)
    c.enable_load_extension(True)
    c.load_extension(SO)
    return c


def mine(c):
    return c.execute("SELECT handler, timeout_ms, busy_waits, busy_errors "
                     "FROM lock_stats_connections WHERE this_connection").fetchone()


def timed_insert(c):
    start = time.monotonic()
    try:
        c.execute("INSERT INTO t VALUES (1)")
        error = None
    except sqlite3.OperationalError as e:
        error = str(e)
    return (time.monotonic() - start) * 1000, error


def main():
    folder = tempfile.mkdtemp(prefix="doctor-locks-")
    path = os.path.join(folder, "app.db")
    db = connect(path)  # Python's default timeout: 5 s
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t(x)")
    assert mine(db) == ("doctor", 5000, 0, 0), mine(db)

    holder = hold_write_lock(path, 0.4)
    ms, error = timed_insert(db)
    holder.wait()
    assert error is None, error
    assert ms >= 250, ms
    assert mine(db) == ("doctor", 5000, 1, 0), mine(db)
    waits, wait_ms = db.execute(
        "SELECT busy_waits, wait_ms FROM lock_stats WHERE schema = 'main'").fetchone()
    assert waits == 1 and wait_ms >= 250, (waits, wait_ms)

    # The application's timeout stays the wait in force, with doctor as without it.
    short = connect(path, timeout=0.25)
    plain = sqlite3.connect(path, isolation_level=None, timeout=0.25)
    holder = hold_write_lock(path, 1.5)
    counted_ms, counted_error = timed_insert(short)
    plain_ms, plain_error = timed_insert(plain)
    holder.wait()
    assert counted_error == plain_error == "database is locked", (counted_error, plain_error)
    assert 240 <= counted_ms < 1000, counted_ms
    assert abs(counted_ms - plain_ms) < 80, (counted_ms, plain_ms)
    assert mine(short) == ("doctor", 250, 1, 1), mine(short)
    for c in (short, plain, db):
        c.close()
    print("ok: waits counted with Python's default timeout; waits as long as without doctor")


if __name__ == "__main__":
    main()
