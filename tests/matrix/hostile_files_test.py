"""The hostile-file matrix (issue 17): every class of hostile migration input against every entry
point that reads it. A migration that cannot be used must be a clear error naming its file (and
why), never a hang, a crash or a skip, and nothing of the folder may be applied or journaled.

Classes of a migration file, each placed as the middle migration of a folder in each layout
(plain NNNN_name.sql, drizzle-kit meta/_journal.json + <tag>.sql, Drizzle 1.0's folder per
migration) and as a plain folder's down migration:
  FIFO (must not block), link to /dev/zero (must not read forever), dangling link, looping link,
  a folder named like a migration, unreadable (chmod 000; as root, where permissions do not stop
  reads, a link to /proc/self/mem, whose read fails with EIO), over the 64 MiB cap (sparse), a NUL
  byte (named with its byte offset).
Classes of a folder: drizzle-kit's _journal.json listing a tag twice, _journal.json a FIFO or a
link to /dev/zero.
Classes of migration text: a NUL byte given to migrate() or migrate_check(); a migration that
fails after `PRAGMA reverse_unordered_selects=ON` / `recursive_triggers=ON` (migrate, migrate_dir,
migrate_revert): nothing applied and the connection's settings put back; one that asks for
`PRAGMA journal_mode=OFF` (a migration without a rollback journal): refused before anything runs.

Entry points: migrate_dir, migrate_baseline, migration_status (an `error` row naming the file
between the pending ones), doctor_report's migrations argument (a finding naming it),
schema_drift (reads only the journal's migrations: it must still answer, without touching the
file), migrate_revert (for down migrations), migrate and migrate_check (for text).

Each (class, layout) runs in a child process with a deadline, so a hang or a crash is named
instead of stopping the run.
Usage: hostile_files_test.py DOCTOR_SO   (Debian's /usr/bin/python3: it can load extensions)
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

SO = os.path.realpath(sys.argv[1])
CHILD_TIMEOUT_S = 60
CAP = 64 << 20


# --- classes of a migration file: (make(path), what the error must say) -------------------------

def make_fifo(p):
    os.mkfifo(p)


def make_dev_zero(p):
    os.symlink("/dev/zero", p)


def make_dangling(p):
    os.symlink("/nonexistent/dir/x.sql", p)


def make_looping(p):
    os.symlink(p, p)


def make_folder(p):
    os.mkdir(p)


def make_unreadable(p):
    if os.geteuid() == 0:  # root reads a chmod 000 file; this read fails whoever you are
        os.symlink("/proc/self/mem", p)
    else:
        with open(p, "w") as f:
            f.write("CREATE TABLE b(x);")
        os.chmod(p, 0)


def make_oversize(p):
    with open(p, "wb") as f:
        f.truncate(CAP + 1)  # sparse: no disk used


def make_nul(p):
    with open(p, "wb") as f:
        f.write(b"CREATE TABLE b(x);\0DROP TABLE a; CREATE TABLE after_nul(x);")


FILE_CLASSES = {
    "FIFO": (make_fifo, "is a FIFO, not a regular file"),
    "link to /dev/zero": (make_dev_zero, "is a character device, not a regular file"),
    "dangling link": (make_dangling, "is a dangling symbolic link"),
    "looping link": (make_looping, "is a symbolic link that loops"),
    "folder named like a migration": (make_folder, "is a folder, not a regular file"),
    "unreadable": (make_unreadable,
                   "Input/output error" if os.geteuid() == 0 else "Permission denied"),
    "over the size cap": (make_oversize, f"is {CAP + 1} bytes, over the {CAP}-byte limit"),
    "NUL byte": (make_nul, "has a NUL byte at byte offset 18"),
}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def drizzle_journal(folder, tags):
    entries = [{"idx": i, "version": "6", "when": 1700000000000 + i, "tag": t, "breakpoints": True}
               for i, t in enumerate(tags)]
    write(os.path.join(folder, "meta", "_journal.json"), json.dumps({"entries": entries}))


# Each layout: (names of its three migrations, path of migration i's file in `folder`).
LAYOUTS = {
    "plain": (["0001_a", "0002_b", "0003_c"], lambda d, n: os.path.join(d, n + ".sql")),
    "drizzle-kit": (["0000_a", "0001_b", "0002_c"], lambda d, n: os.path.join(d, n + ".sql")),
    "drizzle-folders": (["20240101000000_a", "20240102000000_b", "20240103000000_c"],
                        lambda d, n: os.path.join(d, n, "migration.sql")),
}


def make_tree(layout, make_middle):
    """A folder in `layout` whose middle migration's file is made by make_middle(path)."""
    folder = tempfile.mkdtemp(prefix="hostile-")
    names, file_of = LAYOUTS[layout]
    if layout == "drizzle-kit":
        drizzle_journal(folder, names)
    for i, name in enumerate(names):
        path = file_of(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if i == 1:
            make_middle(path)
        else:
            write(path, f"CREATE TABLE {name[-1]}(x);")
    return folder, names, file_of(folder, names[1])


# --- checks -------------------------------------------------------------------------------------

class Failures:
    def __init__(self, label):
        self.label, self.items = label, []

    def check(self, ok, what):
        if not ok:
            self.items.append(f"{self.label}: {what}")


def connect(path=":memory:"):
    db = sqlite3.connect(path, isolation_level=None, timeout=1)
    db.enable_load_extension(True)
    db.load_extension(SO[: -len(".so")])
    return db


def error_of(db, sql, args=()):
    try:
        db.execute(sql, args).fetchall()
    except sqlite3.Error as e:
        return str(e)
    return None


def applied_nothing(db):
    """No table of the folder exists, and no journal (ours or Drizzle's) has a row."""
    tables = {n for (n,) in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    made = tables & {"a", "b", "c", "after_nul"}
    journaled = 0
    for journal in ("doctor_migrations", "__drizzle_migrations"):
        if journal in tables:
            journaled += db.execute(f'SELECT count(*) FROM "{journal}"').fetchone()[0]
    return not made and journaled == 0


def check_folder_entry_points(fail, folder, names, bad_file, why):
    bad = names[1]
    db = connect()
    # migrate_dir and migrate_baseline refuse the whole folder, naming the migration and its file.
    for fn in ("migrate_dir", "migrate_baseline"):
        err = error_of(db, f"SELECT {fn}(?)", (folder,))
        fail.check(err is not None and f"migration '{bad}'" in err and bad_file in err and why in err
                   and "nothing was run" in err, f"{fn}: {err!r}")
        fail.check(applied_nothing(db), f"{fn} applied or journaled something")
    # migration_status lists it as an error, in its place, naming the file and why.
    try:
        rows = db.execute("SELECT name, status, note FROM migration_status(?)", (folder,)).fetchall()
    except sqlite3.Error as e:
        rows = [("error", str(e), "")]
    got = [(n, s) for n, s, _ in rows]
    fail.check(got == [(names[0], "pending"), (bad, "error"), (names[2], "pending")],
               f"migration_status rows: {got}")
    notes = [note or "" for n, s, note in rows if s == "error"]
    fail.check(len(notes) == 1 and bad_file in notes[0] and why in notes[0],
               f"migration_status note: {notes}")
    # doctor_report's migrations argument: a finding names it.
    try:
        findings = db.execute("SELECT object, finding FROM doctor_report('main', 'quick', ?) "
                              "WHERE area = 'migrations'", (folder,)).fetchall()
    except sqlite3.Error as e:
        findings = [("error", str(e))]
    fail.check(any(obj == bad and bad_file in text for obj, text in findings),
               f"doctor_report findings: {findings}")
    # schema_drift reads only the journal's migrations: it answers, and the file is not read.
    err = error_of(db, "SELECT * FROM schema_drift(?)", (folder,))
    fail.check(err is None, f"schema_drift: {err!r}")
    fail.check(applied_nothing(db), "something was applied")
    db.close()


def check_down_migration(fail, make, why):
    """The class as a plain folder's down migration: migrate_revert refuses, reverting nothing."""
    folder = tempfile.mkdtemp(prefix="hostile-down-")
    try:
        write(os.path.join(folder, "0001_a.sql"), "CREATE TABLE a(x);")
        make(os.path.join(folder, "0001_a.down.sql"))
        db = connect()
        db.execute("SELECT migrate_dir(?)", (folder,)).fetchall()
        err = error_of(db, "SELECT migrate_revert('0001_a', ?)", (folder,))
        fail.check(err is not None and "0001_a.down.sql" in err and why in err,
                   f"migrate_revert: {err!r}")
        left = db.execute("SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'after_nul')"
                          " UNION ALL SELECT count(*) FROM doctor_migrations WHERE kind = 'revert'"
                          ).fetchall()
        fail.check(left == [(1,), (0,)], f"after a refused revert: {left}")
        db.close()
    finally:
        remove(folder)


def remove(folder):
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    shutil.rmtree(folder, ignore_errors=True)


def run_file_class(name, layout):
    make, why = FILE_CLASSES[name]
    fail = Failures(f"{name} × {layout}")
    folder, names, bad_file = make_tree(layout, make)
    try:
        check_folder_entry_points(fail, folder, names, bad_file, why)
    finally:
        remove(folder)
    if layout == "plain":
        check_down_migration(Failures(f"{name} × down migration"), make, why)
    return fail.items


def make_journal_twice(folder):
    drizzle_journal(folder, ["0000_a", "0001_b", "0000_a"])


def make_journal_fifo(folder):
    os.makedirs(os.path.join(folder, "meta"))
    os.mkfifo(os.path.join(folder, "meta", "_journal.json"))


def make_journal_dev_zero(folder):
    os.makedirs(os.path.join(folder, "meta"))
    os.symlink("/dev/zero", os.path.join(folder, "meta", "_journal.json"))


FOLDER_CLASSES = {
    "journal lists a tag twice": (make_journal_twice, "entry 2 lists the tag '0000_a' of entry 0 again"),
    "journal is a FIFO": (make_journal_fifo, "is a FIFO, not a regular file"),
    "journal links to /dev/zero": (make_journal_dev_zero, "is a character device, not a regular file"),
}


def run_folder_class(name):
    make, why = FOLDER_CLASSES[name]
    fail = Failures(name)
    folder = tempfile.mkdtemp(prefix="hostile-journal-")
    try:
        for tag in ("0000_a", "0001_b"):
            write(os.path.join(folder, tag + ".sql"), f"CREATE TABLE {tag[-1]}(x);")
        make(folder)
        db = connect()
        for sql in ("SELECT migrate_dir(?)", "SELECT migrate_baseline(?)",
                    "SELECT * FROM migration_status(?)", "SELECT * FROM schema_drift(?)",
                    "SELECT * FROM doctor_report('main', 'quick', ?)"):
            err = error_of(db, sql, (folder,))
            fail.check(err is not None and "_journal.json" in err and why in err, f"{sql}: {err!r}")
            fail.check(applied_nothing(db), f"{sql} applied or journaled something")
        db.close()
    finally:
        remove(folder)
    return fail.items


NUL_TEXT = "'CREATE TABLE a(x);' || char(0) || 'DROP TABLE a; CREATE TABLE after_nul(x);'"


def run_text_classes():
    fail = Failures("NUL byte in text")
    db = connect()
    err = error_of(db, f"SELECT migrate('0001_nul', {NUL_TEXT})")
    # Refused for every text argument (core Args::Text), before anything runs.
    nul = "argument 'sql' must be text without NUL bytes, got a NUL byte at offset 18"
    fail.check(err is not None and nul in err, f"migrate: {err!r}")
    err = error_of(db, f"SELECT * FROM migrate_check({NUL_TEXT})")
    fail.check(err is not None and nul in err, f"migrate_check: {err!r}")
    fail.check(applied_nothing(db), "something was applied")
    db.close()
    return fail.items + run_failed_migration_classes()


# A migration that changes connection settings and then fails.
FAILING = ("PRAGMA reverse_unordered_selects=ON; PRAGMA recursive_triggers=ON; CREATE TABLE a(x); "
           "SELECT * FROM nope;")
# A migration that would run without a rollback journal: refused, whatever follows.
NO_JOURNAL = "PRAGMA journal_mode=OFF; CREATE TABLE a(x);"


def run_failed_migration_classes():
    fail = Failures("failed migration")
    work = tempfile.mkdtemp(prefix="hostile-failed-")
    try:
        folder = os.path.join(work, "m")
        write(os.path.join(folder, "0001_bad.sql"), FAILING)
        revert = os.path.join(work, "r")
        write(os.path.join(revert, "0001_a.sql"), "CREATE TABLE a(x);")
        write(os.path.join(revert, "0001_a.down.sql"), FAILING.replace("CREATE TABLE a(x)",
                                                                       "DROP TABLE a"))
        db = connect(os.path.join(work, "app.db"))
        db.execute("PRAGMA recursive_triggers = OFF")
        cases = [("migrate", "SELECT migrate('0001_bad', ?)", (FAILING,), "nothing was applied"),
                 ("migrate_dir", "SELECT migrate_dir(?)", (folder,), "no such table: nope"),
                 ("no journal", "SELECT migrate('0001_nj', ?)", (NO_JOURNAL,),
                  "the journal mode (now delete) cannot change")]
        for label, sql, args, says in cases:
            err = error_of(db, sql, args)
            fail.check(err is not None and says in err, f"{label}: {err!r}")
            fail.check(applied_nothing(db), f"{label} applied or journaled something")
            settings = (db.execute("PRAGMA journal_mode").fetchone()[0],
                        db.execute("PRAGMA reverse_unordered_selects").fetchone()[0],
                        db.execute("PRAGMA recursive_triggers").fetchone()[0])
            fail.check(settings == ("delete", 0, 0), f"{label} left the settings at {settings}")
        db.execute("SELECT migrate_dir(?)", (revert,)).fetchall()
        err = error_of(db, "SELECT migrate_revert('0001_a', ?)", (revert,))
        fail.check(err is not None and "no such table: nope" in err, f"migrate_revert: {err!r}")
        left = db.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'a'").fetchone()[0]
        settings = (db.execute("PRAGMA journal_mode").fetchone()[0],
                    db.execute("PRAGMA reverse_unordered_selects").fetchone()[0],
                    db.execute("PRAGMA recursive_triggers").fetchone()[0])
        fail.check(left == 1 and settings == ("delete", 0, 0),
                   f"migrate_revert: table a {left}, settings {settings}")
        db.close()
    finally:
        remove(work)
    return fail.items


def child(kind, name, layout):
    if kind == "file":
        items = run_file_class(name, layout)
    elif kind == "folder":
        items = run_folder_class(name)
    else:
        items = run_text_classes()
    print(json.dumps(items))


def main():
    runs = [("file", n, l) for n in FILE_CLASSES for l in LAYOUTS]
    runs += [("folder", n, "drizzle-kit") for n in FOLDER_CLASSES]
    runs += [("text", "text", "-")]
    failures = []
    for kind, name, layout in runs:
        label = f"{name} × {layout}"
        try:
            p = subprocess.run([sys.executable, __file__, SO, "--child", kind, name, layout],
                               capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            failures.append(f"{label}: no answer within {CHILD_TIMEOUT_S} s (a hang)")
            continue
        if p.returncode != 0:
            failures.append(f"{label}: child exited {p.returncode}: {p.stderr[-2000:]}")
            continue
        failures += json.loads(p.stdout.strip().splitlines()[-1])
    print(f"{len(runs)} class × layout runs, {len(failures)} failures")
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--child":
        child(*sys.argv[3:6])
    else:
        main()
