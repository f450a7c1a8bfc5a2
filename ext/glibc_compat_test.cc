// The fallback of _dl_find_object (for glibc before 2.35) gives what glibc's own gives.
#include <dlfcn.h>

#include "gtest/gtest.h"

extern "C" int doctor_find_object_by_phdr(void* pc, struct dl_find_object* result);

namespace {

int Marker() { return 42; }

// What the unwinder uses: the object holding the address, and that object's unwind table.
void ExpectSameObject(void* pc) {
  struct dl_find_object theirs = {}, ours = {};
  ASSERT_EQ(_dl_find_object(pc, &theirs), 0);
  ASSERT_EQ(doctor_find_object_by_phdr(pc, &ours), 0);
  EXPECT_EQ(ours.dlfo_map_start, theirs.dlfo_map_start);
  EXPECT_LT(pc, ours.dlfo_map_end);
  EXPECT_EQ(ours.dlfo_eh_frame, theirs.dlfo_eh_frame);
  EXPECT_NE(ours.dlfo_eh_frame, nullptr);
}

TEST(GlibcCompatTest, FindObjectFallbackAgreesWithGlibc) {
  ExpectSameObject(reinterpret_cast<void*>(&Marker));        // the program
  ExpectSameObject(reinterpret_cast<void*>(&dladdr));        // libc
  struct dl_find_object none = {};
  EXPECT_EQ(doctor_find_object_by_phdr(nullptr, &none), -1);
}

}  // namespace
