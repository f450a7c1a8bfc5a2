"""A planted database cannot make sqlite-doctor act: for every DIRECTONLY function and table in
doctor_help, a database file whose views, triggers, CHECK constraints, DEFAULTs, generated
columns, index expressions or partial-index WHEREs call it is opened with the extension loaded,
with trusted_schema ON and OFF, and the user's statement mentions the name without calling it (as
the table's name, a column-list INSERT, a quoted name, a CTE name, a string literal, a comment).
Every use must fail (with SQLite's or our "unsafe use" error, or SQLite's refusal of
non-deterministic functions), and nothing the function would do may happen (no setting changed,
no table or file created). A top-level call of each function is not refused.

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


# How the user's own statement mentions the function's name without calling it. Each is a
# reason a word grep of the running statement's text let a planted call through (issue 17).
MENTIONS = ("none", "table name", "column-list INSERT", "quoted name", "CTE name",
            "string literal", "comment")


def target_and_use(mention, name, placement_kind):
    """(name of the schema object the user's statement touches, the statement)."""
    call = f"{name}(1)"
    if placement_kind == "select":  # a view: the user reads it
        return {
            "none": ("target", "SELECT * FROM target"),
            "table name": (name, f"SELECT * FROM {name}"),
            "column-list INSERT": (name, f"INSERT INTO victim(x) SELECT * FROM {name}"),
            "quoted name": (name, f'SELECT * FROM "{name}"'),
            "CTE name": ("target", f"WITH {name}(x) AS (SELECT 1) SELECT * FROM target, {name}"),
            "string literal": ("target", f"SELECT * FROM target WHERE '{call}' IS NOT NULL"),
            "comment": ("target", f"SELECT * FROM target -- {call}"),
        }[mention]
    return {  # a table: the user inserts into it
        "none": ("target", "INSERT INTO target DEFAULT VALUES"),
        "table name": (name, f"INSERT INTO {name} DEFAULT VALUES"),
        "column-list INSERT": (name, f"INSERT INTO {name}(x) VALUES (1)"),
        "quoted name": (name, f'INSERT INTO "{name}"(x) VALUES (1)'),
        "CTE name": ("target", f"WITH {name}(x) AS (SELECT 1) INSERT INTO target(x) SELECT x FROM {name}"),
        "string literal": ("target", f"INSERT INTO target(x) VALUES ('see the docs of {call}')"),
        "comment": ("target", f"INSERT INTO target(x) VALUES (1) /* {call} */"),
    }[mention]


def placements(stand_in):
    """(what, kind, DDL for target table/view T, accepted errors)."""
    # Not "f() OR 1": SQLite folds that to true without calling f.
    use = f"length(coalesce({stand_in}, 0)) >= 0"
    yield ("view", "select", f"CREATE VIEW {{T}} AS SELECT {stand_in} AS r", UNSAFE)
    yield ("trigger", "insert", f"CREATE TABLE {{T}} (x); CREATE TRIGGER trig AFTER INSERT ON {{T}} "
           f"BEGIN SELECT {stand_in}; END", UNSAFE)
    yield ("CHECK constraint", "insert", f"CREATE TABLE {{T}} (x CHECK ({use}))", UNSAFE)
    yield ("DEFAULT", "insert", f"CREATE TABLE {{T}} (x, d DEFAULT ({stand_in}))", UNSAFE)
    yield ("generated column", "insert", f"CREATE TABLE {{T}} (x, g AS ({stand_in}))", GENERATED)
    yield ("index expression", "insert",
           f"CREATE TABLE {{T}} (x); CREATE INDEX ix ON {{T}} (({stand_in}))", GENERATED)
    yield ("partial-index WHERE", "insert",
           f"CREATE TABLE {{T}} (x); CREATE INDEX ix ON {{T}} (x) WHERE {use}", GENERATED)


def scenarios(name, kind, nargs, side_file):
    """(what, DDL written with printf(...) standing in, use that must fail, accepted errors)."""
    stand_in = f"printf({', '.join([repr(side_file)] * max(nargs, 1))})"
    real = f"{quote(name)}({', '.join([repr(side_file)] * nargs)})"
    if kind == "table":
        yield ("view", "CREATE VIEW v AS SELECT * FROM victim", "SELECT * FROM v", UNSAFE,
               "victim", quote(name))
        yield ("trigger", "CREATE TABLE log (x); CREATE TRIGGER t AFTER INSERT ON log BEGIN "
               "SELECT * FROM victim; END", "INSERT INTO log VALUES (1)", UNSAFE, "victim", quote(name))
        return
    for what, placement_kind, ddl, accepted in placements(stand_in):
        for mention in MENTIONS:
            target, use = target_and_use(mention, name, placement_kind)
            yield (f"{what}, user statement with {mention}", ddl.replace("{T}", quote(target)),
                   use, accepted, stand_in, real)


def plant(path, ddl, stand_in, real):
    """The hostile schema as an attacker ships it: written with a harmless stand-in, then the
    stored SQL rewritten through writable_schema (CREATE itself would refuse some of it)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")  # only speed: about a thousand files are planted
    db.executescript(f"CREATE TABLE victim (x); {ddl};")
    db.execute("PRAGMA writable_schema = ON")
    db.execute("UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE name <> 'victim'",
               (stand_in, real))
    db.commit()
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_schema")}
    db.close()
    return names


def top_level_calls_work(name, nargs, side_file):
    """A direct call is not refused as unsafe (it may fail for its arguments)."""
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(SO)
    args = ", ".join(["NULL"] * nargs)
    try:
        db.execute(f"SELECT {name}({args})").fetchall()
    except sqlite3.Error as e:
        if "unsafe use" in str(e):
            return f"{name}: a top-level call was refused: {e}"
    finally:
        db.close()
    return None


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
                planted = plant(path, ddl, stand_in, real)
                db = sqlite3.connect(path, isolation_level=None)
                db.enable_load_extension(True)
                db.load_extension(SO)
                settings_before = None
                try:
                    db.execute("PRAGMA synchronous = OFF")
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
                if tables - planted:
                    failures.append(f"{name} from a {what}: created {tables}")
            if os.path.exists(side_file):
                failures.append(f"{name}: created {side_file}")
        if kind == "function":
            failure = top_level_calls_work(name, arity.get(name, 0), side_file)
            if failure:
                failures.append(failure)
    shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print(f"{len(objects)} DIRECTONLY objects, {checks} hostile uses tried")
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
