// Representative values for the parameters of the hot queries migrate_check replays (replay.h):
// a query captured with `?` (a driver's placeholders) and replayed with NULL plans as SQLite
// plans any value, but a partial index (`WHERE state = 'queued'`) serves it only for its value,
// and a search for NULL matches nothing, so its steps say nothing about the real cost.
//
// Where the values come from, first that has them:
//   1. the timing area: a slow run of the query kept with its bound values (slow_queries.params,
//      the expanded SQL, only when the slow_params setting is on): that SQL is replayed;
//   2. the data: the index advisor's parameter guessing (indexes::LoadStatement on a sample
//      copy of the database: the value a partial index's WHERE names for its column, else the
//      rarest value of a status-like column, the middle row's, a quantile for a range, 10 for a
//      LIMIT), with HotQuery::assumed saying what was assumed ("state = 'queued' (partial index
//      WHERE)").
// A query whose values cannot be guessed keeps NULL (and the finding says so).
#ifndef DOCTOR_MIGRATIONS_REPLAY_PARAMS_H_
#define DOCTOR_MIGRATIONS_REPLAY_PARAMS_H_

#include <vector>

#include "absl/status/status.h"
#include "ext/core/connection.h"
#include "ext/migrations/check.h"

namespace doctor::migrations {

// Fills `params` and `assumed` (or replaces `sql` by a captured run's) of every query of `hot`
// that has parameters. Reads the caller's database only; a query it cannot help is left as is.
absl::Status ChooseParameters(Connection& caller, std::vector<HotQuery>* hot);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_REPLAY_PARAMS_H_
