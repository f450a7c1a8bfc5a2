"""The hostile-schema matrix: a database someone else prepared (downloaded, a customer's) is
opened and examined. Its schema, not a function argument, is the input: every case plants
objects in a database file, then runs the entry points that read it. Each must answer correctly
or fail with an error naming the problem; none may crash, hang, or answer from the planted rows.

Cases:
  hidden names: a table or view named like a table-valued function that doctor's own SQL reads
    (SQLite's pragma_* and json_each, sqlite-doctor's index_lint, query_stats, wal_health), in
    main, temp or an attached database. SQLite resolves the name to the table first, so doctor
    read the planted rows as its own: doctor_report presented a planted index_lint row's fix_sql
    ('DROP TABLE t;') as a finding's fix, and an empty pragma_table_list silently dropped the
    schema findings. Now every entry point that reads the name refuses, naming the object;
    doctor_report and doctor_html leave out the areas a name of sqlite-doctor's hides, with a
    finding naming it, and report the rest (they refused as a whole for one name clash).
  journal views: doctor_migrations or __drizzle_migrations is a view whose recursive CTE never
    ends (or a virtual table). migration_status and schema_drift ran it until interrupted, with
    an ORDER BY spilling to temp files without bound (94 MB in 10 s); now reading a journal
    that is not a table is an error naming it.
  unloadable module: a virtual table whose module this process has not loaded (vec0 of
    sqlite-vec, say, examined from the sqlite3 shell). index_lint, index_advise and doctor_report
    failed as a whole ("no such module: nosuchmod"); now they leave that table out and examine
    the rest.
  virtual tables: an rtree and an fts5 index kept by triggers. migrate_check called the rows an
    rtree's module removes from its shadow tables on DELETE "deletes 3 of 27 rows of r_node
    through ON DELETE CASCADE" and "191 more row change(s) by foreign-key actions or triggers";
    now shadow tables are not counted as cascades, nor a module's writes as side effects.

Every call gets CALL_DEADLINE_S, then conn.interrupt() from a timer thread: a call that had to
be interrupted is a failure (and one that cannot be interrupted is a hang the child deadline
names).

Each case runs in a child process with a deadline, so a hang or a crash is named.
Usage: hostile_schema_test.py DOCTOR_SO   (Debian's /usr/bin/python3: it can load extensions)
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading

SO = os.path.realpath(sys.argv[1])[: -len(".so")]
CHILD_TIMEOUT_S = 120
CALL_DEADLINE_S = 10

# The user's data: a table, an index, a foreign key without an index (index_lint finds it).
SEED = """
CREATE TABLE t (id INTEGER PRIMARY KEY, a, b);
CREATE INDEX t_b ON t (b);
CREATE TABLE c (id INTEGER PRIMARY KEY, t_id REFERENCES t (id));
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200)
INSERT INTO t SELECT x, x % 7, x % 3 FROM n;
"""


def connect(path):
    db = sqlite3.connect(path, isolation_level=None, timeout=1)
    db.enable_load_extension(True)
    db.load_extension(SO)
    return db


def outcome(db, sql, args=()):
    """('ok', rows) or ('error', message); ('interrupted', message) past CALL_DEADLINE_S."""
    timer = threading.Timer(CALL_DEADLINE_S, db.interrupt)
    timer.start()
    try:
        return "ok", db.execute(sql, args).fetchall()
    except sqlite3.Error as e:
        return ("interrupted" if "interrupted" in str(e) else "error"), str(e)
    finally:
        timer.cancel()


# --- hidden names --------------------------------------------------------------------------------

# (where, the planted object's DDL, its rows, the error's name, the entry points that read it)
HIDDEN = [
    ("main", "CREATE TABLE index_lint (kind, table_name, index_name, finding, fix_sql)",
     "INSERT INTO index_lint VALUES ('duplicate', 't', 't_b', 'planted', 'DROP TABLE t;')",
     "main.index_lint is a table named like sqlite-doctor's table index_lint",
     ["SELECT * FROM doctor_report", "SELECT doctor_html()"]),
    ("main", "CREATE TABLE pragma_table_list (schema, name, type, ncol, wr, strict)", None,
     "main.pragma_table_list is a table named like SQLite's table-valued function "
     "pragma_table_list",
     ["SELECT * FROM doctor_report", "SELECT * FROM index_lint",
      "SELECT * FROM index_advise('SELECT * FROM t WHERE a = 1')"]),
    ("main", "CREATE VIEW pragma_index_list (seq, name, \"unique\", origin, partial) AS "
             "SELECT 0, 'planted', 0, 'c', 0",
     None, "main.pragma_index_list is a view named like SQLite's table-valued function",
     ["SELECT * FROM doctor_report", "SELECT * FROM index_lint", "SELECT schema_hash()",
      "SELECT * FROM schema_drift"]),
    ("main", "CREATE TABLE json_each (key, value, type, atom, id, parent, fullkey, path)",
     "INSERT INTO json_each (value) VALUES (1e9)",
     "main.json_each is a table named like SQLite's table-valued function json_each",
     ["SELECT * FROM doctor_report"]),
    ("aux", "CREATE TABLE query_stats (query, example, calls, query_id)",
     "INSERT INTO query_stats VALUES ('SELECT * FROM t WHERE a = ?', "
     "'SELECT * FROM t WHERE a = 1', 1000000, 1)",
     "aux.query_stats is a table named like sqlite-doctor's table query_stats",
     ["SELECT * FROM index_advise", "SELECT * FROM doctor_report"]),
    # index_lint reads query_stats for its unused check only: it leaves that check out with a
    # not_checked row naming the table, and runs the rest (before, it said nothing, and the
    # report left out every index finding).
    ("main", "CREATE TABLE query_stats (query, calls, first_seen, last_seen)",
     "INSERT INTO query_stats SELECT 'SELECT * FROM t WHERE a = ' || value, 1000000, "
     "'2026-01-01', '2026-02-01' FROM json_each('[1,2,3,4,5,6,7,8,9,10,11,12]')",
     "main.query_stats is a table named like sqlite-doctor's table query_stats",
     ["SELECT * FROM index_lint", "SELECT * FROM doctor_report"]),
    ("temp", "CREATE TABLE wal_health (file, status, advice, wal_bytes, pending_frames)",
     "INSERT INTO wal_health VALUES ('planted', 'critical', 'planted', 1, 1)",
     "temp.wal_health is a table named like sqlite-doctor's table wal_health",
     ["SELECT * FROM doctor_report"]),
]


REPORTS = ("SELECT * FROM doctor_report", "SELECT doctor_html()", "SELECT * FROM index_lint")
PLANTED = ("planted", "DROP TABLE t;", "1000000")


def run_hidden(work, i):
    where, ddl, rows, name, entry_points = HIDDEN[i]
    path = os.path.join(work, f"hidden{i}.db")
    setup = sqlite3.connect(path)
    setup.executescript(SEED)
    if where == "main":
        setup.execute(ddl)
        if rows:
            setup.execute(rows)
    setup.commit()
    setup.close()
    if where == "aux":
        aux = sqlite3.connect(path + "-aux")
        aux.execute(ddl)
        aux.execute(rows)
        aux.commit()
        aux.close()
    db = connect(path)
    if where == "aux":
        db.execute("ATTACH ? AS aux", (path + "-aux",))
    if where == "temp":
        db.execute(ddl.replace("CREATE TABLE ", "CREATE TEMP TABLE "))
        db.execute(rows)
    problems = []
    for sql in entry_points:
        kind, got = outcome(db, sql)
        # The report and its page leave out the areas whose tables a name of sqlite-doctor's
        # hides, with a finding naming it, and report the rest; never a planted row. So does
        # index_lint (its unused check, which reads query_stats).
        reports = sql in REPORTS and "sqlite-doctor's" in name
        if reports:
            text = str(got)
            if kind != "ok" or name.split("'")[0] not in text or any(p in text for p in PLANTED):
                problems.append(f"{sql}: {kind} {text[:300]!r}, expected a report naming {name} "
                                "with none of the planted rows")
        elif kind != "error" or name not in got:
            problems.append(f"{sql}: {kind} {str(got)[:300]!r}, expected an error naming {name}")
    # Without the planted object, the same database is examined as usual.
    if where == "temp":
        db.execute(f"DROP TABLE temp.{ddl.split()[2]}")
    elif where == "aux":
        db.execute("DETACH aux")
    else:
        db.execute(f"DROP {ddl.split()[1]} {ddl.split()[2]}")
    for sql in entry_points:
        kind, got = outcome(db, sql)
        if kind != "ok" and "no captured workload" not in str(got):
            problems.append(f"{sql} after dropping it: {got!r}")
    return problems


# --- journal views -------------------------------------------------------------------------------

NEVER_ENDS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
JOURNALS = [
    ("main.__drizzle_migrations is a view, not a table",
     "CREATE VIEW __drizzle_migrations (id, hash, created_at) AS " + NEVER_ENDS +
     "SELECT x, 'h', x FROM n"),
    ("main.__Drizzle_Migrations is a view, not a table",
     "CREATE VIEW __Drizzle_Migrations (id, hash, created_at, name, applied_at) AS " +
     NEVER_ENDS + "SELECT x, 'h', x, 'm', NULL FROM n"),
    ("main.doctor_migrations is a view, not a table",
     "CREATE VIEW doctor_migrations (id, name, checksum, kind, sql, source, applied_at, "
     "duration_ms, origin, schema_before, schema_after) AS " + NEVER_ENDS +
     "SELECT x, 'm' || x, 'c', 'apply', '', 'sql', NULL, 0, NULL, NULL, NULL FROM n"),
    ("main.__drizzle_migrations is a virtual table, not a table",
     "CREATE VIRTUAL TABLE __drizzle_migrations USING fts5 (id, hash, created_at)"),
]


def drizzle_folder(work, i):
    folder = os.path.join(work, f"drizzle{i}")
    os.makedirs(os.path.join(folder, "meta"))
    with open(os.path.join(folder, "meta", "_journal.json"), "w") as f:
        json.dump({"entries": [{"idx": 0, "version": "6", "when": 1700000000000,
                                "tag": "0000_a", "breakpoints": True}]}, f)
    with open(os.path.join(folder, "0000_a.sql"), "w") as f:
        f.write("CREATE TABLE a (x);")
    return folder


def run_journal(work, i):
    name, ddl = JOURNALS[i]
    path = os.path.join(work, f"journal{i}.db")
    setup = sqlite3.connect(path)
    setup.executescript(SEED)
    setup.execute(ddl)
    setup.commit()
    setup.close()
    folder = drizzle_folder(work, i)
    db = connect(path)
    problems = []
    for sql, args in [("SELECT * FROM migration_status", ()),
                      ("SELECT * FROM migration_status(?)", (folder,)),
                      ("SELECT * FROM schema_drift", ()),
                      ("SELECT * FROM schema_drift(?)", (folder,)),
                      ("SELECT * FROM doctor_report('main', 'quick', ?)", (folder,)),
                      ("SELECT migrate_dir(?)", (folder,))]:
        kind, got = outcome(db, sql, args)
        if kind != "error" or name not in got:
            problems.append(f"{sql}: {kind} {str(got)[:300]!r}, expected an error naming {name}")
    tables = [n for (n,) in db.execute("SELECT name FROM sqlite_schema WHERE name = 'a'")]
    if tables:
        problems.append("migrate_dir applied the folder's migration")
    return problems


# --- unloadable module ---------------------------------------------------------------------------

def run_unloadable_module(work, _):
    path = os.path.join(work, "module.db")
    setup = sqlite3.connect(path)
    setup.executescript(SEED)
    setup.execute("CREATE VIRTUAL TABLE v USING fts5 (x)")
    setup.execute("PRAGMA writable_schema = ON")
    setup.execute("UPDATE sqlite_schema SET sql = 'CREATE VIRTUAL TABLE v USING nosuchmod (x)' "
                  "WHERE name = 'v'")
    setup.commit()
    setup.close()
    db = connect(path)
    problems = []
    kind, got = outcome(db, "SELECT index_sql FROM index_advise('SELECT * FROM t WHERE a = 1')")
    if kind != "ok" or not any("ON t(a)" in (r[0] or "") for r in got):
        problems.append(f"index_advise: {kind} {str(got)[:300]!r}, expected an index on t(a)")
    kind, got = outcome(db, "SELECT kind, table_name FROM index_lint")
    if kind != "ok" or ("fk_without_index", "c") not in got:
        problems.append(f"index_lint: {kind} {str(got)[:300]!r}, expected fk_without_index on c")
    for sql in ("SELECT * FROM doctor_report", "SELECT doctor_html()"):
        kind, got = outcome(db, sql)
        if kind != "ok":
            problems.append(f"{sql}: {kind} {str(got)[:300]!r}")
    return problems


# --- virtual tables ------------------------------------------------------------------------------

def run_virtual_tables(work, _):
    path = os.path.join(work, "virtual.db")
    setup = sqlite3.connect(path)
    setup.executescript(SEED + """
        CREATE VIRTUAL TABLE r USING rtree (id, x0, x1);
        INSERT INTO r SELECT id, id, id + 1 FROM t;
        CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);
        CREATE VIRTUAL TABLE f USING fts5 (body, content = 'docs', content_rowid = 'id');
        CREATE TRIGGER docs_ad AFTER DELETE ON docs BEGIN
          INSERT INTO f (f, rowid, body) VALUES ('delete', old.id, old.body);
        END;
        INSERT INTO docs SELECT id, 'word' || (id % 9) FROM t;
        INSERT INTO f (f) VALUES ('rebuild');
    """)
    setup.commit()
    setup.close()
    db = connect(path)
    problems = []
    for migration in ("DELETE FROM r WHERE id < 50", "DELETE FROM f WHERE rowid < 50",
                      "DELETE FROM docs WHERE id < 50"):
        kind, got = outcome(db, "SELECT kind, object, detail FROM migrate_check(?)", (migration,))
        if kind != "ok":
            problems.append(f"migrate_check({migration!r}): {kind} {got!r}")
            continue
        cascades = [r for r in got if r[0] == "cascade"]
        if cascades:
            problems.append(f"migrate_check({migration!r}) calls a module's writes cascades: "
                            f"{cascades}")
        side = [r for r in got if r[0] == "side_effect" and r[1] in ("r", "f")]
        if side:
            problems.append(f"migrate_check({migration!r}) calls a module's writes side effects: "
                            f"{side}")
    # The trigger's writes into f are a side effect of deleting from docs, and said so.
    kind, got = outcome(db, "SELECT kind FROM migrate_check('DELETE FROM docs WHERE id < 50')")
    if ("side_effect",) not in got:
        problems.append(f"DELETE FROM docs: the trigger's writes are not reported: {got!r}")
    return problems


CASES = {f"hidden names {i} ({HIDDEN[i][3].split(' is ')[0]})": (run_hidden, i)
         for i in range(len(HIDDEN))}
CASES.update({f"journal view {i} ({JOURNALS[i][0].split(' is ')[0]})": (run_journal, i)
              for i in range(len(JOURNALS))})
CASES["unloadable module"] = (run_unloadable_module, None)
CASES["virtual tables"] = (run_virtual_tables, None)


def main():
    if len(sys.argv) > 2:  # child: one case
        name, work = json.loads(sys.argv[2])
        run, arg = CASES[name]
        print(json.dumps(run(work, arg)))
        return 0
    work = tempfile.mkdtemp(prefix="hostile-schema-", dir=os.environ.get("TEST_TMPDIR"))
    failures = []
    for name in CASES:
        try:
            out = subprocess.run([sys.executable, __file__, sys.argv[1], json.dumps([name, work])],
                                 capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            failures.append(f"{name}: hung for over {CHILD_TIMEOUT_S} s")
            continue
        if out.returncode != 0:
            failures.append(f"{name}: exit {out.returncode}: {out.stderr.strip()[-500:]}")
            continue
        failures += [f"{name}: {p}" for p in json.loads(out.stdout.strip().splitlines()[-1])]
    shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print(f"{len(CASES)} cases, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
