// Test helpers that read and write a database's <db>-doctor store directly, as another process
// (or an attacker) would: plain SQLite on the file, without the extension's help.
#ifndef DOCTOR_TIMING_STORE_TESTING_H_
#define DOCTOR_TIMING_STORE_TESTING_H_

#include <string>

namespace doctor::timing::testing {

// Runs `sql` on `app`'s store file; "" on success, else SQLite's error message.
std::string OnStore(const std::string& app, const std::string& sql);

// The first column of the first row of `sql` on `app`'s store file (opened read-only): its text,
// "NULL", "(none)" when there is no row, or SQLite's error message when it cannot run.
std::string StoreValue(const std::string& app, const std::string& sql);

}  // namespace doctor::timing::testing

#endif  // DOCTOR_TIMING_STORE_TESTING_H_
