#include "net/http_server.h"

#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <list>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace tether::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::uint32_t kMaxHeadBytes = 16 * 1024;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

class Response final : public ServerResponse {
 public:
  explicit Response(tcp::socket& socket) : socket_(socket) {}

  void Respond(int status, const std::string& content_type, const std::string& body) override {
    if (answered_) return;
    answered_ = true;
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, content_type);
    response.set(http::field::connection, "close");
    response.body() = body;
    response.prepare_payload();
    boost::system::error_code ignored;
    http::write(socket_, response, ignored);
  }

  // The body runs until the connection closes: no length, no chunking, as SSE allows.
  bool StartStream(int status, const std::string& content_type) override {
    if (answered_) return false;
    answered_ = true;
    const std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                             std::string(http::obsolete_reason(static_cast<http::status>(status))) +
                             "\r\nContent-Type: " + content_type +
                             "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
    return Write(head);
  }

  bool Write(const std::string& data) override {
    boost::system::error_code error;
    asio::write(socket_, asio::buffer(data), error);
    return !error;
  }

  bool answered() const { return answered_; }

 private:
  tcp::socket& socket_;
  bool answered_ = false;
};

class Server final : public HttpServer {
 public:
  Server(int max_connections, ServerHandler handler)
      : max_connections_(max_connections), handler_(std::move(handler)) {}
  ~Server() override { Stop(); }

  absl::Status Listen(const std::string& host, std::uint16_t port) {
    boost::system::error_code error;
    const auto address = asio::ip::make_address(host, error);
    if (error) return absl::InvalidArgumentError("not an IP address: " + host);
    acceptor_.open(address.is_v6() ? tcp::v6() : tcp::v4(), error);
    if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor_.bind({address, port}, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) return absl::UnavailableError("cannot listen on " + host + ":" + std::to_string(port) + ": " + error.message());
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    return absl::OkStatus();
  }

  std::uint16_t port() const override { return port_; }

  void Stop() override {
    if (stopping_.exchange(true)) return;
    // shutdown() wakes the threads blocked in accept, read or write on these sockets.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    if (accept_thread_.joinable()) accept_thread_.join();
    std::list<Connection> connections;
    {
      std::lock_guard lock(mutex_);
      for (Connection& c : connections_) ::shutdown(c.socket->native_handle(), SHUT_RDWR);
      connections.swap(connections_);
    }
    for (Connection& c : connections) c.thread.join();
  }

 private:
  struct Connection {
    std::shared_ptr<tcp::socket> socket;
    std::shared_ptr<std::atomic<bool>> done;
    std::thread thread;
  };

  void AcceptLoop() {
    while (!stopping_) {
      auto socket = std::make_shared<tcp::socket>(io_);
      boost::system::error_code error;
      acceptor_.accept(*socket, error);
      if (error) {
        if (stopping_) return;
        continue;
      }
      std::lock_guard lock(mutex_);
      ReapFinished();
      if (static_cast<int>(connections_.size()) >= max_connections_) {
        Response(*socket).Respond(503, "text/plain", "too many connections\n");
        continue;
      }
      auto done = std::make_shared<std::atomic<bool>>(false);
      connections_.push_back({socket, done, std::thread([this, socket, done] {
                                Serve(*socket);
                                done->store(true);
                              })});
    }
  }

  void ReapFinished() {
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (!it->done->load()) {
        ++it;
        continue;
      }
      it->thread.join();
      it = connections_.erase(it);
    }
  }

  void Serve(tcp::socket& socket) {
    boost::beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    parser.header_limit(kMaxHeadBytes);
    boost::system::error_code error;
    http::read(socket, buffer, parser, error);
    Response response(socket);
    if (error) {
      response.Respond(400, "text/plain", "bad request: " + error.message() + "\n");
    } else {
      ServerRequest request;
      request.method = std::string(parser.get().method_string());
      request.target = std::string(parser.get().target());
      for (const auto& field : parser.get()) {
        request.headers.emplace_back(Lower(std::string_view(field.name_string().data(), field.name_string().size())),
                                     std::string(field.value()));
      }
      handler_(request, response);
      if (!response.answered()) response.Respond(500, "text/plain", "no response\n");
    }
    socket.shutdown(tcp::socket::shutdown_both, error);
    socket.close(error);
  }

  const int max_connections_;
  const ServerHandler handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mutex_;
  std::list<Connection> connections_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& host, std::uint16_t port,
                                                              int max_connections, ServerHandler handler) {
  auto server = std::make_unique<Server>(max_connections, std::move(handler));
  if (absl::Status status = server->Listen(host, port); !status.ok()) return status;
  return server;
}

}  // namespace tether::net
