-- Sakila (MySQL's sample database) ported to SQLite for tests/indexes/sakila_test.py: written
-- for this test, not tuned on (it is not in tools/bench_indexes). Some of Sakila's indexes are left
-- out on purpose (the foreign keys of rental, payment, inventory), as an application might.
CREATE TABLE language (
  language_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE country (
  country_id INTEGER PRIMARY KEY,
  country TEXT NOT NULL,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE city (
  city_id INTEGER PRIMARY KEY,
  city TEXT NOT NULL,
  country_id INTEGER NOT NULL REFERENCES country(country_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE address (
  address_id INTEGER PRIMARY KEY,
  address TEXT NOT NULL,
  address2 TEXT,
  district TEXT NOT NULL,
  city_id INTEGER NOT NULL REFERENCES city(city_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  postal_code TEXT,
  phone TEXT NOT NULL,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_fk_city_id ON address(city_id);
CREATE TABLE category (
  category_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE actor (
  actor_id INTEGER PRIMARY KEY,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_actor_last_name ON actor(last_name);
CREATE TABLE film (
  film_id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  release_year INTEGER,
  language_id INTEGER NOT NULL REFERENCES language(language_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  original_language_id INTEGER REFERENCES language(language_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  rental_duration INTEGER NOT NULL DEFAULT 3,
  rental_rate REAL NOT NULL DEFAULT 4.99,
  length INTEGER,
  replacement_cost REAL NOT NULL DEFAULT 19.99,
  rating TEXT DEFAULT 'G' CHECK (rating IN ('G','PG','PG-13','R','NC-17')),
  special_features TEXT,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_title ON film(title);
CREATE TABLE film_actor (
  actor_id INTEGER NOT NULL REFERENCES actor(actor_id) ON DELETE CASCADE ON UPDATE CASCADE,
  film_id INTEGER NOT NULL REFERENCES film(film_id) ON DELETE CASCADE ON UPDATE CASCADE,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (actor_id, film_id));
CREATE TABLE film_category (
  film_id INTEGER NOT NULL REFERENCES film(film_id) ON DELETE CASCADE ON UPDATE CASCADE,
  category_id INTEGER NOT NULL REFERENCES category(category_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (film_id, category_id));
CREATE TABLE film_text (
  film_id INTEGER NOT NULL PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT);
CREATE TABLE staff (
  staff_id INTEGER PRIMARY KEY,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  address_id INTEGER NOT NULL REFERENCES address(address_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  picture BLOB,
  email TEXT,
  store_id INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  username TEXT NOT NULL,
  password TEXT,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE store (
  store_id INTEGER PRIMARY KEY,
  manager_staff_id INTEGER NOT NULL UNIQUE REFERENCES staff(staff_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  address_id INTEGER NOT NULL REFERENCES address(address_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE customer (
  customer_id INTEGER PRIMARY KEY,
  store_id INTEGER NOT NULL REFERENCES store(store_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  email TEXT,
  address_id INTEGER NOT NULL REFERENCES address(address_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  active INTEGER NOT NULL DEFAULT 1,
  create_date TEXT NOT NULL,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_last_name ON customer(last_name);
CREATE TABLE inventory (
  inventory_id INTEGER PRIMARY KEY,
  film_id INTEGER NOT NULL REFERENCES film(film_id) ON DELETE CASCADE ON UPDATE CASCADE,
  store_id INTEGER NOT NULL REFERENCES store(store_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE rental (
  rental_id INTEGER PRIMARY KEY,
  rental_date TEXT NOT NULL,
  inventory_id INTEGER NOT NULL REFERENCES inventory(inventory_id) ON DELETE CASCADE ON UPDATE CASCADE,
  customer_id INTEGER NOT NULL REFERENCES customer(customer_id) ON DELETE CASCADE ON UPDATE CASCADE,
  return_date TEXT,
  staff_id INTEGER NOT NULL REFERENCES staff(staff_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (rental_date, inventory_id, customer_id));
CREATE TABLE payment (
  payment_id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customer(customer_id) ON DELETE CASCADE ON UPDATE CASCADE,
  staff_id INTEGER NOT NULL REFERENCES staff(staff_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  rental_id INTEGER REFERENCES rental(rental_id) ON DELETE SET NULL ON UPDATE CASCADE,
  amount REAL NOT NULL,
  payment_date TEXT NOT NULL,
  last_update TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX idx_fk_staff_id ON payment(staff_id);
CREATE TRIGGER customer_last_update AFTER UPDATE ON customer
BEGIN UPDATE customer SET last_update = CURRENT_TIMESTAMP WHERE rowid = new.rowid; END;
CREATE TRIGGER rental_last_update AFTER UPDATE ON rental
BEGIN UPDATE rental SET last_update = CURRENT_TIMESTAMP WHERE rowid = new.rowid; END;
CREATE TRIGGER film_last_update AFTER UPDATE ON film
BEGIN UPDATE film SET last_update = CURRENT_TIMESTAMP WHERE rowid = new.rowid; END;
