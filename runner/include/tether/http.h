// HTTP as an actor sees it: the requests the engine's gateway forwards from
// {endpoint}/gateway/{actor id}/{path} over the runner's connection, and the response the actor
// returns (ActorInstance::OnFetch).
//
// Threading: plain value types.
#ifndef TETHER_HTTP_H_
#define TETHER_HTTP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tether {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  // The path after /gateway/{actor id}, with the query string.
  std::string path;
  // Names arrive lowercase. A client's chunked body arrives whole, but its transfer-encoding
  // header is still there: do not parse the body as chunked.
  HttpHeaders headers;
  std::string body;
  // The engine's ids of the request (raw bytes, 4 each); empty for requests made up locally.
  std::string gateway_id;
  std::string request_id;

  // The value of the first header called `name` (lowercase), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct HttpResponse {
  std::uint16_t status = 200;
  HttpHeaders headers;
  std::string body;
};

// The most a request or response body may hold; the engine refuses larger tunnel payloads.
inline constexpr std::size_t kMaxHttpBodyBytes = std::size_t{20} << 20;

}  // namespace tether

#endif  // TETHER_HTTP_H_
