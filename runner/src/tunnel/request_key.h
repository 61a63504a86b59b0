// RequestKey: how the tunnel names one client request or WebSocket — the gateway's id and its
// request id, stable across hibernation and across runners.
//
// Threading: a value type.
#ifndef TETHER_RUNNER_TUNNEL_REQUEST_KEY_H_
#define TETHER_RUNNER_TUNNEL_REQUEST_KEY_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "tether/bare/hex.h"

namespace tether::tunnel {

using RequestKey = std::pair<std::array<std::uint8_t, 4>, std::array<std::uint8_t, 4>>;

// 16 lowercase hex digits: gateway id, then request id.
inline std::string ToHex(const RequestKey& key) {
  std::array<std::uint8_t, 8> bytes{};
  std::copy(key.first.begin(), key.first.end(), bytes.begin());
  std::copy(key.second.begin(), key.second.end(), bytes.begin() + 4);
  return bare::HexEncode(bytes);
}

// Message indexes are u16 counters that wrap; `a` is after `b` when it is less than half the
// range ahead (the gateway's rule).
inline bool IndexAfter(std::uint16_t a, std::uint16_t b) {
  return a != b && static_cast<std::uint16_t>(a - b) < 32768;
}

}  // namespace tether::tunnel

#endif  // TETHER_RUNNER_TUNNEL_REQUEST_KEY_H_
