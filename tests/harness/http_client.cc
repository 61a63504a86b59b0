#include "harness/http_client.h"

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tether::testing {
namespace {

// Error messages quote response bodies; this keeps a runaway body from flooding test output.
constexpr std::size_t kMaxQuotedBody = 2048;

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status InitCurlOnce() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("curl_global_init failed: ", curl_easy_strerror(result)));
  }
  return absl::OkStatus();
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::size_t AppendBody(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// libcurl reports the headers of every response it reads (1xx, then the final one); a status line
// starts a new response, so only the final response's headers remain.
std::size_t CollectHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& headers = *static_cast<HttpHeaders*>(user);
  const absl::string_view line(data, size * count);
  if (line.substr(0, 5) == "HTTP/") {
    headers.clear();
  } else if (const std::size_t colon = line.find(':'); colon != absl::string_view::npos) {
    headers.emplace_back(std::string(absl::StripAsciiWhitespace(line.substr(0, colon))),
                         std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return size * count;
}

bool MethodSendsBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

absl::StatusCode CodeForCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return absl::StatusCode::kUnavailable;
    case CURLE_OPERATION_TIMEDOUT:
      return absl::StatusCode::kDeadlineExceeded;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::StatusCode CodeForHttpStatus(long status) {
  switch (status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    default:
      return status >= 500 && status < 600 ? absl::StatusCode::kUnavailable
                                           : absl::StatusCode::kUnknown;
  }
}

absl::string_view Quoted(const std::string& body) {
  return absl::string_view(body).substr(0, kMaxQuotedBody);
}

}  // namespace

absl::StatusOr<HttpResponse> HttpRequest(std::string_view method, std::string_view url,
                                         std::string_view body, const HttpHeaders& headers,
                                         std::chrono::milliseconds timeout) {
  if (absl::Status init = InitCurlOnce(); !init.ok()) return init;
  const std::string url_text(url);
  const std::string method_text(method);
  if (!url.starts_with("http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("only http:// URLs are supported, got '", url_text, "'"));
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");

  // "Expect:" stops libcurl from waiting for a 100-continue before sending larger bodies.
  std::unique_ptr<curl_slist, SlistDeleter> header_list(curl_slist_append(nullptr, "Expect:"));
  for (const auto& [name, value] : headers) {
    const std::string line = absl::StrCat(name, ": ", value);
    // Appending to a non-empty list keeps its head; null means out of memory.
    if (header_list == nullptr || curl_slist_append(header_list.get(), line.c_str()) == nullptr) {
      return absl::ResourceExhaustedError("out of memory while building request headers");
    }
  }

  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url_text.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &CollectHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response.headers);
  if (method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (method != "GET" || !body.empty()) {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  }
  // POST, PUT and PATCH always carry a body (maybe empty), so a Content-Length is sent.
  if (!body.empty() || MethodSendsBody(method)) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
  }

  if (const CURLcode code = curl_easy_perform(handle); code != CURLE_OK) {
    return absl::Status(CodeForCurlError(code),
                        absl::StrCat(method_text, " ", url_text, " failed: ",
                                     error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

absl::StatusOr<nlohmann::json> HttpJson(std::string_view method, std::string_view url,
                                        const nlohmann::json& body, const HttpHeaders& headers,
                                        std::chrono::milliseconds timeout) {
  HttpHeaders all_headers = headers;
  all_headers.emplace_back("Accept", "application/json");
  std::string payload;
  if (!body.is_null()) {
    payload = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    all_headers.emplace_back("Content-Type", "application/json");
  }
  absl::StatusOr<HttpResponse> response = HttpRequest(method, url, payload, all_headers, timeout);
  if (!response.ok()) return response.status();

  if (response->status < 200 || response->status >= 300) {
    return absl::Status(CodeForHttpStatus(response->status),
                        absl::StrCat(ToAbsl(method), " ", ToAbsl(url), " -> HTTP ",
                                     response->status, ": ", Quoted(response->body)));
  }
  if (response->body.empty()) return nlohmann::json();
  nlohmann::json parsed =
      nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InternalError(
        absl::StrCat(ToAbsl(method), " ", ToAbsl(url), " -> HTTP ", response->status,
                     " with a body that is not JSON: ", Quoted(response->body)));
  }
  return parsed;
}

absl::StatusOr<nlohmann::json> HttpGetJson(std::string_view url, const HttpHeaders& headers,
                                           std::chrono::milliseconds timeout) {
  return HttpJson("GET", url, nullptr, headers, timeout);
}

}  // namespace tether::testing
