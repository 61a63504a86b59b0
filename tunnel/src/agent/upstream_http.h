// UpstreamHttpClient: HTTP requests to the upstream app over libcurl's multi interface, on one
// thread of its own: connections are pooled and kept alive, and any number of requests are in
// flight at once without a thread each.
//
// Threading: Send may be called from any thread; the result arrives through the future, set on
// the client's thread.
#ifndef TETHER_TUNNEL_AGENT_UPSTREAM_HTTP_H_
#define TETHER_TUNNEL_AGENT_UPSTREAM_HTTP_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tether/http.h"

namespace tether::agent {

struct UpstreamHttpRequest {
  std::string method;
  std::string url;  // http://host:port/path?query
  HttpHeaders headers;
  std::string body;
};

struct UpstreamHttpResponse {
  std::uint16_t status = 0;
  HttpHeaders headers;  // names as the upstream sent them, in order
  std::string body;
};

struct UpstreamHttpOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{280000};
  std::size_t max_response_bytes = kMaxHttpBodyBytes;
};

class UpstreamHttpClient {
 public:
  // Starts the client's thread. Internal if libcurl cannot be set up.
  static absl::StatusOr<std::unique_ptr<UpstreamHttpClient>> Create(UpstreamHttpOptions options);
  // Fails what is still in flight with Cancelled and joins the thread.
  virtual ~UpstreamHttpClient() = default;

  // The upstream's response whatever its status, or: Unavailable (connection refused, reset,
  // closed early), DeadlineExceeded (request_timeout), ResourceExhausted (a body over
  // max_response_bytes), Cancelled (the client is being destroyed). Messages name the URL.
  virtual std::future<absl::StatusOr<UpstreamHttpResponse>> Send(UpstreamHttpRequest request) = 0;
};

// Whether a TCP connection to the server of `url` can be opened within `timeout` (the start-up
// check of the upstream); Unavailable names the URL and the reason.
absl::Status ProbeUpstream(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_UPSTREAM_HTTP_H_
