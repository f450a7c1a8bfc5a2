#include "ext/core/text.h"

namespace doctor {

absl::string_view Utf8Prefix(absl::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t n = max;
  // text[n] is the first byte left out: while it continues a character, that character goes too.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

}  // namespace doctor
