// Which extension entry point testing::Db registers: the whole extension (//ext/core:testing) or
// only the areas a test names (//ext/core:testing_areas). Each of the two libraries defines it.
#ifndef DOCTOR_CORE_TESTING_ENTRY_H_
#define DOCTOR_CORE_TESTING_ENTRY_H_

namespace doctor::testing::internal {

using AutoExtension = void (*)(void);
AutoExtension EntryPointForTests();

}  // namespace doctor::testing::internal

#endif  // DOCTOR_CORE_TESTING_ENTRY_H_
