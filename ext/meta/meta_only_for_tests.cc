// For tests of core and meta (//ext/meta:meta_only_for_tests): testing::Db registers the meta
// area alone, so they link nothing of the other areas.
#include "ext/core/testing_areas.h"
#include "ext/meta/meta.h"

namespace doctor::testing {

absl::Span<const Area* const> AreasUnderTest() {
  static const Area* const kAreas[] = {&kMetaArea};
  return kAreas;
}

}  // namespace doctor::testing
