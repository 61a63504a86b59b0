#include "test_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace tether::net::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Lets the server's destructor unblock scripts still waiting on a client: it shuts their sockets
// down through duplicated descriptors, which stay valid even after Beast closed the originals.
class SocketRegistry {
 public:
  int Add(int fd) {
    std::lock_guard lock(mu_);
    const int duplicate = ::dup(fd);
    if (stopped_) ::shutdown(duplicate, SHUT_RDWR);
    fds_.insert(duplicate);
    return duplicate;
  }
  void Remove(int duplicate) {
    std::lock_guard lock(mu_);
    fds_.erase(duplicate);
    ::close(duplicate);
  }
  void ShutdownAll() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    for (const int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  std::mutex mu_;
  std::set<int> fds_;
  bool stopped_ = false;
};

template <class NextLayer>
class Connection final : public ServerConnection {
 public:
  template <class... Args>
  explicit Connection(SocketRegistry& registry, Args&&... args)
      : registry_(registry), ws_(std::forward<Args>(args)...) {
    registration_ = registry_.Add(beast::get_lowest_layer(ws_).native_handle());
  }
  ~Connection() override { Unregister(); }

  bool TlsHandshake() {
    beast::error_code ec;
    ws_.next_layer().handshake(ssl::stream_base::server, ec);
    return !ec;
  }

  bool Accept(std::string_view subprotocol) override {
    if (!ReadRequest()) return false;
    ws_.set_option(websocket::stream_base::decorator([chosen = std::string(subprotocol)](websocket::response_type& r) {
      if (!chosen.empty()) r.set(http::field::sec_websocket_protocol, chosen);
    }));
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) pong_received_ = true;
    });
    ws_.binary(true);
    beast::error_code ec;
    ws_.accept(request_, ec);
    return !ec;
  }

  std::string requested_subprotocols() const override { return requested_subprotocols_; }

  bool Reject(int status, std::string_view body) override {
    if (!ReadRequest()) return false;
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, "text/plain");
    response.body() = std::string(body);
    response.prepare_payload();
    beast::error_code ec;
    http::write(ws_.next_layer(), response, ec);
    return !ec;
  }

  std::optional<std::vector<std::uint8_t>> Read() override {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return std::nullopt;
    const auto* data = static_cast<const std::uint8_t*>(buffer.cdata().data());
    return std::vector<std::uint8_t>(data, data + buffer.size());
  }

  bool Write(std::span<const std::uint8_t> message) override {
    beast::error_code ec;
    ws_.write(asio::buffer(message.data(), message.size()), ec);
    return !ec;
  }

  bool Ping() override {
    beast::error_code ec;
    ws_.ping({}, ec);
    return !ec;
  }

  bool pong_received() const override { return pong_received_; }

  bool Close(int code, std::string_view reason) override {
    beast::error_code ec;
    ws_.close(websocket::close_reason(static_cast<websocket::close_code>(code),
                                      beast::string_view(reason.data(), reason.size())),
              ec);
    return !ec;
  }

  bool SendCloseFrame(int code, std::string_view reason) override {
    // Unmasked (RFC 6455 section 5.5.1), and small enough for a one-byte length.
    std::vector<std::uint8_t> frame = {0x88, static_cast<std::uint8_t>(2 + reason.size()),
                                       static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code & 0xFF)};
    frame.insert(frame.end(), reason.begin(), reason.end());
    beast::error_code ec;
    asio::write(ws_.next_layer(), asio::buffer(frame), ec);
    return !ec;
  }

  void Reset() override {
    // The duplicate descriptor would keep the socket open past close().
    Unregister();
    tcp::socket& socket = beast::get_lowest_layer(ws_);
    beast::error_code ec;
    socket.set_option(asio::socket_base::linger(true, 0), ec);
    socket.close(ec);
  }

  void DrainUntilEof() override {
    std::array<char, 4096> bytes;
    beast::error_code ec;
    while (!ec) ws_.next_layer().read_some(asio::buffer(bytes), ec);
  }

  int peer_close_code() const override { return ws_.reason().code; }
  std::string peer_close_reason() const override {
    return std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
  }

 private:
  bool ReadRequest() {
    beast::error_code ec;
    http::read(ws_.next_layer(), buffer_, request_, ec);
    if (ec) return false;
    const beast::string_view protocols = request_[http::field::sec_websocket_protocol];
    requested_subprotocols_.assign(protocols.data(), protocols.size());
    return true;
  }

  void Unregister() {
    if (registration_ >= 0) registry_.Remove(std::exchange(registration_, -1));
  }

  SocketRegistry& registry_;
  int registration_ = -1;
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::string requested_subprotocols_;
  std::atomic<bool> pong_received_ = false;
};

class Server final : public TestServer {
 public:
  Server(Script script, std::optional<ServerTls> tls) : script_(std::move(script)) {
    if (tls) {
      tls_context_.emplace(ssl::context::tls_server);
      tls_context_->use_certificate_chain_file(tls->cert_file);
      tls_context_->use_private_key_file(tls->key_file, ssl::context::pem);
    }
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~Server() override {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocked accept()
    accept_thread_.join();
    registry_.ShutdownAll();
    for (std::thread& thread : connection_threads_) thread.join();
  }

  int port() const override { return port_; }

 private:
  void AcceptLoop() {
    for (;;) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      connection_threads_.emplace_back([this, socket = std::move(socket)]() mutable { Serve(std::move(socket)); });
    }
  }

  void Serve(tcp::socket socket) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls_context_) {
      Connection<ssl::stream<tcp::socket>> connection(registry_, std::move(socket), *tls_context_);
      if (connection.TlsHandshake()) script_(connection);
    } else {
      Connection<tcp::socket> connection(registry_, std::move(socket));
      script_(connection);
    }
  }

  const Script script_;
  asio::io_context io_;  // only for constructing sockets: everything here is blocking
  std::optional<ssl::context> tls_context_;
  tcp::acceptor acceptor_{io_};
  int port_ = 0;
  SocketRegistry registry_;
  std::vector<std::thread> connection_threads_;  // accept thread only, then the destructor
  std::thread accept_thread_;
};

}  // namespace

std::unique_ptr<TestServer> TestServer::Start(Script script, std::optional<ServerTls> tls) {
  return std::make_unique<Server>(std::move(script), std::move(tls));
}

}  // namespace tether::net::testing
