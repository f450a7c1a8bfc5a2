#include "ext/timing/settings.h"

namespace doctor::timing {

Setting kTimingOn = Setting::Bool(
    "timing", true, "Time every statement of every connection that loaded the extension.");
Setting kStatsMax = Setting::Int(
    "stats_max", 5000, 1, 1000000,
    "Most query shapes kept in query_stats; the least used are evicted beyond it.");
Setting kSlowMs = Setting::Int("slow_ms", 100, 0, 86400000,
                               "Statements at least this slow (ms) go to slow_queries.");
Setting kSlowMax = Setting::Int("slow_max", 1000, 0, 1000000,
                                "Most statements kept in the slow_queries ring.");
Setting kSlowParams = Setting::Bool(
    "slow_params", false,
    "Keep the expanded SQL (with bound values) of slow statements; off for privacy.");
Setting kStatsShareMs = Setting::Int(
    "stats_share_ms", 500, 0, 60000,
    "A background thread adds each process's query statistics to the shared <db>-doctor store "
    "every N ms (0: only on query_stats_flush()).");
Setting kStatsShareExamples = Setting::Bool(
    "stats_share_examples", false,
    "Write each query's literal example (the SQL as written, literals included) to the "
    "<db>-doctor sidecar; off: only the normalized text leaves the process.");

}  // namespace doctor::timing
