"""A planted database cannot make sqlite-doctor act: for every DIRECTONLY function and table in
doctor_help, a database file whose views, triggers, CHECK constraints or generated columns call
it is opened with the extension loaded, with trusted_schema ON and OFF. Every use must fail (with
SQLite's "unsafe use" error, or for a generated column its refusal of non-deterministic
functions), and nothing the function would do may happen (no setting changed, no table or file
created).

Usage: schema_trust_test.py DOCTOR_SO   (Debian's /usr/bin/python3)
"""
import os
import shutil
import sqlite3
import sys
import tempfile

SO = os.path.realpath(sys.argv[1])[:-3]
UNSAFE = ("unsafe use",)
GENERATED = ("unsafe use", "non-deterministic functions prohibited")


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def directonly_objects():
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(SO)
    rows = db.execute("SELECT name, kind FROM doctor_help WHERE flags = 'directonly' ORDER BY name").fetchall()
    arity = {}
    for name, kind in rows:
        if kind == "function":
            nargs = [n for (n,) in db.execute("SELECT narg FROM pragma_function_list WHERE name = ?", (name,))]
            arity[name] = max(nargs) if nargs and max(nargs) >= 0 else 2
    db.close()
    return rows, arity


def scenarios(name, kind, nargs, side_file):
    """(what, DDL written with printf(...) standing in, use that must fail, accepted errors)."""
    stand_in = f"printf({', '.join([repr(side_file)] * max(nargs, 1))})"
    real = f"{quote(name)}({', '.join([repr(side_file)] * nargs)})"
    if kind == "table":
        yield ("view", "CREATE VIEW v AS SELECT * FROM victim", "SELECT * FROM v", UNSAFE,
               "victim", quote(name))
        yield ("trigger", "CREATE TRIGGER t AFTER INSERT ON log BEGIN SELECT * FROM victim; END",
               "INSERT INTO log VALUES (1)", UNSAFE, "victim", quote(name))
        return
    yield ("view", f"CREATE VIEW v AS SELECT {stand_in} AS r", "SELECT * FROM v", UNSAFE, stand_in, real)
    yield ("trigger", f"CREATE TRIGGER t AFTER INSERT ON log BEGIN SELECT {stand_in}; END",
           "INSERT INTO log VALUES (1)", UNSAFE, stand_in, real)
    # Not "f() OR 1": SQLite folds that to true without calling f.
    yield ("CHECK constraint", f"CREATE TABLE checked (x CHECK (length(coalesce({stand_in}, 0)) >= 0))",
           "INSERT INTO checked VALUES (1)", UNSAFE, stand_in, real)
    yield ("generated column", f"CREATE TABLE generated (x, g AS ({stand_in}))",
           "INSERT INTO generated (x) VALUES (1)", GENERATED, stand_in, real)


def plant(path, ddl, stand_in, real):
    """The hostile schema as an attacker ships it: written with a harmless stand-in, then the
    stored SQL rewritten through writable_schema (CREATE itself would refuse some of it)."""
    db = sqlite3.connect(path)
    db.executescript(f"CREATE TABLE victim (x); CREATE TABLE log (x); {ddl};")
    db.execute("PRAGMA writable_schema = ON")
    db.execute("UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE name NOT IN ('victim', 'log')",
               (stand_in, real))
    db.commit()
    db.close()


def main():
    work = tempfile.mkdtemp(prefix="trust-", dir=os.environ.get("TEST_TMPDIR"))
    objects, arity = directonly_objects()
    failures, checks = [], 0
    for name, kind in objects:
        for trusted in ("ON", "OFF"):
            side_file = os.path.join(work, f"{name}-{trusted}.side-effect")
            for i, (what, ddl, use, accepted, stand_in, real) in enumerate(
                    scenarios(name, kind, arity.get(name, 0), side_file)):
                checks += 1
                path = os.path.join(work, f"{name}-{trusted}-{i}.db")
                plant(path, ddl, stand_in, real)
                db = sqlite3.connect(path, isolation_level=None)
                db.enable_load_extension(True)
                db.load_extension(SO)
                settings_before = None
                try:
                    db.execute(f"PRAGMA trusted_schema = {trusted}")
                    settings_before = db.execute("SELECT name, value FROM doctor_config").fetchall()
                    db.execute(use).fetchall()
                    failures.append(f"{name} ran from a {what} with trusted_schema={trusted}")
                except sqlite3.Error as e:
                    if not any(a in str(e) for a in accepted):
                        failures.append(f"{name} from a {what} (trusted_schema={trusted}): "
                                        f"expected one of {accepted}, got: {e}")
                if settings_before is not None and \
                        db.execute("SELECT name, value FROM doctor_config").fetchall() != settings_before:
                    failures.append(f"{name} from a {what}: a setting changed")
                db.close()
                check = sqlite3.connect(path)
                check.execute("PRAGMA writable_schema = ON")
                tables = {n for (n,) in check.execute("SELECT name FROM sqlite_schema")}
                check.close()
                if tables - {"victim", "log", "v", "t", "checked", "generated"}:
                    failures.append(f"{name} from a {what}: created {tables}")
            if os.path.exists(side_file):
                failures.append(f"{name}: created {side_file}")
    shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print(f"{len(objects)} DIRECTONLY objects, {checks} hostile uses tried")
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
