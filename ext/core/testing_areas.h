// //ext/core:testing_areas: testing::Db registers only the areas a test names, so the test links
// only what it tests (a WAL test does not link the advisor). The test defines AreasUnderTest():
//
// Example:
//   namespace doctor::testing {
//   absl::Span<const Area* const> AreasUnderTest() {
//     static const Area* const kAreas[] = {&kMetaArea, &kWalArea};
//     return kAreas;
//   }
//   }  // namespace doctor::testing
#ifndef DOCTOR_CORE_TESTING_AREAS_H_
#define DOCTOR_CORE_TESTING_AREAS_H_

#include "absl/types/span.h"
#include "ext/core/area.h"

namespace doctor::testing {

absl::Span<const Area* const> AreasUnderTest();  // defined by the test

}  // namespace doctor::testing

#endif  // DOCTOR_CORE_TESTING_AREAS_H_
