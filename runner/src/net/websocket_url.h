// Internal: the parts of a ws:// or wss:// URL that a WebSocket client connects with.
#ifndef TETHER_RUNNER_NET_WEBSOCKET_URL_H_
#define TETHER_RUNNER_NET_WEBSOCKET_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tether::net {

struct WebSocketUrl {
  bool tls = false;         // wss://
  std::string host;         // without brackets for IPv6
  std::uint16_t port = 0;   // explicit, or 443 / 80 by scheme
  std::string target;       // path and query, at least "/"; the fragment is dropped

  // "host:port", IPv6 in brackets: for error messages.
  std::string HostAndPort() const;
  // The Host header: the port only when it is not the scheme's default (RFC 7230 section 5.4).
  std::string HostHeader() const;
};

// Accepts ws:// and wss:// (case-insensitive) with an optional port, path and query. User info
// is rejected: credentials travel in the Sec-WebSocket-Protocol header, never in the URL.
absl::StatusOr<WebSocketUrl> ParseWebSocketUrl(std::string_view url);

}  // namespace tether::net

#endif  // TETHER_RUNNER_NET_WEBSOCKET_URL_H_
