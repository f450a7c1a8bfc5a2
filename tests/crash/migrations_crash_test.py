"""Crash safety of migrate_dir: a child process applying a folder of migrations is killed with
SIGKILL at a random moment, over and over. After every kill the database must hold each
migration entirely or not at all, the journal must agree with the schema, and
PRAGMA integrity_check must say ok. Finally a clean run applies what is left, exactly once.

Usage: migrations_crash_test.py DOCTOR_SO [TRIALS]   (Debian's /usr/bin/python3)
"""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

SO = os.path.realpath(sys.argv[1])
TRIALS = int(sys.argv[2]) if len(sys.argv) > 2 else 120
MIGRATIONS = 12
ROWS = 20000  # per migration: enough work that kills land inside migrations


def write_folder(folder):
    os.makedirs(folder)
    for i in range(1, MIGRATIONS + 1):
        with open(os.path.join(folder, f"{i:04d}_step{i}.sql"), "w") as f:
            f.write(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, v TEXT);\n"
                    f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {ROWS})\n"
                    f"INSERT INTO t{i} (v) SELECT printf('%08d', x) FROM n;\n"
                    f"CREATE INDEX t{i}_v ON t{i}(v);\n"
                    f"UPDATE marker SET last = {i};\n")


CHILD = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.enable_load_extension(True)
db.load_extension(sys.argv[2])
db.execute("PRAGMA busy_timeout = 5000")
print("loaded", flush=True)
print(db.execute("SELECT migrate_dir(?)", (sys.argv[3],)).fetchone()[0], flush=True)
"""


def fresh_database(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE marker (last INTEGER)")
    db.execute("INSERT INTO marker VALUES (0)")
    db.commit()
    db.close()


def check(path, trial):
    db = sqlite3.connect(path)
    problems = []
    if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        problems.append("integrity_check is not ok")
    journal = {name for (name,) in db.execute("SELECT name FROM doctor_migrations")} \
        if db.execute("SELECT 1 FROM sqlite_schema WHERE name = 'doctor_migrations'").fetchone() else set()
    last = db.execute("SELECT last FROM marker").fetchone()[0]
    applied = 0
    for i in range(1, MIGRATIONS + 1):
        exists = db.execute("SELECT 1 FROM sqlite_schema WHERE name = ?", (f"t{i}",)).fetchone()
        journaled = any(name.startswith(f"{i:04d}_step{i}") for name in journal)
        if exists:
            applied += 1
            rows = db.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
            index = db.execute("SELECT 1 FROM sqlite_schema WHERE name = ?", (f"t{i}_v",)).fetchone()
            if rows != ROWS or not index:
                problems.append(f"migration {i} half applied: {rows} rows, index {bool(index)}")
        if bool(exists) != journaled:
            problems.append(f"migration {i}: table exists={bool(exists)} but journaled={journaled}")
    if last != applied:
        problems.append(f"marker says {last} applied, tables say {applied}")
    db.close()
    return [f"trial {trial}: {p}" for p in problems], applied


def start_child(path, folder):
    """Starts a child that applies the folder; returns once it has loaded the extension."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, path, SO[:-3], folder],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if child.stdout.readline().strip() != "loaded":
        raise SystemExit(f"child did not start: {child.stderr.read()}")
    return child


def main():
    work = tempfile.mkdtemp(prefix="crash-", dir=os.environ.get("TEST_TMPDIR"))
    folder = os.path.join(work, "migrations")
    write_folder(folder)
    path = os.path.join(work, "app.db")
    fresh_database(path)
    # Calibrate: how long migrate_dir takes on this machine now, so kills land inside it. Timed
    # from the child's "loaded" line: starting a process varies too much (sanitizers, load).
    child = start_child(path, folder)
    started = time.monotonic()
    _, errors = child.communicate(timeout=300)
    if child.returncode != 0:
        raise SystemExit(f"calibration run failed: {errors}")
    full_run_s = time.monotonic() - started
    fresh_database(path)
    rng = random.Random(20261124)
    failures, kills = [], 0
    seen = {}  # migrations applied when a kill landed -> trials
    for trial in range(TRIALS):
        child = start_child(path, folder)
        # A little past the whole run, so some trials also end after the commit.
        time.sleep(rng.uniform(0.0, 1.25 * full_run_s))
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            kills += 1
        child.communicate()
        problems, applied = check(path, trial)
        failures += problems
        seen[applied] = seen.get(applied, 0) + 1
        if applied == MIGRATIONS:  # start over so later trials also land mid-run
            fresh_database(path)
    # A clean run finishes the job: everything applied exactly once.
    out = subprocess.run([sys.executable, "-c", CHILD, path, SO[:-3], folder], capture_output=True,
                         text=True, timeout=120)
    if out.returncode != 0:
        failures.append(f"final clean run failed: {out.stderr.strip()[-300:]}")
    problems, applied = check(path, "final")
    failures += problems
    if applied != MIGRATIONS:
        failures.append(f"final: {applied} of {MIGRATIONS} applied")
    shutil.rmtree(work, ignore_errors=True)
    for f in failures[:30]:
        print("FAIL:", f)
    print(f"migrate_dir of the whole folder takes {full_run_s:.2f} s; {TRIALS} trials, {kills} killed mid-run; migrations applied when killed -> trials: "
          f"{dict(sorted(seen.items()))}")
    if len(seen) < 2:
        failures.append(f"kills landed at too few points: {seen}")
    if kills < TRIALS // 3:
        print("FAIL: too few kills landed mid-run to mean anything")
        failures.append("few kills")
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
