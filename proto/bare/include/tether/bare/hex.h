// Hex text for byte strings: how frames and byte fields are shown to people (`tether proto`, the
// JSON form of BARE values, test output).
//
// Threading: pure functions.
#ifndef TETHER_BARE_HEX_H_
#define TETHER_BARE_HEX_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tether/bare/codec.h"

namespace tether::bare {

// Lowercase, two digits per byte.
std::string HexEncode(std::span<const std::uint8_t> bytes);

// Accepts upper- and lowercase digits; with `skip_whitespace`, spaces and newlines between digits
// are ignored (frames pasted from logs). Errors name the offending character and its position.
absl::StatusOr<Bytes> HexDecode(std::string_view text, bool skip_whitespace = false);

}  // namespace tether::bare

#endif  // TETHER_BARE_HEX_H_
