#include "harness/raw_websocket.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tether::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

absl::Status Error(std::string_view what, const beast::error_code& ec) {
  return absl::UnavailableError(absl::StrCat(absl::string_view(what.data(), what.size()), ": ", ec.message()));
}

// Runs `io` until `done` or `timeout`; on timeout cancels the socket's operations and lets their
// handlers finish. (Asio's blocking calls retry after a socket timeout, so they cannot be bounded.)
bool RunFor(asio::io_context& io, asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout,
            const bool& done) {
  io.restart();
  io.run_for(timeout);
  if (done) return true;
  socket.cancel();
  io.restart();
  io.run();
  return false;
}

}  // namespace

struct RawWebSocket::Impl {
  asio::io_context io;
  websocket::stream<asio::ip::tcp::socket> ws{io};
};

RawWebSocket::RawWebSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RawWebSocket::~RawWebSocket() {
  beast::error_code ignored;
  impl_->ws.next_layer().close(ignored);
}

absl::StatusOr<std::unique_ptr<RawWebSocket>> RawWebSocket::Connect(int port, std::string_view target,
                                                                     const std::vector<std::string>& subprotocols,
                                                                     std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), static_cast<unsigned short>(port));
  impl->ws.next_layer().connect(endpoint, ec);
  if (ec) return Error("connect", ec);
  const std::string protocols = absl::StrJoin(subprotocols, ", ");
  impl->ws.set_option(websocket::stream_base::decorator([protocols](websocket::request_type& request) {
    if (!protocols.empty()) request.set(beast::http::field::sec_websocket_protocol, protocols);
  }));
  bool done = false;
  impl->ws.async_handshake("127.0.0.1:" + std::to_string(port), std::string(target), [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!RunFor(impl->io, impl->ws.next_layer(), timeout, done)) {
    return absl::DeadlineExceededError(absl::StrCat("no WebSocket handshake within ", timeout.count(), " ms"));
  }
  if (ec) return Error("websocket handshake", ec);
  return std::unique_ptr<RawWebSocket>(new RawWebSocket(std::move(impl)));
}

absl::Status RawWebSocket::SendBinary(std::span<const std::uint8_t> frame) {
  beast::error_code ec;
  impl_->ws.binary(true);
  impl_->ws.write(asio::buffer(frame.data(), frame.size()), ec);
  return ec ? Error("send", ec) : absl::OkStatus();
}

absl::Status RawWebSocket::SendText(std::string_view text) {
  beast::error_code ec;
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text.data(), text.size()), ec);
  return ec ? Error("send", ec) : absl::OkStatus();
}

bool RawWebSocket::last_was_binary() const { return impl_->ws.got_binary(); }

absl::StatusOr<std::vector<std::uint8_t>> RawWebSocket::Receive(std::chrono::milliseconds timeout) {
  // Asio's blocking read retries after a socket timeout, so bound an async read instead.
  beast::flat_buffer buffer;
  beast::error_code ec;
  bool done = false;
  impl_->ws.async_read(buffer, [&](beast::error_code read_ec, std::size_t) {
    ec = read_ec;
    done = true;
  });
  if (!RunFor(impl_->io, impl_->ws.next_layer(), timeout, done)) {
    return absl::DeadlineExceededError(absl::StrCat("no message within ", timeout.count(), " ms"));
  }
  // A received close frame counts even if the TCP teardown after it failed: the engine may reset
  // the connection right after its close frame, before Beast finishes the closing handshake.
  if (const websocket::close_reason& reason = impl_->ws.reason(); ec && reason.code != websocket::close_code::none) {
    return absl::UnavailableError(absl::StrCat("closed ", reason.code, " ", reason.reason.c_str()));
  }
  if (ec) return Error("receive", ec);
  const auto* data = static_cast<const std::uint8_t*>(buffer.data().data());
  return std::vector<std::uint8_t>(data, data + buffer.size());
}

absl::Status RawWebSocket::Close(int code) {
  beast::error_code ec;
  impl_->ws.close(websocket::close_reason(static_cast<std::uint16_t>(code)), ec);
  return ec ? Error("close", ec) : absl::OkStatus();
}

std::string ReceiveText(RawWebSocket& ws, std::chrono::milliseconds timeout) {
  absl::StatusOr<std::vector<std::uint8_t>> received = ws.Receive(timeout);
  if (!received.ok()) return absl::StrCat("<", received.status().message(), ">");
  return std::string(received->begin(), received->end());
}

std::string Ask(RawWebSocket& ws, std::string_view message, std::chrono::milliseconds timeout) {
  if (absl::Status sent = ws.SendText(message); !sent.ok()) return absl::StrCat("<send failed: ", sent.message(), ">");
  return ReceiveText(ws, timeout);
}

}  // namespace tether::testing
