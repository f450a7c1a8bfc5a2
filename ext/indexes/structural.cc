#include "ext/indexes/structural.h"

#include <algorithm>
#include <map>

namespace doctor::indexes {

std::vector<Recommendation> StructuralAdvice(const CandidatePool& pool) {
  std::map<int, std::vector<int>> statements;  // candidate -> statements
  for (const auto& [candidate, statement] : pool.structural) {
    std::vector<int>& list = statements[candidate];
    if (std::find(list.begin(), list.end(), statement) == list.end()) list.push_back(statement);
  }
  std::vector<Recommendation> out;
  for (const auto& [candidate, list] : statements) {
    bool covered = false;
    for (const auto& [other, unused] : statements) {
      const IndexDef& a = pool.indexes[candidate];
      const IndexDef& b = pool.indexes[other];
      covered |= other != candidate && IsPrefixOf(a, b) && a.parts.size() < b.parts.size();
    }
    if (covered) continue;
    Recommendation rec;
    rec.index = pool.indexes[candidate];
    rec.bytes = pool.bytes[candidate];
    rec.statements = list;
    rec.basis = "structural";
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace doctor::indexes
