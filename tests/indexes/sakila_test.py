"""index_advise, index_lint and doctor_report's index fixes on a schema and workload nobody here
tuned for: Sakila (MySQL's sample database) ported to SQLite (sakila_schema.sql), with generated
data of realistic skew and a 32-statement rental-shop workload (lookups, joins, ORDER BY ...
LIMIT, GROUP BY, cascading deletes, updates, `?` and `:name` parameters, comment lines). Checks:
- the advice: unique, stable names; benefit within 0..1; every index_sql runs; once built,
  index_lint flags none of them; and the real workload's VM steps drop as claimed;
- the report: running every fix_sql of one doctor_report once leaves the next report no index fix
  and index_lint no duplicate or prefix finding, for 3 rounds (nothing built is dropped again).
Found with it: the report's queries past the 10 it lists got their indexes one report later, and
an ANALYZE-caused plan regression was given `ANALYZE;` round after round.

Usage: sakila_test.py DOCTOR_SO SCHEMA_SQL   (Debian's /usr/bin/python3)
"""
import bisect
import ctypes
import datetime
import os
import random
import shutil
import sqlite3
import sys
import tempfile

SO = os.path.realpath(sys.argv[1])[:-3]
SCHEMA = sys.argv[2]
SCALE = 0.2  # 1,000 customers, 6,000 copies, 12,000 rentals


def generate(path, scale):
    """Fills a new Sakila database: deterministic, skewed (Zipf) like a rental shop's."""
    rnd = random.Random(20261207)
    db = sqlite3.connect(path)
    db.executescript(open(SCHEMA).read())
    def zipf(n, s=1.1):
        # index 0..n-1, heavy head
        w = [1.0 / (i + 1) ** s for i in range(n)]
        tot = sum(w); acc = 0; cum = []
        for x in w:
            acc += x; cum.append(acc / tot)
        return lambda: min(bisect.bisect_left(cum, rnd.random()), n - 1)
    N = lambda x: max(1, int(x * scale))
    syll = ['an','ber','cal','dor','el','fin','gar','hol','is','jen','kor','lam','mor','nel','os','par','quin','ros','sal','tor','ul','van','wes','xan','yor','zel']
    def word(k=2): return ''.join(rnd.choice(syll) for _ in range(k)).upper()
    db.execute('BEGIN')
    db.executemany('INSERT INTO language(language_id,name) VALUES (?,?)', enumerate(['English','Italian','Japanese','Mandarin','French','German'], 1))
    ncountry = 109
    db.executemany('INSERT INTO country(country_id,country) VALUES (?,?)', [(i, word(3).title()) for i in range(1, ncountry + 1)])
    ncity = 600
    cz = zipf(ncountry, 0.9)
    db.executemany('INSERT INTO city(city_id,city,country_id) VALUES (?,?,?)', [(i, word(2).title(), 1 + cz()) for i in range(1, ncity + 1)])
    naddr = N(5600)
    ciz = zipf(ncity, 0.8)
    db.executemany('INSERT INTO address(address_id,address,district,city_id,postal_code,phone) VALUES (?,?,?,?,?,?)',
      [(i, '%d %s Street' % (rnd.randint(1, 2000), word(2).title()), word(2).title(), 1 + ciz(),
        None if rnd.random() < 0.05 else '%05d' % rnd.randint(0, 99999), '%010d' % rnd.randint(0, 10**10 - 1)) for i in range(1, naddr + 1)])
    cats = ['Action','Animation','Children','Classics','Comedy','Documentary','Drama','Family','Foreign','Games','Horror','Music','New','Sci-Fi','Sports','Travel']
    db.executemany('INSERT INTO category(category_id,name) VALUES (?,?)', enumerate(cats, 1))
    nactor = N(1000)
    lastnames = [word(2) for _ in range(300)]
    lz = zipf(len(lastnames), 1.0)
    firstnames = [word(2) for _ in range(200)]
    fz = zipf(len(firstnames), 0.9)
    db.executemany('INSERT INTO actor(actor_id,first_name,last_name) VALUES (?,?,?)', [(i, firstnames[fz()], lastnames[lz()]) for i in range(1, nactor + 1)])
    nfilm = N(4000)
    ratings = ['G','PG','PG-13','R','NC-17']
    films = []
    for i in range(1, nfilm + 1):
        films.append((i, '%s %s %d' % (word(2), word(2), i), 'A %s story of a %s' % (word(3).lower(), word(2).lower()),
          rnd.choice([2004, 2005, 2006, 2006, 2006]) if rnd.random() < 0.9 else rnd.randint(1970, 2003),
          1 if rnd.random() < 0.93 else rnd.randint(2, 6), None if rnd.random() < 0.9 else rnd.randint(1, 6),
          rnd.randint(3, 7), rnd.choice([0.99, 2.99, 4.99]), rnd.randint(46, 185), rnd.choice([9.99, 14.99, 19.99, 24.99, 29.99]),
          rnd.choices(ratings, [20, 22, 30, 20, 8])[0], rnd.choice(['Trailers', 'Commentaries', 'Deleted Scenes', 'Behind the Scenes', 'Trailers,Deleted Scenes'])))
    db.executemany('INSERT INTO film(film_id,title,description,release_year,language_id,original_language_id,rental_duration,rental_rate,length,replacement_cost,rating,special_features) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)', films)
    az = zipf(nactor, 0.7)
    fa = set()
    for f in range(1, nfilm + 1):
        for _ in range(rnd.randint(1, 10)):
            fa.add((1 + az(), f))
    db.executemany('INSERT INTO film_actor(actor_id,film_id) VALUES (?,?)', sorted(fa))
    catz = zipf(16, 0.6)
    db.executemany('INSERT INTO film_category(film_id,category_id) VALUES (?,?)', [(f, 1 + catz()) for f in range(1, nfilm + 1)])
    # staff and stores reference each other: insert with FKs off (the default here).
    db.executemany('INSERT INTO staff(staff_id,first_name,last_name,address_id,email,store_id,username) VALUES (?,?,?,?,?,?,?)',
      [(1, 'Mike', 'Hillyer', 3, 'mike@sakilastaff.com', 1, 'mike'), (2, 'Jon', 'Stephens', 4, 'jon@sakilastaff.com', 2, 'jon')])
    db.executemany('INSERT INTO store(store_id,manager_staff_id,address_id) VALUES (?,?,?)', [(1, 1, 1), (2, 2, 2)])
    ncust = N(5000)
    base = datetime.datetime(2005, 5, 24)
    cust = []
    for i in range(1, ncust + 1):
        fn, ln = firstnames[fz()], lastnames[lz()]
        cust.append((i, 1 if rnd.random() < 0.6 else 2, fn, ln, '%s.%s%d@sakilacustomer.org' % (fn.lower(), ln.lower(), i) if rnd.random() < 0.97 else None,
                     1 + rnd.randrange(naddr), 0 if rnd.random() < 0.03 else 1, (base - datetime.timedelta(days=rnd.randint(0, 400))).strftime('%Y-%m-%d %H:%M:%S')))
    db.executemany('INSERT INTO customer(customer_id,store_id,first_name,last_name,email,address_id,active,create_date) VALUES (?,?,?,?,?,?,?,?)', cust)
    ninv = N(30000)
    filmz = zipf(nfilm, 0.8)
    db.executemany('INSERT INTO inventory(inventory_id,film_id,store_id) VALUES (?,?,?)',
      [(i, 1 + filmz(), 1 if rnd.random() < 0.55 else 2) for i in range(1, ninv + 1)])
    nrent = N(60000)
    custz = zipf(ncust, 0.6)
    invz = zipf(ninv, 0.5)
    span = 400 * 86400
    rentals = []
    seen = set()
    for i in range(1, nrent + 1):
        t = base + datetime.timedelta(seconds=int(span * (i / nrent)) + rnd.randint(0, 600))
        inv = 1 + invz(); c = 1 + custz()
        ret = None if (i > nrent * 0.97 and rnd.random() < 0.6) or rnd.random() < 0.005 else (t + datetime.timedelta(hours=rnd.randint(20, 240))).strftime('%Y-%m-%d %H:%M:%S')
        rentals.append((i, t.strftime('%Y-%m-%d %H:%M:%S'), inv, c, ret, 1 if rnd.random() < 0.7 else 2))
    db.executemany('INSERT OR IGNORE INTO rental(rental_id,rental_date,inventory_id,customer_id,return_date,staff_id) VALUES (?,?,?,?,?,?)', rentals)
    pays = []
    pid = 0
    for (rid, rdate, inv, c, ret, st) in rentals:
        if rnd.random() < 0.92:
            pid += 1
            pays.append((pid, c, st, rid, rnd.choice([0.99, 1.99, 2.99, 3.99, 4.99, 5.99, 6.99, 8.99, 10.99]), rdate))
    db.executemany('INSERT INTO payment(payment_id,customer_id,staff_id,rental_id,amount,payment_date) VALUES (?,?,?,?,?,?)', pays)
    db.commit()
    db.close()

W = [
("-- login by email\nSELECT customer_id, first_name, last_name, store_id FROM customer WHERE email = ?", ('tordor.finel19@sakilacustomer.org',)),
("-- customer search by last name\nSELECT customer_id, first_name, last_name FROM customer WHERE last_name = :last ORDER BY first_name", {'last': 'FINEL'}),
("SELECT actor_id FROM actor WHERE last_name = ? AND first_name = ?", ('CALXAN', 'VANCAL')),
("-- films of a category, by title\nSELECT f.film_id, f.title FROM film f JOIN film_category fc ON fc.film_id = f.film_id JOIN category c ON c.category_id = fc.category_id WHERE c.name = ? ORDER BY f.title LIMIT 20", ('Horror',)),
("-- cast of a film\nSELECT a.first_name, a.last_name FROM actor a JOIN film_actor fa ON fa.actor_id = a.actor_id WHERE fa.film_id = ?", (17,)),
("SELECT f.title, f.release_year FROM film f JOIN film_actor fa USING (film_id) WHERE fa.actor_id = :actor ORDER BY f.release_year DESC", {'actor': 3}),
("-- copies of a film in a store that are on the shelf\nSELECT i.inventory_id FROM inventory i WHERE i.film_id = ? AND i.store_id = ? AND NOT EXISTS (SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)", (5, 1)),
("SELECT r.rental_id, f.title, r.rental_date FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id WHERE r.customer_id = ? AND r.return_date IS NULL", (2,)),
("-- overdue rentals\nSELECT r.rental_id, c.email FROM rental r JOIN customer c ON c.customer_id = r.customer_id WHERE r.return_date IS NULL AND r.rental_date < ? ORDER BY r.rental_date LIMIT 50", ('2006-06-01',)),
("SELECT payment_id, amount, payment_date FROM payment WHERE customer_id = ? ORDER BY payment_date DESC LIMIT 10", (7,)),
("-- revenue by store and month\nSELECT s.store_id, strftime('%Y-%m', p.payment_date) AS month, sum(p.amount) FROM payment p JOIN staff s ON s.staff_id = p.staff_id WHERE p.payment_date >= ? AND p.payment_date < ? GROUP BY s.store_id, month", ('2006-01-01', '2006-02-01')),
("SELECT i.film_id, count(*) AS n FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id WHERE r.rental_date >= ? GROUP BY i.film_id ORDER BY n DESC LIMIT 10", ('2006-05-01',)),
("SELECT c.name, sum(p.amount) AS total FROM payment p JOIN rental r ON r.rental_id = p.rental_id JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film_category fc ON fc.film_id = i.film_id JOIN category c ON c.category_id = fc.category_id WHERE p.payment_date >= :since GROUP BY c.name ORDER BY total DESC", {'since': '2006-06-01'}),
("SELECT ci.city, count(*) FROM customer cu JOIN address a ON a.address_id = cu.address_id JOIN city ci ON ci.city_id = a.city_id WHERE ci.country_id = ? GROUP BY ci.city", (4,)),
("SELECT customer_id, email FROM customer WHERE active = 0 AND store_id = ?", (1,)),
("SELECT film_id, title FROM film WHERE rating = 'NC-17' AND length BETWEEN 90 AND 120 ORDER BY title", ()),
("-- rent a film\nINSERT INTO rental(rental_date, inventory_id, customer_id, staff_id) VALUES (datetime('now'), ?, ?, ?)", (9, 11, 1)),
("-- return a film\nUPDATE rental SET return_date = datetime('now') WHERE inventory_id = ? AND return_date IS NULL", (4774,)),
("INSERT INTO payment(customer_id, staff_id, rental_id, amount, payment_date) VALUES (?, ?, ?, ?, datetime('now'))", (11, 1, 11990, 2.99)),
("UPDATE customer SET email = :email WHERE customer_id = :id", {'email': 'new@example.org', 'id': 42}),
("-- GDPR erasure: rentals and payments cascade\nDELETE FROM customer WHERE customer_id = ?", (990,)),
("-- retire a film: cast, category, copies and their rentals cascade\nDELETE FROM film WHERE film_id = ?", (790,)),
("DELETE FROM payment WHERE payment_date < ?", ('2005-05-25',)),
("SELECT count(*) FROM rental WHERE staff_id = ? AND rental_date >= ?", (2, '2006-06-01')),
("SELECT address_id, address, district FROM address WHERE postal_code = ?", ('26060',)),
("SELECT film_id FROM film_text WHERE title = ?", ('ACADEMY DINOSAUR',)),
("SELECT name FROM language WHERE language_id = ?", (1,)),
("SELECT c.customer_id, c.last_name, (SELECT sum(amount) FROM payment p WHERE p.customer_id = c.customer_id) AS paid FROM customer c WHERE c.store_id = ? AND c.active = 1 ORDER BY c.last_name LIMIT 20", (2,)),
("SELECT customer_id, max(rental_date) FROM rental GROUP BY customer_id", ()),
("SELECT staff_id, first_name, last_name FROM staff WHERE store_id = ?", (1,)),
("UPDATE film SET rental_rate = rental_rate + 1 WHERE rating = 'NC-17' AND release_year < 2000", ()),
("SELECT c.country, count(*) FROM city ci JOIN country c ON c.country_id = ci.country_id GROUP BY c.country ORDER BY count(*) DESC LIMIT 5", ()),
]


def workload_text():
    return ";\n".join(sql for sql, _ in W) + ";"


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(SO)
    return db


def run_workload(db, times):
    """Runs each statement as the application would (writes rolled back, so the data stays)."""
    for _ in range(times):
        for sql, params in W:
            db.execute("SAVEPOINT w")
            db.execute(sql, params).fetchall()
            db.execute("ROLLBACK TO w")
            db.execute("RELEASE w")


# sqlite3_stmt_status(VM_STEP) of the workload on the real data, through the C API (the
# sqlite3 module does not expose it); the same libsqlite3 the module uses.
_lib = ctypes.CDLL("libsqlite3.so.0")
_P = ctypes.c_void_p
_lib.sqlite3_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(_P)]
_lib.sqlite3_prepare_v2.argtypes = [_P, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_P), _P]
_lib.sqlite3_bind_parameter_index.argtypes = [_P, ctypes.c_char_p]
_lib.sqlite3_bind_int64.argtypes = [_P, ctypes.c_int, ctypes.c_int64]
_lib.sqlite3_bind_double.argtypes = [_P, ctypes.c_int, ctypes.c_double]
_lib.sqlite3_bind_text.argtypes = [_P, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, _P]
for _f in ("sqlite3_step", "sqlite3_finalize", "sqlite3_close"):
    getattr(_lib, _f).argtypes = [_P]
_lib.sqlite3_stmt_status.argtypes = [_P, ctypes.c_int, ctypes.c_int]
_lib.sqlite3_errmsg.argtypes = [_P]
_lib.sqlite3_errmsg.restype = ctypes.c_char_p


def real_steps(path, indexes):
    """VM steps of one run of the workload with `indexes` built (all rolled back)."""
    db = _P()
    assert _lib.sqlite3_open(path.encode(), ctypes.byref(db)) == 0

    def run(sql, params=()):
        st = _P()
        rc = _lib.sqlite3_prepare_v2(db, sql.encode(), -1, ctypes.byref(st), None)
        assert rc == 0, (_lib.sqlite3_errmsg(db), sql)
        items = ([(_lib.sqlite3_bind_parameter_index(st, (":" + k).encode()), v)
                  for k, v in params.items()] if isinstance(params, dict)
                 else list(enumerate(params, 1)))
        for i, v in items:
            if isinstance(v, int):
                _lib.sqlite3_bind_int64(st, i, v)
            elif isinstance(v, float):
                _lib.sqlite3_bind_double(st, i, v)
            else:
                b = str(v).encode()
                _lib.sqlite3_bind_text(st, i, b, len(b), _P(-1))
        while True:
            rc = _lib.sqlite3_step(st)
            if rc != 100:
                break
        assert rc == 101, (_lib.sqlite3_errmsg(db), sql)
        steps = _lib.sqlite3_stmt_status(st, 4, 0)  # SQLITE_STMTSTATUS_VM_STEP
        _lib.sqlite3_finalize(st)
        return steps

    run("PRAGMA foreign_keys = ON")
    run("SAVEPOINT built")
    for ddl in indexes:
        run(ddl)
    total = 0
    for sql, params in W:
        run("SAVEPOINT w")
        total += run(sql, params)
        run("ROLLBACK TO w")
        run("RELEASE w")
    run("ROLLBACK TO built")
    _lib.sqlite3_close(db)
    return total


def check_advice(path):
    db = connect(path)
    db.execute("SELECT doctor_set('timing', 'off')")
    existing = {r[0].lower() for r in db.execute("SELECT name FROM sqlite_schema")}
    rows = db.execute("SELECT index_sql, benefit, limits FROM index_advise(?)",
                      (workload_text(),)).fetchall()
    again = db.execute("SELECT index_sql FROM index_advise(?)", (workload_text(),)).fetchall()
    ddl = [r[0] for r in rows]
    assert len(ddl) >= 5, ddl
    assert ddl == [r[0] for r in again], "advice not stable:\n%s\n%s" % (ddl, again)
    names = [d.split()[2] for d in ddl]
    assert len(set(names)) == len(names), names
    assert not existing & {n.lower() for n in names}, names
    for _, benefit, limits in rows:
        assert 0 <= benefit <= 1, rows
        assert limits is None, limits
    none = real_steps(path, [])
    built = real_steps(path, ddl)
    # Claimed: the set saves sum(benefit) of the sample's cost; on the data it must save most.
    assert built * 5 < none, (none, built)
    copy = path + ".advised"
    shutil.copy(path, copy)
    db.close()
    db = connect(copy)
    db.execute("SELECT doctor_set('timing', 'off')")
    for d in ddl:
        db.execute(d)
    flagged = db.execute("SELECT kind, index_name FROM index_lint WHERE index_name IN (%s)"
                         % ",".join("?" * len(names)), names).fetchall()
    assert not flagged, flagged
    db.close()
    print("advice: %d indexes, real VM steps %d -> %d" % (len(ddl), none, built))


def check_report_rounds(path):
    db = connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("SELECT query_stats_reset(), doctor_set('slow_ms', 86400000)")
    run_workload(db, 10)
    built, ran = set(), set()
    for rnd in range(1, 4):
        fixes = [r[0] for r in db.execute(
            "SELECT fix_sql FROM doctor_report WHERE fix_sql IS NOT NULL")]
        # The report's index fixes are measured together before they are offered: with round 1's
        # fixes, once analyzed, the film-count query went from 19,030 to 57,728 VM steps (through
        # inventory(film_id) and rental(inventory_id, return_date), the foreign key's index and
        # the NOT EXISTS query's); before, round 2 proposed it an index of its own. Now one of
        # them is withheld, and its finding names that query.
        withheld = [r[0] for r in db.execute(
            "SELECT advice FROM doctor_report WHERE advice LIKE 'not fixed here: the index%'")]
        if rnd == 1:
            assert any("SELECT i.film_id, count(*)" in a for a in withheld), withheld
        index_fixes = [f for f in fixes if "INDEX" in f.upper()]
        if rnd > 1:
            assert not index_fixes, "round %d: %s" % (rnd, index_fixes)
        # A fix offered again after it ran changed nothing (ANALYZE for a regression ANALYZE made).
        assert not ran & set(fixes), "round %d offers again: %s" % (rnd, ran & set(fixes))
        ran |= set(fixes)
        for fix in fixes:
            db.executescript(fix)
        now = {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type = 'index'")}
        assert built <= now, "round %d dropped %s" % (rnd, built - now)
        built = now
        lint = db.execute("SELECT kind, index_name FROM index_lint "
                          "WHERE kind IN ('duplicate', 'prefix')").fetchall()
        assert not lint, "round %d: %s" % (rnd, lint)
        run_workload(db, 1)
    db.execute("SELECT doctor_set('slow_ms', 100)")
    db.close()
    print("report: %d indexes after 3 rounds, none proposed after the first" % len(built))


def main():
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "sakila.db")
        generate(path, SCALE)
        check_advice(path)
        check_report_rounds(path)
    finally:
        shutil.rmtree(tmp)
    print("ok")


if __name__ == "__main__":
    main()
