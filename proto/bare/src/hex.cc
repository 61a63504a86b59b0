#include "tether/bare/hex.h"

#include <cctype>

#include "absl/strings/str_cat.h"

namespace tether::bare {
namespace {

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HexEncode(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  return hex;
}

absl::StatusOr<Bytes> HexDecode(std::string_view text, bool skip_whitespace) {
  Bytes bytes;
  bytes.reserve(text.size() / 2);
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (skip_whitespace && std::isspace(static_cast<unsigned char>(text[i]))) continue;
    const int v = DigitValue(text[i]);
    if (v < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid hex digit '", absl::string_view(&text[i], 1), "' at character ", i));
    }
    if (high < 0) {
      high = v;
    } else {
      bytes.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) return absl::InvalidArgumentError("odd number of hex digits");
  return bytes;
}

}  // namespace tether::bare
