// EngineApi: blocking calls to the engine's public REST API (the routes under the guard port,
// e.g. /namespaces, /runner-configs, /actors) over libcurl, for the operator commands.
//
// Security: the admin token travels only in the `Authorization: Bearer` header; it is never part
// of a URL, and any error message that would contain it has it replaced by "<token>".
// TLS: https is always verified, against the system CA bundle or, when given, `ca_file`.
//
// Threading: an EngineApi is immutable; each call uses its own curl handle and no signals, so
// calls may run concurrently.
#ifndef TETHER_TUNNEL_REST_ENGINE_API_H_
#define TETHER_TUNNEL_REST_ENGINE_API_H_

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "tether/config.h"

namespace tether::rest {

struct EngineTarget {
  Endpoint endpoint;        // from tether::ParseEndpoint; its user info is ignored here
  std::string token;        // empty: no Authorization header
  std::string ca_file;      // PEM CA bundle used instead of the system one (CURLOPT_CAINFO); empty: system
  std::chrono::milliseconds timeout{30000};
};

class EngineApi {
 public:
  explicit EngineApi(EngineTarget target);

  // "http(s)://host:port/prefix": the base of every call, without user info, safe to print.
  const std::string& base_url() const { return base_url_; }

  // Sends `body` as JSON (none if null) to base_url() + `path_and_query` and returns the parsed
  // response (null for an empty body). Errors:
  // - the engine answered non-2xx: its `group.code` and `message` with the HTTP status, with a
  //   status code following the HTTP status (403 PermissionDenied, 404 NotFound, 400
  //   InvalidArgument, 5xx Unavailable, else Unknown);
  // - the engine could not be reached: Unavailable naming the URL and libcurl's reason;
  //   DeadlineExceeded after `timeout`;
  // - a 2xx body that is not JSON: Internal.
  absl::StatusOr<nlohmann::json> Call(std::string_view method, std::string_view path_and_query,
                                      const nlohmann::json& body = nullptr) const;

 private:
  EngineTarget target_;
  std::string base_url_;
};

// Percent-encodes everything but RFC 3986 unreserved characters, for path segments and query
// values.
std::string UrlEncode(std::string_view text);

}  // namespace tether::rest

#endif  // TETHER_TUNNEL_REST_ENGINE_API_H_
