// What SQL text says about its joins, for the join step of the scratch sample
// (scratch_partners.h): the equalities between columns of two tables, the aliases, and the
// joins written with USING or NATURAL. Pure, no SQLite; quotes and comments are skipped.
//
// Example:
//   JoinEqualities("SELECT * FROM part p JOIN items USING (part_id) WHERE p.k = items.k")[0]
//     .equalities == {{{"p", "k"}, {"items", "k"}}}
//     .using_joins == {{.left = {"p"}, .right = "items", .columns = {"part_id"}}}
#ifndef DOCTOR_INDEXES_SQL_JOINS_H_
#define DOCTOR_INDEXES_SQL_JOINS_H_

#include <string>
#include <utility>
#include <vector>

namespace doctor::indexes {

// A column reference: "l.l_orderkey" is {"l", "l_orderkey"}; qualifier "" when absent.
struct ColumnRef {
  std::string qualifier, column;
};
// A join written `JOIN t USING (a, b)` or `NATURAL JOIN t`: SQLite makes it the equalities of the
// named columns (NATURAL: of every column of t that a table before it has), each with the
// leftmost table before the join that has the column. Which columns a table has is the
// schema's business: the caller resolves them.
struct UsingJoin {
  std::vector<std::string> left;     // the tables before the join (alias or name), in order
  std::string right;                 // the joined table (alias or name)
  std::vector<std::string> columns;  // USING's columns; empty for NATURAL
  bool natural = false;
};
struct StatementJoins {
  std::vector<std::pair<ColumnRef, ColumnRef>> equalities;
  std::vector<std::pair<std::string, std::string>> aliases;
  std::vector<std::string> words;
  std::vector<UsingJoin> using_joins;
};

// What the statements of `sql` (split at ';') say about their joins: each equality between two
// column references ("l.l_orderkey = o.o_orderkey", "p_partkey = l_partkey"; qualifier "" when
// absent), each `word [AS] alias` pair (the caller keeps those whose word names a table), every
// word, quoted or not (the tables it names are among them), and the USING and NATURAL joins of
// each FROM clause (a subquery's own FROM clause apart; a subquery as a table is its alias, or
// "").
std::vector<StatementJoins> JoinEqualities(const std::string& sql);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SQL_JOINS_H_
