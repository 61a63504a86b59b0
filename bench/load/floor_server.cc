// bench-floor-server: the floor of scenario 7, a bare Boost.Beast WebSocket echo server on one
// thread (no engine, no tunnel). Its CPU per echoed message under the same client load as the
// runners is the least any WebSocket echo in C++ on this machine costs.
//
//   bench-floor-server [--max-seconds N]
//
// Listens on a free loopback port and prints "listening <port>". Exits on SIGTERM or SIGINT, on
// EOF on stdin (the driver is gone), or after --max-seconds (default 900), whichever is first.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "common/flags.h"

namespace tether::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(tcp::socket socket) : ws_(std::move(socket)) {}

  void Start() {
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    // The load generator offers subprotocol "rivet", as for the engine's gateway.
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(beast::http::field::sec_websocket_protocol, "rivet");
    }));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Read();
    });
  }

 private:
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->ws_.binary(self->ws_.got_binary());
      self->ws_.async_write(self->buffer_.data(), [self](beast::error_code write_ec, std::size_t) {
        if (write_ec) return;
        self->buffer_.consume(self->buffer_.size());
        self->Read();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

void Accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<EchoSession>(std::move(socket))->Start();
    if (acceptor.is_open()) Accept(acceptor);
  });
}

}  // namespace
}  // namespace tether::bench

int main(int argc, char** argv) {
  using namespace tether::bench;
  absl::StatusOr<Flags> flags = Flags::Parse(argc, argv);
  absl::StatusOr<std::int64_t> max_seconds = flags.ok() ? flags->GetInt("max-seconds", 900) : flags.status();
  if (!max_seconds.ok()) {
    std::fprintf(stderr, "bench-floor-server: %s\n", std::string(max_seconds.status().message()).c_str());
    return 2;
  }
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  std::printf("listening %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  Accept(acceptor);

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](beast::error_code, int) { io.stop(); });
  asio::steady_timer limit(io, std::chrono::seconds(*max_seconds));
  limit.async_wait([&io](beast::error_code) { io.stop(); });
  asio::posix::stream_descriptor input(io, ::dup(0));
  char byte = 0;
  input.async_read_some(asio::buffer(&byte, 1), [&io](beast::error_code ec, std::size_t) {
    if (ec) io.stop();  // EOF: the driver is gone
  });
  io.run();
  return 0;
}
