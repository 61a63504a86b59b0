#include "rest/engine_api.h"

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "string_view_conversion.h"

namespace tether::rest {
namespace {

// Non-JSON error bodies (e.g. from a proxy in front of the engine) are quoted up to this size.
constexpr std::size_t kMaxQuotedBody = 512;

std::string BaseUrl(const Endpoint& endpoint) {
  const bool ipv6 = endpoint.host.find(':') != std::string::npos;
  // ws:// and wss:// endpoints (accepted by the SDK) name the same server as http:// and https://.
  return absl::StrCat(endpoint.tls ? "https://" : "http://", ipv6 ? "[" : "", endpoint.host, ipv6 ? "]" : "", ":",
                      endpoint.port, endpoint.path_prefix);
}

absl::Status GlobalInit() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) return absl::InternalError(absl::StrCat("libcurl: ", curl_easy_strerror(result)));
  return absl::OkStatus();
}

std::size_t AppendTo(char* data, std::size_t size, std::size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

struct Exchange {
  long http_status = 0;
  std::string body;
};

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

absl::Status CurlFailure(CURLcode code, const char* detail, std::string_view method, const std::string& url) {
  const std::string text = absl::StrCat("cannot reach the engine at ", url, " (", ToAbsl(method), "): ",
                                        detail[0] != '\0' ? detail : curl_easy_strerror(code));
  if (code == CURLE_OPERATION_TIMEDOUT) return absl::DeadlineExceededError(text);
  // TLS and connection failures alike mean the engine could not be talked to.
  return absl::UnavailableError(text);
}

absl::StatusCode CodeOfHttpStatus(long status) {
  if (status == 400) return absl::StatusCode::kInvalidArgument;
  if (status == 401 || status == 403) return absl::StatusCode::kPermissionDenied;
  if (status == 404) return absl::StatusCode::kNotFound;
  if (status >= 500) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kUnknown;
}

// The engine's errors are `{"group": ..., "code": ..., "message": ..., "metadata"?: ...}`.
absl::Status EngineError(const Exchange& exchange, std::string_view method, const std::string& url) {
  const nlohmann::json error = nlohmann::json::parse(exchange.body, nullptr, /*allow_exceptions=*/false);
  std::string what;
  const auto text = [&error](const char* field) {
    const auto found = error.is_object() ? error.find(field) : error.end();
    return found != error.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  if (!text("code").empty()) {
    what = absl::StrCat(text("group"), ".", text("code"), ": ", text("message"));
  } else {
    what = std::string(ToAbsl(exchange.body).substr(0, kMaxQuotedBody));
  }
  return absl::Status(CodeOfHttpStatus(exchange.http_status),
                      absl::StrCat(what, " (HTTP ", exchange.http_status, " from ", ToAbsl(method), " ", url, ")"));
}

}  // namespace

EngineApi::EngineApi(EngineTarget target) : target_(std::move(target)), base_url_(BaseUrl(target_.endpoint)) {}

absl::StatusOr<nlohmann::json> EngineApi::Call(std::string_view method, std::string_view path_and_query,
                                               const nlohmann::json& body) const {
  if (absl::Status status = GlobalInit(); !status.ok()) return status;
  const std::string url = base_url_ + std::string(path_and_query);
  const std::string method_text(method);
  const std::string payload = body.is_null() ? std::string() : body.dump();
  CurlHandle curl(curl_easy_init(), &curl_easy_cleanup);
  if (curl == nullptr) return absl::InternalError("libcurl: curl_easy_init failed");

  HeaderList headers(nullptr, &curl_slist_free_all);
  const std::string authorization = absl::StrCat("Authorization: Bearer ", target_.token);
  for (const std::string& line : {std::string("Accept: application/json"), std::string("Content-Type: application/json"),
                                  std::string("Expect:"), target_.token.empty() ? std::string() : authorization}) {
    if (line.empty()) continue;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) return absl::ResourceExhaustedError("libcurl: out of memory for headers");
    if (headers == nullptr) headers.reset(appended);  // later appends keep the head
  }

  Exchange exchange;
  char detail[CURL_ERROR_SIZE] = {};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(target_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &AppendTo);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &exchange.body);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!target_.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, target_.ca_file.c_str());
  if (!payload.empty()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  }

  absl::Status status;
  if (const CURLcode code = curl_easy_perform(handle); code != CURLE_OK) {
    status = CurlFailure(code, detail, method, url);
  } else {
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &exchange.http_status);
    if (exchange.http_status < 200 || exchange.http_status >= 300) status = EngineError(exchange, method, url);
  }
  if (!status.ok()) {
    if (target_.token.empty()) return status;
    // Belt and braces: neither the engine nor libcurl is known to echo the token, but a proxy might.
    return absl::Status(status.code(), absl::StrReplaceAll(status.message(), {{ToAbsl(target_.token), "<token>"}}));
  }
  if (exchange.body.empty()) return nlohmann::json();
  nlohmann::json parsed = nlohmann::json::parse(exchange.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InternalError(absl::StrCat("the engine answered ", method_text, " ", url, " with a body that is not JSON"));
  }
  return parsed;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') ||
                            byte == '-' || byte == '.' || byte == '_' || byte == '~';
    if (unreserved) {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0xF];
    }
  }
  return encoded;
}

}  // namespace tether::rest
