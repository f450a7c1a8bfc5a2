#include "ext/core/text.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace doctor {

std::string HumanDecimal(double value, int decimals) {
  constexpr int kMostDecimals = 9;
  // One place more than the first that shows a digit: 0.00067 at 2 places is 0.0007, not 0.001.
  int shown = decimals;
  if (value != 0 && std::isfinite(value)) {
    const double magnitude = std::fabs(value);
    while (shown < kMostDecimals && magnitude < 0.5 * std::pow(10.0, -shown)) ++shown;
    if (shown > decimals && shown < kMostDecimals) ++shown;
  }
  std::string text = absl::StrFormat("%.*f", shown, value);
  if (shown > decimals) {  // "0.040" is "0.04": the added places carry no trailing zeros
    const size_t keep = text.find('.') + 1 + decimals;
    while (text.size() > keep && text.back() == '0') text.pop_back();
  }
  return text;
}

std::string HumanBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return absl::StrCat(bytes, " bytes");
  double v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

absl::string_view Utf8Prefix(absl::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t n = max;
  // text[n] is the first byte left out: while it continues a character, that character goes too.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

std::string ShortenMiddle(absl::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  // The marker's count has at most 20 digits: reserve its longest form.
  constexpr size_t kMarker = sizeof(" ...[ bytes left out]... ") - 1 + 20;
  if (max <= kMarker) return std::string(Utf8Prefix(text, max));
  const size_t keep = max - kMarker;
  const absl::string_view head = Utf8Prefix(text, keep - keep / 3);
  size_t tail_start = text.size() - keep / 3;
  // A tail starting inside a character starts at the next one.
  while (tail_start < text.size() &&
         (static_cast<unsigned char>(text[tail_start]) & 0xC0) == 0x80) {
    ++tail_start;
  }
  return absl::StrCat(head, " ...[", tail_start - head.size(), " bytes left out]... ",
                      text.substr(tail_start));
}

std::string JoinFirst(const std::vector<std::string>& items, absl::string_view separator,
                      size_t max) {
  if (items.size() <= max) return absl::StrJoin(items, separator);
  std::string out = absl::StrJoin(items.begin(), items.begin() + max, separator);
  absl::StrAppend(&out, max > 0 ? separator : "", "and ", items.size() - max, " more");
  return out;
}

}  // namespace doctor
