#include "ext/indexes/settings.h"

namespace doctor::indexes {

Setting kUnusedMinCalls = Setting::Int(
    "lint_unused_min_calls", 1000, 1, 1000000000,
    "index_lint calls an index unused (DROP INDEX) only after query_stats has captured at least "
    "this many calls.");
Setting kUnusedMinQueries = Setting::Int(
    "lint_unused_min_queries", 10, 1, 1000000,
    "index_lint calls an index unused (DROP INDEX) only after query_stats has captured at least "
    "this many distinct query shapes.");
Setting kUnusedMinHours = Setting::Int(
    "lint_unused_min_hours", 24, 0, 87600,
    "index_lint calls an index unused (DROP INDEX) only after query_stats has captured calls "
    "over at least this many hours, first to last (a daily cycle: a nightly job's queries count).");

}  // namespace doctor::indexes
