#include "ext/core/text.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace doctor {

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
