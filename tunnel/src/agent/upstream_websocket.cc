// The upstream WebSocket client on Boost.Beast's asynchronous API: one Session per socket, all on
// the client's io_context thread.
#include "agent/upstream_websocket.h"

#include <atomic>
#include <deque>
#include <future>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tether::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// The closing handshake, ours or the upstream's, gets this long before the socket is dropped.
constexpr std::chrono::seconds kCloseTimeout{5};
// How long destroying the client waits for sockets that are still closing.
constexpr std::chrono::seconds kShutdownGrace{3};
// A close frame carries at most 123 bytes of reason.
constexpr std::size_t kMaxCloseReasonBytes = 123;

bool IsSendableCloseCode(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

websocket::close_reason MakeCloseReason(std::uint16_t code, const std::string& reason) {
  if (!IsSendableCloseCode(code)) return {};
  std::size_t size = std::min(reason.size(), kMaxCloseReasonBytes);
  while (size > 0 && size < reason.size() && (static_cast<unsigned char>(reason[size]) & 0xC0) == 0x80) --size;
  return {static_cast<websocket::close_code>(code), beast::string_view(reason.data(), size)};
}

class Session final : public UpstreamSocket, public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, const UpstreamWebSocketOptions& options, std::atomic<int>& live)
      : io_(io), options_(options), resolver_(io), ws_(io), live_(live) {
    live_.fetch_add(1);
  }
  ~Session() override { live_.fetch_sub(1); }

  std::future<absl::StatusOr<HttpHeaders>> Start(UpstreamSocketRequest request,
                                                 std::shared_ptr<UpstreamSocketEvents> events) {
    request_ = std::move(request);
    events_ = std::move(events);
    auto opened = opened_.get_future();
    asio::post(io_, [self = shared_from_this()] { self->Resolve(); });
    return opened;
  }

  void Send(std::string data, bool binary) override {
    asio::post(io_, [self = shared_from_this(), data = std::move(data), binary]() mutable {
      self->Enqueue(std::move(data), binary);
    });
  }

  void Close(std::uint16_t code, std::string reason) override {
    asio::post(io_, [self = shared_from_this(), code, reason = std::move(reason)] { self->StartClose(code, reason); });
  }

 private:
  enum class State { kConnecting, kOpen, kClosing, kFinished };

  void Resolve() {
    resolver_.async_resolve(request_.host, std::to_string(request_.port), tcp::resolver::numeric_service,
                            [self = shared_from_this()](const beast::error_code& ec, tcp::resolver::results_type results) {
                              self->OnResolved(ec, results);
                            });
  }

  void OnResolved(const beast::error_code& ec, const tcp::resolver::results_type& results) {
    if (state_ != State::kConnecting) return;
    if (ec) return FailOpen(absl::UnavailableError(absl::StrCat("resolve ", request_.host, ": ", ec.message())));
    beast::get_lowest_layer(ws_).expires_after(options_.connect_timeout);
    beast::get_lowest_layer(ws_).async_connect(
        results, [self = shared_from_this()](const beast::error_code& error, const tcp::endpoint&) {
          self->OnConnected(error);
        });
  }

  void OnConnected(const beast::error_code& ec) {
    if (state_ != State::kConnecting) return;
    if (ec) return FailOpen(absl::UnavailableError(absl::StrCat("connect: ", ec.message())));
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket timeouts take over
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = options_.connect_timeout;
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator([headers = request_.headers](websocket::request_type& upgrade) {
      for (const auto& [name, value] : headers) upgrade.insert(beast::string_view(name), value);
    }));
    ws_.read_message_max(options_.max_message_bytes);
    const std::string host = absl::StrCat(request_.host.find(':') != std::string::npos ? "[" : "", request_.host,
                                          request_.host.find(':') != std::string::npos ? "]" : "", ":", request_.port);
    ws_.async_handshake(response_, host, request_.target,
                        [self = shared_from_this()](const beast::error_code& error) { self->OnUpgraded(error); });
  }

  void OnUpgraded(const beast::error_code& ec) {
    if (state_ != State::kConnecting) return;
    if (ec == websocket::error::upgrade_declined) {
      return FailOpen(absl::FailedPreconditionError(
          absl::StrCat("the upstream answered the WebSocket upgrade with HTTP ", response_.result_int())));
    }
    if (ec) return FailOpen(absl::UnavailableError(absl::StrCat("WebSocket upgrade: ", ec.message())));
    HttpHeaders headers;
    for (const auto& field : response_) {
      headers.emplace_back(absl::AsciiStrToLower(std::string(field.name_string())), std::string(field.value()));
    }
    response_ = {};
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = kCloseTimeout;
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    ws_.set_option(timeout);
    state_ = State::kOpen;
    opened_.set_value(std::move(headers));
    Read();
    WriteNext();
  }

  void FailOpen(absl::Status error) {
    state_ = State::kFinished;
    events_.reset();
    opened_.set_value(std::move(error));
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](const beast::error_code& ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(const beast::error_code& ec) {
    if (state_ == State::kFinished) return;
    if (ec == websocket::error::closed) {
      const websocket::close_reason& reason = ws_.reason();
      const auto code = static_cast<std::uint16_t>(reason.code == websocket::close_code::none ? 1005 : reason.code);
      return Finish(code, std::string(reason.reason.data(), reason.reason.size()));
    }
    if (ec == websocket::error::message_too_big) return Finish(1009, "tether.upstream_message_too_big");
    if (ec) return Finish(1011, "tether.upstream_connection_lost");
    std::string data(static_cast<const char*>(buffer_.cdata().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    if (events_ != nullptr) events_->OnMessage(std::move(data), ws_.got_binary());
    Read();
  }

  void Enqueue(std::string data, bool binary) {
    if (state_ != State::kOpen && state_ != State::kConnecting) return;
    queued_bytes_ += data.size();
    // The upstream reads slower than the client sends: drop the connection rather than memory.
    if (queued_bytes_ > options_.max_queued_bytes) return Finish(1013, "tether.upstream_backlog");
    queue_.emplace_back(std::move(data), binary);
    if (state_ == State::kOpen) WriteNext();
  }

  void StartClose(std::uint16_t code, const std::string& reason) {
    if (state_ == State::kFinished || close_requested_) return;
    close_requested_ = true;
    close_reason_ = MakeCloseReason(code, reason);
    if (state_ == State::kConnecting) {
      // Not open yet: nothing to flush, no handshake to run.
      resolver_.cancel();
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return;
    }
    state_ = State::kClosing;
    WriteNext();
  }

  void WriteNext() {
    if (writing_ || state_ == State::kFinished || state_ == State::kConnecting) return;
    if (queue_.empty()) {
      if (close_requested_ && !close_sent_) {
        close_sent_ = true;
        writing_ = true;
        // The pending read ends with error::closed once the upstream answers (or the timeout).
        ws_.async_close(close_reason_, [self = shared_from_this()](const beast::error_code&) { self->writing_ = false; });
      }
      return;
    }
    writing_ = true;
    ws_.binary(queue_.front().second);
    ws_.async_write(asio::buffer(queue_.front().first),
                    [self = shared_from_this()](const beast::error_code& ec, std::size_t) { self->OnWritten(ec); });
  }

  void OnWritten(const beast::error_code& ec) {
    writing_ = false;
    if (state_ == State::kFinished) return;
    queued_bytes_ -= queue_.front().first.size();
    queue_.pop_front();
    if (ec) return Finish(1011, "tether.upstream_connection_lost");
    WriteNext();
  }

  void Finish(std::uint16_t code, std::string reason) {
    if (state_ == State::kFinished) return;
    state_ = State::kFinished;
    queue_.clear();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (auto events = std::move(events_)) events->OnClosed(code, std::move(reason));
  }

  asio::io_context& io_;
  const UpstreamWebSocketOptions options_;
  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  std::atomic<int>& live_;
  UpstreamSocketRequest request_;
  std::shared_ptr<UpstreamSocketEvents> events_;
  std::promise<absl::StatusOr<HttpHeaders>> opened_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  State state_ = State::kConnecting;
  std::deque<std::pair<std::string, bool>> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_requested_ = false;
  bool close_sent_ = false;
  websocket::close_reason close_reason_;
};

class BeastClient final : public UpstreamWebSocketClient {
 public:
  explicit BeastClient(UpstreamWebSocketOptions options)
      : options_(options), work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

  ~BeastClient() override {
    const auto deadline = std::chrono::steady_clock::now() + kShutdownGrace;
    while (live_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    io_.stop();
    thread_.join();
  }

  absl::StatusOr<OpenedUpstreamSocket> Open(UpstreamSocketRequest request,
                                            std::shared_ptr<UpstreamSocketEvents> events) override {
    auto session = std::make_shared<Session>(io_, options_, live_);
    auto opened = session->Start(std::move(request), std::move(events));
    // The session's own timeouts cover connect and upgrade; this bounds name resolution too.
    if (opened.wait_for(options_.connect_timeout * 2) != std::future_status::ready) {
      session->Close(1001, "tether.upstream_timeout");
      return absl::UnavailableError("the upstream did not complete the WebSocket upgrade in time");
    }
    absl::StatusOr<HttpHeaders> headers = opened.get();
    if (!headers.ok()) return headers.status();
    return OpenedUpstreamSocket{std::move(session), *std::move(headers)};
  }

 private:
  const UpstreamWebSocketOptions options_;
  std::atomic<int> live_{0};
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<UpstreamWebSocketClient> UpstreamWebSocketClient::Create(UpstreamWebSocketOptions options) {
  return std::make_unique<BeastClient>(options);
}

}  // namespace tether::agent
