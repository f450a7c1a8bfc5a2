// Cutting text for display without splitting a UTF-8 character. Pure C++.
//
// Example:
//   Utf8Prefix("caf\xC3\xA9", 4) == "caf"  // the 2-byte é does not fit whole
#ifndef DOCTOR_CORE_TEXT_H_
#define DOCTOR_CORE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace doctor {

// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
absl::string_view Utf8Prefix(absl::string_view text, size_t max);

// `text` when it has at most `max` bytes; else its start and its end around
// " ...[N bytes left out]... ", `max` bytes or fewer in all, cut on character boundaries. For
// messages that quote their input (SQLite's `near "<a 1 MB token>": syntax error`): both the
// start of the quote and what the message says after it stay.
std::string ShortenMiddle(absl::string_view text, size_t max);

// The first `max` items joined by `separator`, then "and N more" for the rest, so that an error
// about 100,000 files stays readable: JoinFirst({"a", "b", "c"}, "; ", 2) == "a; b; and 1 more".
std::string JoinFirst(const std::vector<std::string>& items, absl::string_view separator,
                      size_t max);

// A size for people: "512 bytes", "1.5 KiB", "1.8 MiB", "2.1 GiB" (powers of 1024, one decimal,
// labelled as such: "1.8 MB" for 1895232 bytes read as 1.9 million bytes next to `ls -l`).
// Never "0.0": under 1 KiB it is in bytes.
std::string HumanBytes(uint64_t bytes);

// `value` with `decimals` places, more for a value that would round to 0 at that many (never a
// false 0): HumanDecimal(0.045, 1) == "0.045", HumanDecimal(12.34, 1) == "12.3",
// HumanDecimal(0.00067, 2) == "0.0007", HumanDecimal(0, 1) == "0.0". A failed run of 0.045 ms
// read "took 0.0 ms", as if it had taken no time. At most 9 places (1e-12 stays "0.0").
std::string HumanDecimal(double value, int decimals);

}  // namespace doctor

#endif  // DOCTOR_CORE_TEXT_H_
