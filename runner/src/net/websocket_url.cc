#include "net/websocket_url.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tether::net {
namespace {

absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

absl::Status UrlError(std::string_view url, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("WebSocket URL \"", ToAbsl(url), "\": ", ToAbsl(problem)));
}

bool ParsePort(std::string_view text, std::uint16_t* port) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) return false;
  *port = static_cast<std::uint16_t>(value);
  return true;
}

bool DefaultPort(const WebSocketUrl& url) { return url.port == (url.tls ? 443 : 80); }

std::string BracketedHost(const WebSocketUrl& url) {
  return url.host.find(':') == std::string::npos ? url.host : absl::StrCat("[", url.host, "]");
}

}  // namespace

std::string WebSocketUrl::HostAndPort() const { return absl::StrCat(BracketedHost(*this), ":", port); }

std::string WebSocketUrl::HostHeader() const {
  return DefaultPort(*this) ? BracketedHost(*this) : HostAndPort();
}

absl::StatusOr<WebSocketUrl> ParseWebSocketUrl(std::string_view url) {
  WebSocketUrl parsed;
  std::string_view rest = url;
  if (absl::StartsWithIgnoreCase(ToAbsl(rest), "wss://")) {
    parsed.tls = true;
    rest.remove_prefix(6);
  } else if (absl::StartsWithIgnoreCase(ToAbsl(rest), "ws://")) {
    rest.remove_prefix(5);
  } else {
    return UrlError(url, "the scheme must be ws:// or wss://");
  }

  const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  const std::string_view authority = rest.substr(0, authority_end);
  std::string_view path_and_query = rest.substr(authority_end);
  path_and_query = path_and_query.substr(0, path_and_query.find('#'));  // fragments are not sent
  if (authority.find('@') != std::string_view::npos) return UrlError(url, "user info is not supported");

  std::string_view host = authority;
  std::string_view port_suffix;  // ":port" or empty
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return UrlError(url, "missing ']' after the IPv6 address");
    host = authority.substr(1, close - 1);
    port_suffix = authority.substr(close + 1);
    if (!port_suffix.empty() && !port_suffix.starts_with(':')) return UrlError(url, "unexpected text after ']'");
  } else if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_suffix = authority.substr(colon);
  }
  if (host.empty()) return UrlError(url, "missing host");
  parsed.host = std::string(host);

  if (port_suffix.empty()) {
    parsed.port = parsed.tls ? 443 : 80;
  } else if (!ParsePort(port_suffix.substr(1), &parsed.port)) {
    return UrlError(url, "the port must be a number from 1 to 65535");
  }

  parsed.target = path_and_query.starts_with('/') ? std::string(path_and_query)
                                                   : absl::StrCat("/", ToAbsl(path_and_query));
  return parsed;
}

}  // namespace tether::net
