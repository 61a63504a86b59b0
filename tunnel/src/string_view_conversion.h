// Debian's Abseil has its own absl::string_view, which does not convert implicitly to or from
// std::string_view; these make the conversions explicit and cheap (no copy).
#ifndef TETHER_TUNNEL_STRING_VIEW_CONVERSION_H_
#define TETHER_TUNNEL_STRING_VIEW_CONVERSION_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace tether {

inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }
inline std::string_view ToStd(absl::string_view text) { return {text.data(), text.size()}; }

}  // namespace tether

#endif  // TETHER_TUNNEL_STRING_VIEW_CONVERSION_H_
