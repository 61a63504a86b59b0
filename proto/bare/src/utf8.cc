#include <cstdint>
#include <string_view>

#include "tether/bare/codec.h"

namespace tether::bare {

// Follows the table of well-formed byte sequences in the Unicode standard (ch. 3, table 3-7),
// which is what a fatal TextDecoder, and so the official codec, accepts.
bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const std::uint8_t* const end = p + s.size();
  while (p < end) {
    const std::uint8_t b = *p;
    if (b < 0x80) {
      ++p;
      continue;
    }
    int tail = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      tail = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      tail = 2;
      if (b == 0xe0) lo = 0xa0;  // overlong
      if (b == 0xed) hi = 0x9f;  // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      tail = 3;
      if (b == 0xf0) lo = 0x90;  // overlong
      if (b == 0xf4) hi = 0x8f;  // beyond U+10FFFF
    } else {
      return false;
    }
    if (end - p <= tail) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= tail; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
    }
    p += tail + 1;
  }
  return true;
}

}  // namespace tether::bare
