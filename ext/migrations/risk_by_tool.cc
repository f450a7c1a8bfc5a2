#include "ext/migrations/risk_by_tool.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

constexpr char kIgnored[] =
    "PRAGMA foreign_keys=OFF is ignored inside the transaction Drizzle's migrator runs it in";

bool Fails(const Finding& f) {
  return f.severity == "error" && f.kind != "view_blocks_rebuild" && f.kind != "pragma_no_effect" &&
         f.kind != "fk_mismatch";
}

// A foreign key the migration makes unusable (fk_mismatch errors): migrate() checks every key
// before COMMIT only when it turns foreign keys off around the migration.
std::string MakesAnUnusableKey(bool fk_guard) {
  if (fk_guard) return "fails and rolls back: it cannot check this key's rows before COMMIT";
  return "applies; then, with foreign keys on, SQLite refuses the writes named";
}

std::string UnderMigrateDir(const Finding& f, bool fk_guard) {
  if (f.kind == "statement_refused") return "refused: nothing runs";
  if (f.kind == "pragma_no_effect" && f.severity == "error") {
    return "refused inside the caller's transaction: nothing runs";
  }
  if (Fails(f)) return "fails and rolls back: nothing is applied";
  if (f.kind == "fk_mismatch" && f.severity == "error") return MakesAnUnusableKey(fk_guard);
  if (f.kind == "table_rebuild" && fk_guard) {
    return "rebuilt with foreign keys off around the transaction (checked before COMMIT): no "
           "child row deleted";
  }
  if (f.kind == "pragma_no_effect" && f.object == "foreign_keys" && fk_guard) {
    return "foreign keys turned off around the transaction instead";
  }
  return "as described";
}

// What Drizzle's run did at each statement: the rows its cascades deleted, its failure.
struct DrizzleRun {
  std::map<size_t, std::vector<const Finding*>> cascades;  // statement -> cascade findings
  size_t failed_at = 0;                                    // 0: it did not fail
  std::string failure;
};

DrizzleRun Summarize(const std::vector<Finding>& drizzle) {
  DrizzleRun out;
  for (const Finding& f : drizzle) {
    if (f.kind == "cascade") out.cascades[f.statement].push_back(&f);
    if ((f.kind == "statement_failed" || f.kind == "statement_refused") && out.failed_at == 0) {
      out.failed_at = f.statement;
      out.failure = f.detail;
    }
  }
  return out;
}

std::string CascadeText(const std::vector<const Finding*>& cascades) {
  std::vector<std::string> parts;
  for (const Finding* c : cascades) parts.push_back(absl::StrCat(c->rows, " row(s) of ", c->object));
  return absl::StrCat("deletes ", absl::StrJoin(parts, ", "), " through ON DELETE CASCADE (",
                      kIgnored, ")");
}

std::string UnderDrizzle(const Finding& f, const DrizzleRun& run, bool fk_guard) {
  if (run.failed_at != 0 && f.statement == run.failed_at) {
    return absl::StrCat("fails and rolls back: ", run.failure);
  }
  if (run.failed_at != 0 && (f.statement == 0 || f.statement > run.failed_at)) {
    return absl::StrCat("not reached: it fails at statement ", run.failed_at, " and rolls back");
  }
  auto c = run.cascades.find(f.statement);
  if (f.statement != 0 && c != run.cascades.end() &&
      (f.kind == "table_rebuild" || f.kind == "destructive")) {
    return CascadeText(c->second);
  }
  if (f.kind == "pragma_no_effect" && f.object == "foreign_keys") {
    return "ignored: foreign keys stay on inside its transaction";
  }
  if (f.kind == "fk_mismatch" && f.severity == "error") return MakesAnUnusableKey(false);
  return UnderMigrateDir(f, fk_guard);
}

bool HasCascade(const std::vector<Finding>& findings, size_t statement, const std::string& table) {
  for (const Finding& f : findings) {
    if (f.kind == "cascade" && f.statement == statement && f.object == table) return true;
  }
  return false;
}

// Findings that exist only under Drizzle's migrator.
std::vector<Finding> OnlyUnderDrizzle(const std::vector<std::string>& statements,
                                      const std::vector<Finding>& findings,
                                      const std::vector<Finding>& drizzle) {
  std::vector<Finding> out;
  const size_t n = statements.size();
  for (const Finding& d : drizzle) {
    if (d.statement == 0 || d.statement > n) continue;
    const std::string where = absl::StrCat("statement ", d.statement, " of ", n, " (",
                                           Excerpt(statements[d.statement - 1], 60), ")");
    if (d.kind == "cascade" && !HasCascade(findings, d.statement, d.object)) {
      Finding f{"warning", "drizzle_cascade", d.object,
                absl::StrCat(where, ": under Drizzle's migrator (or drizzle-kit migrate) it deletes ",
                             d.rows, " row(s) of ", d.object, " through ON DELETE CASCADE, counted "
                             "on this database: ", kIgnored, ". migrate_dir deletes none"),
                d.statement, d.rows};
      f.migrate_dir = "deletes none";
      f.drizzle = absl::StrCat("deletes ", d.rows, " row(s) of ", d.object);
      out.push_back(std::move(f));
    } else if (d.kind == "statement_failed") {
      bool same = false;
      for (const Finding& g : findings) same = same || (g.kind == d.kind && g.statement == d.statement);
      if (same) continue;
      Finding f{"warning", "drizzle_fails", absl::StrCat("statement ", d.statement),
                absl::StrCat("under Drizzle's migrator (or drizzle-kit migrate), with foreign keys "
                             "on: ", d.detail),
                d.statement};
      f.migrate_dir = "applies";
      f.drizzle = "fails and rolls back";
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace

void DescribePerTool(const std::vector<std::string>& statements, bool fk_guard,
                     const std::vector<Finding>* drizzle, std::vector<Finding>* findings) {
  const DrizzleRun run = drizzle != nullptr ? Summarize(*drizzle) : DrizzleRun();
  for (Finding& f : *findings) {
    f.migrate_dir = UnderMigrateDir(f, fk_guard);
    f.drizzle = drizzle != nullptr ? UnderDrizzle(f, run, fk_guard) : f.migrate_dir;
  }
  if (drizzle == nullptr) return;
  for (Finding& f : OnlyUnderDrizzle(statements, *findings, *drizzle)) {
    findings->push_back(std::move(f));
  }
}

}  // namespace doctor::migrations
