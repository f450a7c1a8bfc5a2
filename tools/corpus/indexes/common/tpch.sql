--@ schema
CREATE TABLE region(r_regionkey INTEGER PRIMARY KEY, r_name TEXT, r_comment TEXT);
CREATE TABLE nation(n_nationkey INTEGER PRIMARY KEY, n_name TEXT, n_regionkey INTEGER, n_comment TEXT);
CREATE TABLE supplier(s_suppkey INTEGER PRIMARY KEY, s_name TEXT, s_address TEXT, s_nationkey INTEGER,
  s_phone TEXT, s_acctbal REAL, s_comment TEXT);
CREATE TABLE customer(c_custkey INTEGER PRIMARY KEY, c_name TEXT, c_address TEXT, c_nationkey INTEGER,
  c_phone TEXT, c_acctbal REAL, c_mktsegment TEXT, c_comment TEXT);
CREATE TABLE part(p_partkey INTEGER PRIMARY KEY, p_name TEXT, p_mfgr TEXT, p_brand TEXT, p_type TEXT,
  p_size INTEGER, p_container TEXT, p_retailprice REAL, p_comment TEXT);
CREATE TABLE partsupp(ps_partkey INTEGER, ps_suppkey INTEGER, ps_availqty INTEGER, ps_supplycost REAL,
  ps_comment TEXT, PRIMARY KEY(ps_partkey, ps_suppkey));
CREATE TABLE orders(o_orderkey INTEGER PRIMARY KEY, o_custkey INTEGER, o_orderstatus TEXT,
  o_totalprice REAL, o_orderdate TEXT, o_orderpriority TEXT, o_clerk TEXT, o_shippriority INTEGER,
  o_comment TEXT);
CREATE TABLE lineitem(l_orderkey INTEGER, l_partkey INTEGER, l_suppkey INTEGER, l_linenumber INTEGER,
  l_quantity REAL, l_extendedprice REAL, l_discount REAL, l_tax REAL, l_returnflag TEXT,
  l_linestatus TEXT, l_shipdate TEXT, l_commitdate TEXT, l_receiptdate TEXT, l_shipinstruct TEXT,
  l_shipmode TEXT, l_comment TEXT, PRIMARY KEY(l_orderkey, l_linenumber));
--@ data
-- Scale SF: SF=1 is TPC-H SF 0.01, lineitem about 60k rows. h(x) is a fixed hash in 0..1000002.
INSERT INTO region SELECT value - 1, CASE value WHEN 1 THEN 'AFRICA' WHEN 2 THEN 'AMERICA'
  WHEN 3 THEN 'ASIA' WHEN 4 THEN 'EUROPE' ELSE 'MIDDLE EAST' END, 'r' FROM seq WHERE value <= 5;
INSERT INTO nation(n_nationkey, n_name, n_regionkey, n_comment) VALUES
  (0,'ALGERIA',0,''),(1,'ARGENTINA',1,''),(2,'BRAZIL',1,''),(3,'CANADA',1,''),(4,'EGYPT',4,''),
  (5,'ETHIOPIA',0,''),(6,'FRANCE',3,''),(7,'GERMANY',3,''),(8,'INDIA',2,''),(9,'INDONESIA',2,''),
  (10,'IRAN',4,''),(11,'IRAQ',4,''),(12,'JAPAN',2,''),(13,'JORDAN',4,''),(14,'KENYA',0,''),
  (15,'MOROCCO',0,''),(16,'MOZAMBIQUE',0,''),(17,'PERU',1,''),(18,'CHINA',2,''),(19,'ROMANIA',3,''),
  (20,'SAUDI ARABIA',4,''),(21,'VIETNAM',2,''),(22,'RUSSIA',3,''),(23,'UNITED KINGDOM',3,''),
  (24,'UNITED STATES',1,'');
INSERT INTO supplier SELECT value, 'Supplier#' || value, 'addr' || value, h(value) % 25,
  (10 + h(value) % 25) || '-' || (value % 1000), (h(value + 1) % 1100000) / 100.0 - 999.99,
  CASE WHEN value % 97 = 0 THEN 'slyly Customer unusual Complaints' ELSE 'regular deposits' END
  FROM seq WHERE value <= 100 * {SF};
INSERT INTO customer SELECT value, 'Customer#' || value, 'addr' || value, h(value + 2) % 25,
  (10 + h(value + 2) % 25) || '-' || (value % 1000), (h(value + 3) % 1100000) / 100.0 - 999.99,
  CASE h(value + 4) % 5 WHEN 0 THEN 'BUILDING' WHEN 1 THEN 'AUTOMOBILE' WHEN 2 THEN 'MACHINERY'
  WHEN 3 THEN 'HOUSEHOLD' ELSE 'FURNITURE' END, 'c' FROM seq WHERE value <= 1500 * {SF};
INSERT INTO part SELECT value,
  CASE h(value + 5) % 6 WHEN 0 THEN 'forest green drab' WHEN 1 THEN 'almond blue lace'
  WHEN 2 THEN 'ivory green puff' WHEN 3 THEN 'navy khaki rose' WHEN 4 THEN 'peru ghost sky'
  ELSE 'linen tan olive' END || ' ' || value,
  'Manufacturer#' || (1 + value % 5), 'Brand#' || (1 + value % 5) || (1 + h(value) % 5),
  CASE h(value + 6) % 6 WHEN 0 THEN 'STANDARD' WHEN 1 THEN 'SMALL' WHEN 2 THEN 'MEDIUM'
  WHEN 3 THEN 'LARGE' WHEN 4 THEN 'ECONOMY' ELSE 'PROMO' END || ' ' ||
  CASE h(value + 7) % 5 WHEN 0 THEN 'ANODIZED' WHEN 1 THEN 'BURNISHED' WHEN 2 THEN 'PLATED'
  WHEN 3 THEN 'POLISHED' ELSE 'BRUSHED' END || ' ' ||
  CASE h(value + 8) % 5 WHEN 0 THEN 'TIN' WHEN 1 THEN 'NICKEL' WHEN 2 THEN 'BRASS'
  WHEN 3 THEN 'STEEL' ELSE 'COPPER' END,
  1 + h(value + 9) % 50,
  CASE h(value + 10) % 4 WHEN 0 THEN 'SM' WHEN 1 THEN 'MED' WHEN 2 THEN 'LG' ELSE 'JUMBO' END || ' ' ||
  CASE h(value + 11) % 4 WHEN 0 THEN 'BOX' WHEN 1 THEN 'CASE' WHEN 2 THEN 'PACK' ELSE 'BAG' END,
  900 + value % 1000, 'c' FROM seq WHERE value <= 2000 * {SF};
INSERT INTO partsupp SELECT 1 + (value - 1) / 4, 1 + (value * 13 + (value - 1) / 4) % (100 * {SF}),
  1 + h(value + 12) % 9999, (h(value + 13) % 100000) / 100.0, 'c' FROM seq WHERE value <= 8000 * {SF};
INSERT INTO orders SELECT value, 1 + (h(value + 14) * h(value + 14) % 1000003) % (1500 * {SF}),
  CASE h(value + 15) % 3 WHEN 0 THEN 'F' WHEN 1 THEN 'O' ELSE 'P' END,
  (h(value + 16) % 50000000) / 100.0, date('1992-01-01', '+' || (h(value + 17) % 2400) || ' days'),
  CASE h(value + 18) % 5 WHEN 0 THEN '1-URGENT' WHEN 1 THEN '2-HIGH' WHEN 2 THEN '3-MEDIUM'
  WHEN 3 THEN '4-NOT SPECIFIED' ELSE '5-LOW' END, 'Clerk#' || (h(value) % 1000), 0,
  CASE WHEN value % 50 = 0 THEN 'special packages requests' ELSE 'furiously final' END
  FROM seq WHERE value <= 15000 * {SF};
INSERT INTO lineitem SELECT o.o_orderkey, 1 + h(value + 19) % (2000 * {SF}),
  1 + h(value + 20) % (100 * {SF}), 1 + (value - 1) % 4, 1 + h(value + 21) % 50,
  (h(value + 22) % 10000000) / 100.0, (h(value + 23) % 11) / 100.0, (h(value + 24) % 9) / 100.0,
  CASE h(value + 25) % 3 WHEN 0 THEN 'R' WHEN 1 THEN 'A' ELSE 'N' END,
  CASE h(value + 26) % 2 WHEN 0 THEN 'O' ELSE 'F' END,
  date(o.o_orderdate, '+' || (1 + h(value + 27) % 120) || ' days'),
  date(o.o_orderdate, '+' || (30 + h(value + 28) % 60) || ' days'),
  date(o.o_orderdate, '+' || (2 + h(value + 27) % 120 + h(value + 29) % 30) || ' days'),
  CASE h(value + 30) % 4 WHEN 0 THEN 'DELIVER IN PERSON' WHEN 1 THEN 'COLLECT COD'
  WHEN 2 THEN 'NONE' ELSE 'TAKE BACK RETURN' END,
  CASE h(value + 31) % 7 WHEN 0 THEN 'MAIL' WHEN 1 THEN 'SHIP' WHEN 2 THEN 'AIR' WHEN 3 THEN 'AIR REG'
  WHEN 4 THEN 'RAIL' WHEN 5 THEN 'FOB' ELSE 'TRUCK' END, 'c'
  FROM seq JOIN orders o ON o.o_orderkey = 1 + (value - 1) / 4 WHERE value <= 60000 * {SF};
--@ workload
SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice), sum(l_extendedprice * (1 - l_discount)), sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)), avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*) FROM lineitem WHERE l_shipdate <= '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus;
SELECT s_acctbal, s_name, n_name, p_partkey, p_mfgr, s_address, s_phone, s_comment FROM part, supplier, partsupp, nation, region WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey AND p_size = 15 AND p_type LIKE '%BRASS' AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'EUROPE' AND ps_supplycost = (SELECT min(ps_supplycost) FROM partsupp, supplier, nation, region WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'EUROPE') ORDER BY s_acctbal DESC, n_name, s_name, p_partkey LIMIT 100;
SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority FROM customer, orders, lineitem WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate < '1995-03-15' AND l_shipdate > '1995-03-15' GROUP BY l_orderkey, o_orderdate, o_shippriority ORDER BY revenue DESC, o_orderdate LIMIT 10;
SELECT o_orderpriority, count(*) AS order_count FROM orders WHERE o_orderdate >= '1993-07-01' AND o_orderdate < '1993-10-01' AND EXISTS (SELECT * FROM lineitem WHERE l_orderkey = o_orderkey AND l_commitdate < l_receiptdate) GROUP BY o_orderpriority ORDER BY o_orderpriority;
SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue FROM customer, orders, lineitem, supplier, nation, region WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'ASIA' AND o_orderdate >= '1994-01-01' AND o_orderdate < '1995-01-01' GROUP BY n_name ORDER BY revenue DESC;
SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem WHERE l_shipdate >= '1994-01-01' AND l_shipdate < '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24;
SELECT supp_nation, cust_nation, l_year, sum(volume) AS revenue FROM (SELECT n1.n_name AS supp_nation, n2.n_name AS cust_nation, substr(l_shipdate, 1, 4) AS l_year, l_extendedprice * (1 - l_discount) AS volume FROM supplier, lineitem, orders, customer, nation n1, nation n2 WHERE s_suppkey = l_suppkey AND o_orderkey = l_orderkey AND c_custkey = o_custkey AND s_nationkey = n1.n_nationkey AND c_nationkey = n2.n_nationkey AND ((n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY') OR (n1.n_name = 'GERMANY' AND n2.n_name = 'FRANCE')) AND l_shipdate BETWEEN '1995-01-01' AND '1996-12-31') AS shipping GROUP BY supp_nation, cust_nation, l_year ORDER BY supp_nation, cust_nation, l_year;
SELECT o_year, sum(CASE WHEN nation = 'BRAZIL' THEN volume ELSE 0 END) / sum(volume) AS mkt_share FROM (SELECT substr(o_orderdate, 1, 4) AS o_year, l_extendedprice * (1 - l_discount) AS volume, n2.n_name AS nation FROM part, supplier, lineitem, orders, customer, nation n1, nation n2, region WHERE p_partkey = l_partkey AND s_suppkey = l_suppkey AND l_orderkey = o_orderkey AND o_custkey = c_custkey AND c_nationkey = n1.n_nationkey AND n1.n_regionkey = r_regionkey AND r_name = 'AMERICA' AND s_nationkey = n2.n_nationkey AND o_orderdate BETWEEN '1995-01-01' AND '1996-12-31' AND p_type = 'ECONOMY ANODIZED STEEL') AS all_nations GROUP BY o_year ORDER BY o_year;
SELECT nation, o_year, sum(amount) AS sum_profit FROM (SELECT n_name AS nation, substr(o_orderdate, 1, 4) AS o_year, l_extendedprice * (1 - l_discount) - ps_supplycost * l_quantity AS amount FROM part, supplier, lineitem, partsupp, orders, nation WHERE s_suppkey = l_suppkey AND ps_suppkey = l_suppkey AND ps_partkey = l_partkey AND p_partkey = l_partkey AND o_orderkey = l_orderkey AND s_nationkey = n_nationkey AND p_name LIKE '%green%') AS profit GROUP BY nation, o_year ORDER BY nation, o_year DESC;
SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue, c_acctbal, n_name, c_address, c_phone, c_comment FROM customer, orders, lineitem, nation WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate >= '1993-10-01' AND o_orderdate < '1994-01-01' AND l_returnflag = 'R' AND c_nationkey = n_nationkey GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment ORDER BY revenue DESC LIMIT 20;
SELECT ps_partkey, sum(ps_supplycost * ps_availqty) AS value FROM partsupp, supplier, nation WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY' GROUP BY ps_partkey HAVING sum(ps_supplycost * ps_availqty) > (SELECT sum(ps_supplycost * ps_availqty) * 0.0001 FROM partsupp, supplier, nation WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY') ORDER BY value DESC;
SELECT l_shipmode, sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END) AS high_line_count, sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END) AS low_line_count FROM orders, lineitem WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate AND l_shipdate < l_commitdate AND l_receiptdate >= '1994-01-01' AND l_receiptdate < '1995-01-01' GROUP BY l_shipmode ORDER BY l_shipmode;
SELECT c_count, count(*) AS custdist FROM (SELECT c_custkey, count(o_orderkey) AS c_count FROM customer LEFT OUTER JOIN orders ON c_custkey = o_custkey AND o_comment NOT LIKE '%special%requests%' GROUP BY c_custkey) AS c_orders GROUP BY c_count ORDER BY custdist DESC, c_count DESC;
SELECT 100.00 * sum(CASE WHEN p_type LIKE 'PROMO%' THEN l_extendedprice * (1 - l_discount) ELSE 0 END) / sum(l_extendedprice * (1 - l_discount)) AS promo_revenue FROM lineitem, part WHERE l_partkey = p_partkey AND l_shipdate >= '1995-09-01' AND l_shipdate < '1995-10-01';
WITH revenue0(supplier_no, total_revenue) AS (SELECT l_suppkey, sum(l_extendedprice * (1 - l_discount)) FROM lineitem WHERE l_shipdate >= '1996-01-01' AND l_shipdate < '1996-04-01' GROUP BY l_suppkey) SELECT s_suppkey, s_name, s_address, s_phone, total_revenue FROM supplier, revenue0 WHERE s_suppkey = supplier_no AND total_revenue = (SELECT max(total_revenue) FROM revenue0) ORDER BY s_suppkey;
SELECT p_brand, p_type, p_size, count(DISTINCT ps_suppkey) AS supplier_cnt FROM partsupp, part WHERE p_partkey = ps_partkey AND p_brand <> 'Brand#45' AND p_type NOT LIKE 'MEDIUM POLISHED%' AND p_size IN (49, 14, 23, 45, 19, 3, 36, 9) AND ps_suppkey NOT IN (SELECT s_suppkey FROM supplier WHERE s_comment LIKE '%Customer%Complaints%') GROUP BY p_brand, p_type, p_size ORDER BY supplier_cnt DESC, p_brand, p_type, p_size;
SELECT sum(l_extendedprice) / 7.0 AS avg_yearly FROM lineitem, part WHERE p_partkey = l_partkey AND p_brand = 'Brand#23' AND p_container = 'MED BOX' AND l_quantity < (SELECT 0.2 * avg(l_quantity) FROM lineitem WHERE l_partkey = p_partkey);
SELECT c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice, sum(l_quantity) FROM customer, orders, lineitem WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING sum(l_quantity) > 150) AND c_custkey = o_custkey AND o_orderkey = l_orderkey GROUP BY c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice ORDER BY o_totalprice DESC, o_orderdate LIMIT 100;
SELECT sum(l_extendedprice * (1 - l_discount)) AS revenue FROM lineitem, part WHERE (p_partkey = l_partkey AND p_brand = 'Brand#12' AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG') AND l_quantity >= 1 AND l_quantity <= 11 AND p_size BETWEEN 1 AND 5 AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON') OR (p_partkey = l_partkey AND p_brand = 'Brand#23' AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK') AND l_quantity >= 10 AND l_quantity <= 20 AND p_size BETWEEN 1 AND 10 AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON') OR (p_partkey = l_partkey AND p_brand = 'Brand#34' AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG') AND l_quantity >= 20 AND l_quantity <= 30 AND p_size BETWEEN 1 AND 15 AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON');
SELECT s_name, s_address FROM supplier, nation WHERE s_suppkey IN (SELECT ps_suppkey FROM partsupp WHERE ps_partkey IN (SELECT p_partkey FROM part WHERE p_name LIKE 'forest%') AND ps_availqty > (SELECT 0.5 * sum(l_quantity) FROM lineitem WHERE l_partkey = ps_partkey AND l_suppkey = ps_suppkey AND l_shipdate >= '1994-01-01' AND l_shipdate < '1995-01-01')) AND s_nationkey = n_nationkey AND n_name = 'CANADA' ORDER BY s_name;
SELECT s_name, count(*) AS numwait FROM supplier, lineitem l1, orders, nation WHERE s_suppkey = l1.l_suppkey AND o_orderkey = l1.l_orderkey AND o_orderstatus = 'F' AND l1.l_receiptdate > l1.l_commitdate AND EXISTS (SELECT * FROM lineitem l2 WHERE l2.l_orderkey = l1.l_orderkey AND l2.l_suppkey <> l1.l_suppkey) AND NOT EXISTS (SELECT * FROM lineitem l3 WHERE l3.l_orderkey = l1.l_orderkey AND l3.l_suppkey <> l1.l_suppkey AND l3.l_receiptdate > l3.l_commitdate) AND s_nationkey = n_nationkey AND n_name = 'SAUDI ARABIA' GROUP BY s_name ORDER BY numwait DESC, s_name LIMIT 100;
SELECT cntrycode, count(*) AS numcust, sum(c_acctbal) AS totacctbal FROM (SELECT substr(c_phone, 1, 2) AS cntrycode, c_acctbal FROM customer WHERE substr(c_phone, 1, 2) IN ('13', '31', '23', '29', '30', '18', '17') AND c_acctbal > (SELECT avg(c_acctbal) FROM customer WHERE c_acctbal > 0.00 AND substr(c_phone, 1, 2) IN ('13', '31', '23', '29', '30', '18', '17')) AND NOT EXISTS (SELECT * FROM orders WHERE o_custkey = c_custkey)) AS custsale GROUP BY cntrycode ORDER BY cntrycode;
