// A small blocking HTTP client (libcurl) for the integration tests and the demo to call the local
// engine's REST API. It is meant for plain http:// on loopback: proxies are never used.
//
// Threading: every function is thread-safe; each call uses its own curl handle and no signals.

#ifndef TETHER_TESTS_HARNESS_HTTP_CLIENT_H_
#define TETHER_TESTS_HARNESS_HTTP_CLIENT_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace tether::testing {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::chrono::milliseconds kDefaultHttpTimeout{10000};

struct HttpResponse {
  long status = 0;  // libcurl's type for the status code
  std::string body;
  // Headers of the final response in arrival order, names as the server sent them.
  HttpHeaders headers;
};

// Sends one request and returns the response whatever its status code. `body` is sent as is
// (add a Content-Type header yourself); an empty body sends none. `timeout` bounds the whole
// exchange. Errors: InvalidArgument for a URL that is not http://, Unavailable if the server
// cannot be reached, DeadlineExceeded on timeout, Internal for other libcurl failures; the
// message names the method, URL and libcurl's reason.
absl::StatusOr<HttpResponse> HttpRequest(std::string_view method, std::string_view url,
                                         std::string_view body = {},
                                         const HttpHeaders& headers = {},
                                         std::chrono::milliseconds timeout = kDefaultHttpTimeout);

// Sends `body` as application/json (nothing if it is null) and parses the response as JSON.
// A 2xx with an empty body yields null. A non-2xx status becomes an error whose code follows the
// status (400 InvalidArgument, 401 Unauthenticated, 403 PermissionDenied, 404 NotFound,
// 409 AlreadyExists, 429 ResourceExhausted, 5xx Unavailable, else Unknown) and whose message
// names the method, URL, status and response body. A 2xx body that is not JSON is Internal.
absl::StatusOr<nlohmann::json> HttpJson(std::string_view method, std::string_view url,
                                        const nlohmann::json& body = nullptr,
                                        const HttpHeaders& headers = {},
                                        std::chrono::milliseconds timeout = kDefaultHttpTimeout);

// HttpJson("GET", url) with no body.
absl::StatusOr<nlohmann::json> HttpGetJson(std::string_view url, const HttpHeaders& headers = {},
                                           std::chrono::milliseconds timeout = kDefaultHttpTimeout);

}  // namespace tether::testing

#endif  // TETHER_TESTS_HARNESS_HTTP_CLIENT_H_
