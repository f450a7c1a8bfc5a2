// Test helpers that read and write a database's <db>-doctor store directly, as another process
// (or an attacker) would: plain SQLite on the file, without the extension's help; and the one
// fixture of the store tests (store_test, merge_test, sidecar_test, plan_changes_store_test).
#ifndef DOCTOR_TIMING_STORE_TESTING_H_
#define DOCTOR_TIMING_STORE_TESTING_H_

#include <string>

#include "gtest/gtest.h"

namespace doctor::timing::testing {

// Every test starts and ends with empty figures and the default settings of the store tests:
// timing on, no background flusher (stats_share_ms 0: flushes are explicit), stats_max 5000,
// slow_ms 100, slow_max 1000, no literal examples shared.
class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
};

// A steady clock in milliseconds, for "returns within 1 s" checks.
double NowMs();

// Runs `sql` on `app`'s store file; "" on success, else SQLite's error message.
std::string OnStore(const std::string& app, const std::string& sql);

// The first column of the first row of `sql` on `app`'s store file (opened read-only): its text,
// "NULL", "(none)" when there is no row, or SQLite's error message when it cannot run.
std::string StoreValue(const std::string& app, const std::string& sql);

}  // namespace doctor::timing::testing

#endif  // DOCTOR_TIMING_STORE_TESTING_H_
