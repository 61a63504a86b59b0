#include "agent/upstream_http.h"

#include <curl/curl.h>

#include <atomic>
#include <list>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "string_view_conversion.h"

namespace tether::agent {
namespace {

// How long the loop sleeps in curl_multi_poll when nothing happens; Send and shutdown wake it.
constexpr int kPollMilliseconds = 1000;

absl::Status GlobalInit() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) return absl::InternalError(absl::StrCat("libcurl: ", curl_easy_strerror(result)));
  return absl::OkStatus();
}

bool HasHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(ToAbsl(key), ToAbsl(name))) return true;
  }
  return false;
}

// One request in flight: its easy handle and everything libcurl points into.
struct Transfer {
  explicit Transfer(UpstreamHttpRequest request_in, std::size_t max_bytes)
      : request(std::move(request_in)), max_response_bytes(max_bytes) {}
  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (header_list != nullptr) curl_slist_free_all(header_list);
  }

  UpstreamHttpRequest request;
  const std::size_t max_response_bytes;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  UpstreamHttpResponse response;
  bool too_large = false;
  char error[CURL_ERROR_SIZE] = {};
  std::promise<absl::StatusOr<UpstreamHttpResponse>> promise;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer->response.body.size() + bytes > transfer->max_response_bytes) {
    transfer->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

std::size_t OnHeaderLine(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  const absl::string_view line = absl::StripTrailingAsciiWhitespace(absl::string_view(data, bytes));
  // A status line starts each response: only the last one's headers count (after a 100 Continue).
  if (absl::StartsWith(line, "HTTP/")) {
    transfer->response.headers.clear();
    return bytes;
  }
  const std::size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return bytes;
  transfer->response.headers.emplace_back(std::string(line.substr(0, colon)),
                                          std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  return bytes;
}

class MultiClient final : public UpstreamHttpClient {
 public:
  MultiClient(UpstreamHttpOptions options, CURLM* multi) : options_(options), multi_(multi) {
    thread_ = std::thread([this] { Loop(); });
  }

  ~MultiClient() override {
    stopping_ = true;
    curl_multi_wakeup(multi_);
    thread_.join();
    for (auto& transfer : running_) {
      curl_multi_remove_handle(multi_, transfer->easy);
      transfer->promise.set_value(absl::CancelledError("the agent is stopping"));
    }
    std::lock_guard lock(mutex_);
    for (auto& transfer : incoming_) transfer->promise.set_value(absl::CancelledError("the agent is stopping"));
    curl_multi_cleanup(multi_);
  }

  std::future<absl::StatusOr<UpstreamHttpResponse>> Send(UpstreamHttpRequest request) override {
    auto transfer = std::make_unique<Transfer>(std::move(request), options_.max_response_bytes);
    auto future = transfer->promise.get_future();
    if (absl::Status prepared = Prepare(*transfer); !prepared.ok()) {
      transfer->promise.set_value(prepared);
      return future;
    }
    {
      std::lock_guard lock(mutex_);
      incoming_.push_back(std::move(transfer));
    }
    curl_multi_wakeup(multi_);
    return future;
  }

 private:
  absl::Status Prepare(Transfer& transfer) const {
    transfer.easy = curl_easy_init();
    if (transfer.easy == nullptr) return absl::InternalError("libcurl: curl_easy_init failed");
    const UpstreamHttpRequest& request = transfer.request;
    std::vector<std::string> lines;
    for (const auto& [name, value] : request.headers) lines.push_back(absl::StrCat(name, ": ", value));
    // libcurl adds these unless told not to; the client's request did not have them.
    if (!HasHeader(request.headers, "accept")) lines.emplace_back("Accept:");
    lines.emplace_back("Expect:");
    for (const std::string& line : lines) {
      curl_slist* appended = curl_slist_append(transfer.header_list, line.c_str());
      if (appended == nullptr) return absl::ResourceExhaustedError("libcurl: out of memory for headers");
      transfer.header_list = appended;
    }
    CURL* easy = transfer.easy;
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer.header_list);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeaderLine);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfer);
    if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    const bool sends_body = !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                            request.method == "PATCH";
    if (sends_body) {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    return absl::OkStatus();
  }

  void Loop() {
    while (!stopping_) {
      AddIncoming();
      int running = 0;
      curl_multi_perform(multi_, &running);
      FinishDone();
      curl_multi_poll(multi_, nullptr, 0, kPollMilliseconds, nullptr);
    }
  }

  void AddIncoming() {
    std::list<std::unique_ptr<Transfer>> added;
    {
      std::lock_guard lock(mutex_);
      added.swap(incoming_);
    }
    for (auto& transfer : added) {
      if (const CURLMcode code = curl_multi_add_handle(multi_, transfer->easy); code != CURLM_OK) {
        transfer->promise.set_value(absl::InternalError(absl::StrCat("libcurl: ", curl_multi_strerror(code))));
        continue;
      }
      running_.push_back(std::move(transfer));
    }
  }

  void FinishDone() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* done = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &done);
      const CURLcode result = message->data.result;
      curl_multi_remove_handle(multi_, message->easy_handle);
      for (auto it = running_.begin(); it != running_.end(); ++it) {
        if (it->get() != done) continue;
        done->promise.set_value(Outcome(*done, result));
        running_.erase(it);
        break;
      }
    }
  }

  static absl::StatusOr<UpstreamHttpResponse> Outcome(Transfer& transfer, CURLcode result) {
    const std::string& url = transfer.request.url;
    if (transfer.too_large) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the upstream's response to ", url, " is larger than ", transfer.max_response_bytes, " bytes"));
    }
    if (result != CURLE_OK) {
      const std::string text = absl::StrCat("upstream ", transfer.request.method, " ", url, ": ",
                                            transfer.error[0] != '\0' ? transfer.error : curl_easy_strerror(result));
      if (result == CURLE_OPERATION_TIMEDOUT) return absl::DeadlineExceededError(text);
      return absl::UnavailableError(text);
    }
    long status = 0;
    curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<std::uint16_t>(status);
    return std::move(transfer.response);
  }

  const UpstreamHttpOptions options_;
  CURLM* const multi_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::list<std::unique_ptr<Transfer>> incoming_;  // guarded by mutex_
  std::list<std::unique_ptr<Transfer>> running_;   // loop thread only
  std::thread thread_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<UpstreamHttpClient>> UpstreamHttpClient::Create(UpstreamHttpOptions options) {
  if (absl::Status status = GlobalInit(); !status.ok()) return status;
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return absl::InternalError("libcurl: curl_multi_init failed");
  return std::make_unique<MultiClient>(options, multi);
}

absl::Status ProbeUpstream(const std::string& url, std::chrono::milliseconds timeout) {
  if (absl::Status status = GlobalInit(); !status.ok()) return status;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), &curl_easy_cleanup);
  if (easy == nullptr) return absl::InternalError("libcurl: curl_easy_init failed");
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, error);
  if (const CURLcode code = curl_easy_perform(easy.get()); code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("cannot reach the upstream at ", url, ": ", error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  return absl::OkStatus();
}

}  // namespace tether::agent
