"""The bad-input matrix, generated from doctor_help: every function and table-valued function is
called with NULL, wrong types, empty text, a 10 MB text, malformed SQL, nonexistent and unreadable
paths and awkward identifiers, on a read-write, a read-only and an attached database. Each call
must either work or raise a clear SQLite error; none may crash, hang, or change the user's data.

Each object runs in a child process, so a crash is caught and named instead of killing the run.
Usage: bad_input_test.py DOCTOR_SO   (Debian's /usr/bin/python3: it can load extensions)
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

SO = os.path.realpath(sys.argv[1])
PER_OBJECT_TIMEOUT_S = 120

BAD_VALUES = {
    "NULL": None,
    "integer": 7,
    "negative": -1,
    "real": 1.5,
    "blob": b"\x00\xffblob",
    "empty text": "",
    "10 MB text": "x" * (10 * 1024 * 1024),
    "malformed SQL": "SELEC * FRM nowhere WHERE (",
    "SQL with quotes": "SELECT 'it''s' AS \"we\"\"ird\"; -- trailing comment",
    "nonexistent path": "/nonexistent/dir/file.sql",
    "unreadable path (a directory)": "<unreadable>",
    "identifier with quote": 'we"ird \'name',
    "identifier with space": "user data",
    "non-ASCII identifier": "tåble_ünïcode",
    "JSON garbage": "{\"max_indexes\": \"lots\", [",
}

# The user's data: these tables' contents must never change because of a bad call.
SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT);
CREATE TABLE "user data" (id INTEGER PRIMARY KEY, "we""ird 'name" TEXT, "tåble_ünïcode" TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
                     total REAL);
CREATE INDEX orders_total ON orders(total);
INSERT INTO users (email, name) SELECT 'u' || value || '@x', 'n' || value FROM json_each('[1,2,3,4,5]');
INSERT INTO orders (user_id, total) SELECT 1 + value % 5, value * 1.5 FROM json_each('[1,2,3,4,5,6,7,8]');
INSERT INTO "user data" VALUES (1, 'a', 'b');
"""

USER_TABLES = ["users", "user data", "orders"]


def data_digest(db):
    h = hashlib.sha256()
    for table in USER_TABLES:
        quoted = '"' + table.replace('"', '""') + '"'
        for row in db.execute(f"SELECT * FROM {quoted} ORDER BY 1"):
            h.update(repr(row).encode())
    return h.hexdigest()


def connect(path, mode):
    uri = f"file:{path}?mode=ro" if mode == "read-only" else f"file:{path}"
    db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=1)
    db.enable_load_extension(True)
    db.load_extension(SO[: -len(".so")])
    if mode == "attached":
        db.execute("ATTACH ? AS \"aux one\"", (path + "-aux",))
    return db


def objects(db):
    """(name, kind, arities) for functions; (name, kind, hidden argument count) for tables."""
    result = []
    for name, kind in db.execute("SELECT name, kind FROM doctor_help ORDER BY name"):
        if kind == "function":
            arities = sorted({n for (n,) in db.execute(
                "SELECT narg FROM pragma_function_list WHERE name = ?", (name,))})
            if -1 in arities:
                arities = [0, 1, 2, 3]
            result.append((name, kind, arities))
        else:
            hidden = db.execute("SELECT count(*) FROM pragma_table_xinfo(?) WHERE hidden", (name,)).fetchone()[0]
            result.append((name, kind, [hidden]))
    return result


def calls(name, kind, arities):
    """Every call: for each arity and argument position, each bad value there, 'x' elsewhere."""
    for n in arities:
        if kind == "table":
            yield f"SELECT * FROM \"{name}\"", [], "no arguments"
        if n == 0:
            if kind == "function":
                yield f"SELECT \"{name}\"()", [], "no arguments"
            continue
        for pos in range(n):
            for label, value in BAD_VALUES.items():
                args = ["x"] * n
                args[pos] = value
                marks = ", ".join("?" * n)
                sql = (f"SELECT \"{name}\"({marks})" if kind == "function"
                       else f"SELECT * FROM \"{name}\"({marks})")
                yield sql, args, f"argument {pos + 1} = {label}"


def child(name, kind, arities, path, mode, unreadable):
    db = connect(path, mode)
    before = data_digest(db)
    problems = []
    for sql, args, label in calls(name, kind, arities):
        args = [unreadable if a == "<unreadable>" else a for a in args]
        try:
            db.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            message = str(e)
            if not message or message in ("unknown error", "not an error"):
                problems.append(f"{label}: unclear error {message!r}")
        if db.in_transaction:
            problems.append(f"{label}: left a transaction open")
            db.execute("ROLLBACK")
        after = data_digest(db)
        if after != before:
            problems.append(f"{label}: changed the user's data")
            before = after
    print(json.dumps(problems))


def main():
    if len(sys.argv) > 2:  # child mode
        name, kind, arities, path, mode, unreadable = json.loads(sys.argv[2])
        child(name, kind, arities, path, mode, unreadable)
        return 0
    work = tempfile.mkdtemp(prefix="matrix-", dir=os.environ.get("TEST_TMPDIR"))
    template = os.path.join(work, "template.sqlite")
    setup = sqlite3.connect(template)
    setup.executescript(SCHEMA)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.close()
    aux = sqlite3.connect(template + "-aux")
    aux.executescript("CREATE TABLE IF NOT EXISTS t (x); INSERT INTO t VALUES (1);")
    aux.close()
    # A directory named like a file: unreadable as one even for root, who ignores permissions.
    unreadable = os.path.join(work, "unreadable.sql")
    os.mkdir(unreadable)

    db = connect(template, "read-write")
    targets = objects(db)
    db.close()
    failures, runs = [], 0
    for name, kind, arities in targets:
        if name == "doctor_autoload":
            continue  # changes the whole process by design; covered by its own tests
        for mode in ("read-write", "read-only", "attached"):
            runs += 1
            # Each object gets its own copy: one object's legitimate writes never mask another's.
            path = os.path.join(work, f"user db {runs}.sqlite")
            shutil.copy(template, path)
            shutil.copy(template + "-aux", path + "-aux")
            arg = json.dumps([name, kind, arities, path, mode, unreadable])
            try:
                out = subprocess.run([sys.executable, __file__, SO, arg], capture_output=True,
                                     text=True, timeout=PER_OBJECT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                failures.append(f"{name} ({mode}): hung for over {PER_OBJECT_TIMEOUT_S} s")
                continue
            if out.returncode != 0:
                tail = (out.stderr or "").strip().splitlines()[-3:]
                failures.append(f"{name} ({mode}): crashed with exit {out.returncode}: {tail}")
                continue
            for problem in json.loads(out.stdout.strip().splitlines()[-1]):
                failures.append(f"{name} ({mode}): {problem}")
    shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print(f"{runs - len({f.split(':')[0] for f in failures})} passed, "
          f"{len({f.split(':')[0] for f in failures})} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
