// The WebSocket client: one Session per connection, written against Boost.Beast's asynchronous
// API and run on the EventLoop's io_context. All of it runs on the loop thread.
#include "net/websocket_client.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "net/websocket_url.h"

namespace tether::net::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// RFC 6455 section 7.4.1: what a close frame without a status code reports.
constexpr int kNoStatusCode = 1005;
// A close frame's payload is at most 125 bytes, 2 of them the code.
constexpr std::size_t kMaxCloseReasonBytes = 123;
// The read buffer grows to the largest message; past this size it is given back afterwards.
constexpr std::size_t kKeptReadBufferBytes = std::size_t{1} << 20;
// How much of a declined handshake's response body goes into the error.
constexpr std::size_t kMaxErrorBodyBytes = 200;

// Beast's string_view and std::string_view both convert, explicitly, to Debian's absl one.
template <class View>
absl::string_view ToAbsl(const View& text) {
  return {text.data(), text.size()};
}

// The codes RFC 6455 section 7.4 lets an endpoint send.
bool IsSendableCloseCode(int code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013) || (code >= 3000 && code <= 4999);
}

// Cuts a close reason to what a close frame holds, at a UTF-8 character boundary.
std::string_view TruncateCloseReason(std::string_view reason) {
  if (reason.size() <= kMaxCloseReasonBytes) return reason;
  std::size_t size = kMaxCloseReasonBytes;
  while (size > 0 && (static_cast<unsigned char>(reason[size]) & 0xC0) == 0x80) --size;
  return reason.substr(0, size);
}

websocket::close_reason MakeCloseReason(int code, std::string_view reason) {
  // A code that may not go on the wire is left out (an empty close frame): the peer sees 1005.
  if (!IsSendableCloseCode(code)) return {};
  const std::string_view text = TruncateCloseReason(reason);
  return {static_cast<websocket::close_code>(code), beast::string_view(text.data(), text.size())};
}

// SSL_set_tlsext_host_name without the macro's C-style cast.
bool SetServerName(SSL* ssl, const std::string& host) {
  return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str())) == 1;
}

bool IsIpAddress(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

struct PlainTransport {
  using Stream = websocket::stream<tcp::socket>;
  static constexpr bool kTls = false;

  explicit PlainTransport(asio::io_context& io) : ws(io) {}
  absl::Status Configure(const WebSocketUrl& /*url*/, const TlsOptions& /*tls*/) { return absl::OkStatus(); }

  Stream ws;
};

struct TlsTransport {
  using Stream = websocket::stream<ssl::stream<tcp::socket>>;
  static constexpr bool kTls = true;

  explicit TlsTransport(asio::io_context& io) : ws(io, context) {}
  absl::Status Configure(const WebSocketUrl& url, const TlsOptions& tls);

  ssl::context context{ssl::context::tls_client};  // before `ws`, whose SSL object it creates
  Stream ws;
};

// The SSL object exists already, but OpenSSL reads the context's trust store only when it
// verifies, so loading CAs into the context still applies to this connection.
absl::Status TlsTransport::Configure(const WebSocketUrl& url, const TlsOptions& tls) {
  beast::error_code ec;
  if (tls.trusted_roots_pem.empty()) {
    context.set_default_verify_paths(ec);
    if (ec) return absl::InternalError(absl::StrCat("TLS: cannot load the system CA certificates: ", ec.message()));
  } else {
    context.add_certificate_authority(asio::buffer(tls.trusted_roots_pem), ec);
    if (ec) return absl::InvalidArgumentError(absl::StrCat("TLS: cannot load trusted_roots_pem: ", ec.message()));
  }
  if (!tls.extra_ca_file.empty()) {
    context.load_verify_file(tls.extra_ca_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS: cannot load extra_ca_file \"", tls.extra_ca_file, "\": ", ec.message()));
    }
  }

  ssl::stream<tcp::socket>& stream = ws.next_layer();
  SSL* ssl = stream.native_handle();
  const bool ip = IsIpAddress(url.host);
  // SNI carries host names only (RFC 6066 section 3).
  if (!ip && !SetServerName(ssl, url.host)) {
    return absl::InternalError("TLS: cannot set the server name (SNI)");
  }
  stream.set_verify_mode(tls.verify_peer ? ssl::verify_peer : ssl::verify_none, ec);
  if (ec) return absl::InternalError(absl::StrCat("TLS: cannot set the verify mode: ", ec.message()));
  if (!tls.verify_peer) return absl::OkStatus();

  // OpenSSL's own name check (ssl::host_name_verification calls the same X509_check_host and
  // X509_check_ip_asc) records a mismatch as the verify result, so the error can name it.
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                     : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size());
  if (set != 1) return absl::InternalError("TLS: cannot set the expected host name");
  return absl::OkStatus();
}

// The I/O objects of a session, apart so that Shutdown() can free them while the session lives on.
template <class Transport>
struct SessionIo {
  explicit SessionIo(asio::io_context& io) : resolver(io), deadline(io), transport(io) {}

  tcp::resolver resolver;
  asio::steady_timer deadline;
  Transport transport;
  beast::flat_buffer read_buffer;
  websocket::response_type handshake_response;  // kept for the status of a declined upgrade
};

template <class Transport>
class Session final : public WebSocketSession, public std::enable_shared_from_this<Session<Transport>> {
 public:
  Session(asio::io_context& io, WebSocketOptions options, WebSocketUrl url, WebSocketHandler* handler)
      : io_(std::make_unique<SessionIo<Transport>>(io)),
        options_(std::move(options)),
        url_(std::move(url)),
        handler_(handler) {}

  // `setup` is a problem found before any I/O (a malformed URL); it fails the connection.
  void Start(absl::Status setup);
  void Send(std::vector<std::uint8_t> message);
  void Close(int code, std::string_view reason);
  std::size_t queued_bytes() const { return queued_bytes_; }
  // The handle is gone: no more callbacks, and the socket closes without a closing handshake.
  void Detach();
  void Shutdown() override;

 private:
  enum class State {
    kConnecting,
    kAborting,  // Close() while connecting; OnClosed is posted
    kOpen,
    kClosing,   // Close() called (the queue drains, then the closing handshake runs), or the
                // peer's close frame arrived (Beast answers it)
    kFinished,  // OnClosed delivered, or the handle detached
  };

  std::shared_ptr<Session> Self() { return this->shared_from_this(); }
  typename Transport::Stream& ws() { return io_->transport.ws; }
  const typename Transport::Stream& ws() const { return io_->transport.ws; }
  tcp::socket& Socket() { return beast::get_lowest_layer(ws()); }

  void OnResolved(const beast::error_code& ec, const tcp::resolver::results_type& endpoints);
  void OnConnected(const beast::error_code& ec);
  void OnTlsHandshake(const beast::error_code& ec);
  void StartWebSocketHandshake();
  void OnWebSocketHandshake(const beast::error_code& ec);
  void OnPeerClose();
  absl::Status HandshakeError(const beast::error_code& ec) const;

  void Read();
  void OnRead(const beast::error_code& ec);
  void WriteNext();
  void OnWritten(const beast::error_code& ec);
  void StartClosingHandshakeWhenFlushed();
  void OnClosingHandshake(const beast::error_code& ec);

  void ArmDeadline();
  void CancelDeadline();
  void OnDeadline(std::uint64_t generation);

  bool PeerSentClose() const;
  CloseInfo PeerCloseInfo() const;
  void Fail(absl::Status error);
  void FailSoon(absl::Status error);
  void Finish(const CloseInfo& info);
  void Stop();
  void CloseTransport();

  std::unique_ptr<SessionIo<Transport>> io_;  // null after Shutdown()
  const WebSocketOptions options_;
  const WebSocketUrl url_;
  WebSocketHandler* handler_;  // null once it must not be called again
  State state_ = State::kConnecting;
  absl::string_view phase_;  // of connecting, for the timeout error
  std::uint64_t deadline_generation_ = 0;

  std::deque<std::vector<std::uint8_t>> queue_;  // the front one is being written when writing_
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool write_failed_ = false;

  websocket::close_reason close_reason_;
  bool closing_handshake_started_ = false;  // ours, or Beast's answer to the peer's close frame
  bool peer_sent_close_ = false;
};

template <class Transport>
void Session<Transport>::Start(absl::Status setup) {
  if (setup.ok()) setup = io_->transport.Configure(url_, options_.tls);
  if (!setup.ok()) return FailSoon(std::move(setup));
  ArmDeadline();
  phase_ = "resolving the host";
  io_->resolver.async_resolve(
      url_.host, std::to_string(url_.port), tcp::resolver::numeric_service,
      [self = Self()](const beast::error_code& ec, const tcp::resolver::results_type& endpoints) {
        self->OnResolved(ec, endpoints);
      });
}

template <class Transport>
void Session<Transport>::OnResolved(const beast::error_code& ec, const tcp::resolver::results_type& endpoints) {
  if (state_ != State::kConnecting) return;
  if (ec) return Fail(absl::UnavailableError(absl::StrCat("resolve ", url_.host, ": ", ec.message())));
  phase_ = "TCP connect";
  asio::async_connect(Socket(), endpoints, [self = Self()](const beast::error_code& error, const tcp::endpoint&) {
    self->OnConnected(error);
  });
}

template <class Transport>
void Session<Transport>::OnConnected(const beast::error_code& ec) {
  if (state_ != State::kConnecting) return;
  if (ec) return Fail(absl::UnavailableError(absl::StrCat("connect to ", url_.HostAndPort(), ": ", ec.message())));
  beast::error_code ignored;
  Socket().set_option(tcp::no_delay(true), ignored);  // small, latency-bound messages
  if constexpr (Transport::kTls) {
    phase_ = "TLS handshake";
    ws().next_layer().async_handshake(ssl::stream_base::client,
                                      [self = Self()](const beast::error_code& error) { self->OnTlsHandshake(error); });
  } else {
    StartWebSocketHandshake();
  }
}

template <class Transport>
void Session<Transport>::OnTlsHandshake(const beast::error_code& ec) {
  if (state_ != State::kConnecting) return;
  if (ec) {
    std::string detail = ec.message();
    // The handshake error only says "certificate verify failed"; the verify result says why.
    const long verify_result = SSL_get_verify_result(ws().next_layer().native_handle());
    if (verify_result != X509_V_OK) absl::StrAppend(&detail, ": ", X509_verify_cert_error_string(verify_result));
    return Fail(absl::UnavailableError(absl::StrCat("TLS handshake with ", url_.HostAndPort(), ": ", detail)));
  }
  StartWebSocketHandshake();
}

template <class Transport>
void Session<Transport>::StartWebSocketHandshake() {
  phase_ = "WebSocket handshake";
  ws().set_option(websocket::stream_base::decorator(
      [protocols = absl::StrJoin(options_.subprotocols, ", ")](websocket::request_type& request) {
        request.set(http::field::user_agent, "tether");
        if (!protocols.empty()) request.set(http::field::sec_websocket_protocol, protocols);
      }));
  ws().read_message_max(options_.max_message_bytes);
  ws().binary(true);
  ws().control_callback([this](websocket::frame_type kind, beast::string_view /*payload*/) {
    if (kind == websocket::frame_type::close) OnPeerClose();
  });
  ws().async_handshake(io_->handshake_response, url_.HostHeader(), url_.target,
                       [self = Self()](const beast::error_code& ec) { self->OnWebSocketHandshake(ec); });
}

template <class Transport>
void Session<Transport>::OnWebSocketHandshake(const beast::error_code& ec) {
  if (state_ != State::kConnecting) return;
  if (ec) return Fail(HandshakeError(ec));
  io_->handshake_response = {};
  CancelDeadline();
  state_ = State::kOpen;
  handler_->OnOpen();
  // OnOpen may have sent, closed or destroyed the connection.
  if (state_ == State::kFinished) return;
  if (!closing_handshake_started_) Read();
  WriteNext();
}

// Beast reports the peer's close frame before it answers it. The answer may fail (a peer that
// resets right after its close frame), and the frame must still count.
template <class Transport>
void Session<Transport>::OnPeerClose() {
  if (state_ == State::kFinished) return;
  peer_sent_close_ = true;
  if (state_ == State::kOpen) {
    state_ = State::kClosing;
    ArmDeadline();  // the answer and the teardown (TLS close_notify) get the same bound as ours
  }
  closing_handshake_started_ = true;  // by Beast's read operation: ours must not start
}

template <class Transport>
absl::Status Session<Transport>::HandshakeError(const beast::error_code& ec) const {
  const std::string prefix = absl::StrCat("WebSocket handshake with ", url_.HostAndPort(), ": ");
  if (ec != websocket::error::upgrade_declined) return absl::UnavailableError(absl::StrCat(prefix, ec.message()));
  const websocket::response_type& response = io_->handshake_response;
  std::string message = absl::StrCat(prefix, "HTTP ", response.result_int(), " ", ToAbsl(response.reason()));
  if (!response.body().empty()) {
    absl::StrAppend(&message, ": ", ToAbsl(std::string_view(response.body()).substr(0, kMaxErrorBodyBytes)));
  }
  // Distinct codes let a caller tell a rejected token from a transient failure.
  switch (response.result()) {
    case http::status::unauthorized:
      return absl::UnauthenticatedError(message);
    case http::status::forbidden:
      return absl::PermissionDeniedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

template <class Transport>
void Session<Transport>::Read() {
  ws().async_read(io_->read_buffer,
                  [self = Self()](const beast::error_code& ec, std::size_t /*bytes*/) { self->OnRead(ec); });
}

template <class Transport>
void Session<Transport>::OnRead(const beast::error_code& ec) {
  if (state_ == State::kFinished) return;
  if (ec) {
    // Once the closing handshake runs, it reads the peer's close frame and reports the outcome.
    if (closing_handshake_started_ && !PeerSentClose()) return;
    if (ec == websocket::error::message_too_big) {
      return Fail(absl::ResourceExhaustedError(absl::StrCat("received a message larger than max_message_bytes (",
                                                            options_.max_message_bytes, ")")));
    }
    return Fail(absl::UnavailableError(absl::StrCat("WebSocket connection to ", url_.HostAndPort(), ": ", ec.message())));
  }
  beast::flat_buffer& buffer = io_->read_buffer;
  const auto data = buffer.cdata();
  handler_->OnMessage(std::span(static_cast<const std::uint8_t*>(data.data()), data.size()), ws().got_binary());
  if (state_ == State::kFinished) return;
  buffer.consume(buffer.size());
  if (buffer.capacity() > kKeptReadBufferBytes) buffer.shrink_to_fit();
  if (!closing_handshake_started_) Read();
}

template <class Transport>
void Session<Transport>::Send(std::vector<std::uint8_t> message) {
  if (state_ != State::kConnecting && state_ != State::kOpen) return;
  queued_bytes_ += message.size();
  queue_.push_back(std::move(message));
  if (state_ == State::kOpen) WriteNext();
}

template <class Transport>
void Session<Transport>::WriteNext() {
  if (writing_ || write_failed_ || peer_sent_close_ || queue_.empty()) return;
  writing_ = true;
  ws().async_write(asio::buffer(queue_.front()),
                   [self = Self()](const beast::error_code& ec, std::size_t /*bytes*/) { self->OnWritten(ec); });
}

template <class Transport>
void Session<Transport>::OnWritten(const beast::error_code& ec) {
  if (state_ == State::kFinished) return;
  writing_ = false;
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  if (ec) {
    // The pending read fails as well and reports the end, after any close frame the peer sent
    // before it went away (its reset can fail this write before that frame is read).
    write_failed_ = true;
    return;
  }
  WriteNext();
  StartClosingHandshakeWhenFlushed();
}

template <class Transport>
void Session<Transport>::Close(int code, std::string_view reason) {
  if (state_ == State::kConnecting) {
    state_ = State::kAborting;
    CloseTransport();
    return FailSoon(absl::CancelledError("closed before the connection was open"));
  }
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  close_reason_ = MakeCloseReason(code, reason);
  // Draining the queue and the closing handshake get the connect timeout too.
  ArmDeadline();
  StartClosingHandshakeWhenFlushed();
}

template <class Transport>
void Session<Transport>::StartClosingHandshakeWhenFlushed() {
  if (state_ != State::kClosing || closing_handshake_started_ || writing_ || !queue_.empty()) return;
  closing_handshake_started_ = true;
  ws().async_close(close_reason_, [self = Self()](const beast::error_code& ec) { self->OnClosingHandshake(ec); });
}

template <class Transport>
void Session<Transport>::OnClosingHandshake(const beast::error_code& ec) {
  if (state_ == State::kFinished) return;
  // Success means the peer answered with its close frame.
  if (!ec) return Finish(PeerCloseInfo());
  Fail(absl::UnavailableError(absl::StrCat("closing handshake with ", url_.HostAndPort(), ": ", ec.message())));
}

template <class Transport>
void Session<Transport>::ArmDeadline() {
  const std::uint64_t generation = ++deadline_generation_;
  io_->deadline.expires_after(options_.connect_timeout);
  io_->deadline.async_wait([self = Self(), generation](const beast::error_code& ec) {
    if (!ec) self->OnDeadline(generation);
  });
}

template <class Transport>
void Session<Transport>::CancelDeadline() {
  ++deadline_generation_;
  io_->deadline.cancel();
}

template <class Transport>
void Session<Transport>::OnDeadline(std::uint64_t generation) {
  // An expiry that was already queued when its phase ended carries an old generation.
  if (generation != deadline_generation_) return;
  const auto timeout_ms = options_.connect_timeout.count();
  if (state_ == State::kConnecting) {
    Fail(absl::DeadlineExceededError(
        absl::StrCat("connect to ", url_.HostAndPort(), ": timed out after ", timeout_ms, " ms (", phase_, ")")));
  } else if (state_ == State::kClosing) {
    Fail(absl::DeadlineExceededError(
        absl::StrCat("closing handshake with ", url_.HostAndPort(), ": timed out after ", timeout_ms, " ms")));
  }
}

template <class Transport>
bool Session<Transport>::PeerSentClose() const {
  return peer_sent_close_ || ws().reason().code != websocket::close_code::none;
}

template <class Transport>
CloseInfo Session<Transport>::PeerCloseInfo() const {
  const websocket::close_reason& reason = ws().reason();
  CloseInfo info;
  info.code = reason.code == websocket::close_code::none ? kNoStatusCode : reason.code;
  info.reason.assign(reason.reason.data(), reason.reason.size());
  return info;
}

// Ends the connection with `error`, unless the peer's close frame arrived: that frame is how it
// ended, whatever failed after it (a peer may reset the connection right after its close frame).
template <class Transport>
void Session<Transport>::Fail(absl::Status error) {
  if (state_ == State::kFinished) return;
  if (PeerSentClose()) return Finish(PeerCloseInfo());
  CloseInfo info;
  info.error = std::move(error);
  Finish(info);
}

// For failures found inside Connect() or Close(): OnClosed never runs inside those calls.
template <class Transport>
void Session<Transport>::FailSoon(absl::Status error) {
  asio::post(ws().get_executor(), [self = Self(), error = std::move(error)]() mutable { self->Fail(std::move(error)); });
}

template <class Transport>
void Session<Transport>::Finish(const CloseInfo& info) {
  if (state_ == State::kFinished) return;
  Stop();
  std::exchange(handler_, nullptr)->OnClosed(info);
}

// Ends all I/O; the pending operations complete with errors and find the session finished.
// Unsent messages are dropped; one being written stays until Beast's operation lets go of it.
template <class Transport>
void Session<Transport>::Stop() {
  state_ = State::kFinished;
  CloseTransport();
  queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
  queued_bytes_ = 0;
}

// Closing the socket abruptly fails whichever operation is pending, in any phase.
template <class Transport>
void Session<Transport>::CloseTransport() {
  CancelDeadline();
  io_->resolver.cancel();
  beast::error_code ignored;
  Socket().close(ignored);
}

template <class Transport>
void Session<Transport>::Detach() {
  handler_ = nullptr;
  if (state_ != State::kFinished) Stop();
}

template <class Transport>
void Session<Transport>::Shutdown() {
  Detach();
  io_.reset();
}

template <class Transport>
class Connection final : public WebSocketConnection {
 public:
  explicit Connection(std::shared_ptr<Session<Transport>> session) : session_(std::move(session)) {}
  ~Connection() override { session_->Detach(); }

  void Send(std::vector<std::uint8_t> message) override { session_->Send(std::move(message)); }
  void Close(int code, std::string reason) override { session_->Close(code, reason); }
  std::size_t queued_bytes() const override { return session_->queued_bytes(); }

 private:
  std::shared_ptr<Session<Transport>> session_;
};

template <class Transport>
StartedWebSocket Launch(asio::io_context& io, WebSocketOptions options, WebSocketUrl url, WebSocketHandler* handler,
                        absl::Status setup) {
  auto session = std::make_shared<Session<Transport>>(io, std::move(options), std::move(url), handler);
  session->Start(std::move(setup));
  return {std::make_unique<Connection<Transport>>(session), session};
}

}  // namespace

StartedWebSocket StartWebSocket(asio::io_context& io, WebSocketOptions options, WebSocketHandler* handler) {
  absl::StatusOr<WebSocketUrl> url = ParseWebSocketUrl(options.url);
  if (!url.ok()) return Launch<PlainTransport>(io, std::move(options), {}, handler, url.status());
  if (url->tls) return Launch<TlsTransport>(io, std::move(options), *std::move(url), handler, absl::OkStatus());
  return Launch<PlainTransport>(io, std::move(options), *std::move(url), handler, absl::OkStatus());
}

}  // namespace tether::net::internal
