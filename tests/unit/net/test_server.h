// A blocking WebSocket server on 127.0.0.1 for the net tests: each accepted connection runs a
// test-provided script on its own thread. Beast stays inside test_server.cc.
#ifndef TETHER_TESTS_UNIT_NET_TEST_SERVER_H_
#define TETHER_TESTS_UNIT_NET_TEST_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tether::net::testing {

// One accepted TCP connection (after the TLS handshake, for a TLS server). Methods return false
// (or nullopt) once the connection failed or closed.
class ServerConnection {
 public:
  virtual ~ServerConnection() = default;

  // Reads the upgrade request and accepts it, choosing `subprotocol` if it is not empty.
  virtual bool Accept(std::string_view subprotocol) = 0;
  // The request's Sec-WebSocket-Protocol header, once Accept() or Reject() read it.
  virtual std::string requested_subprotocols() const = 0;
  // Reads the upgrade request and answers with a plain HTTP error instead.
  virtual bool Reject(int status, std::string_view body) = 0;

  // The next message; nullopt once the client closed (see peer_close_code) or the read failed.
  virtual std::optional<std::vector<std::uint8_t>> Read() = 0;
  virtual bool Write(std::span<const std::uint8_t> message) = 0;
  virtual bool Ping() = 0;
  // Whether a pong arrived; pongs are seen while Read() waits for a message.
  virtual bool pong_received() const = 0;
  // The full closing handshake.
  virtual bool Close(int code, std::string_view reason) = 0;
  // Writes a close frame behind Beast's back: Beast neither waits for the answer nor closes.
  virtual bool SendCloseFrame(int code, std::string_view reason) = 0;
  // Resets the TCP connection (RST), at once.
  virtual void Reset() = 0;
  // Reads and drops raw bytes until the client shut its side down.
  virtual void DrainUntilEof() = 0;

  // From the client's close frame, once Read() returned nullopt because of it; 0 otherwise.
  virtual int peer_close_code() const = 0;
  virtual std::string peer_close_reason() const = 0;
};

struct ServerTls {
  std::string cert_file;  // PEM chain
  std::string key_file;   // PEM private key
};

class TestServer {
 public:
  using Script = std::function<void(ServerConnection&)>;

  // Listens on 127.0.0.1 at a free port; `tls` makes it a wss:// server.
  static std::unique_ptr<TestServer> Start(Script script, std::optional<ServerTls> tls = std::nullopt);
  // Stops accepting, unblocks the scripts (by shutting their sockets down) and joins them.
  virtual ~TestServer() = default;

  virtual int port() const = 0;
};

}  // namespace tether::net::testing

#endif  // TETHER_TESTS_UNIT_NET_TEST_SERVER_H_
