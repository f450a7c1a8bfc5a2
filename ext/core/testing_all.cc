// //ext/core:testing: testing::Db registers the whole extension, as `.load` does.
#include "ext/core/testing_entry.h"

struct sqlite3;
struct sqlite3_api_routines;
extern "C" int sqlite3_doctor_init(sqlite3*, char**, const sqlite3_api_routines*);

namespace doctor::testing::internal {

AutoExtension EntryPointForTests() { return reinterpret_cast<AutoExtension>(sqlite3_doctor_init); }

}  // namespace doctor::testing::internal
